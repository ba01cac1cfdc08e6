package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func sshKeyConfig(tn *acctest.Tenant, name, publicKey string) string {
	return tn.ProviderBlock() + fmt.Sprintf(`
resource "icgpu_ssh_key" "k" {
  name       = %q
  public_key = %q
}
`, name, publicKey)
}

func TestSSHKeyLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	keyA, keyB := acctest.PublicKey(t), acctest.PublicKey(t)
	name := acctest.Name("key")
	var firstID string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_ssh_key", sshKeyExists),
		Steps: []resource.TestStep{
			{ // create, read back; a trailing newline (file() output) is not a change
				Config: sshKeyConfig(tn, name, keyA+"\n"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr("icgpu_ssh_key.k", "id", regexp.MustCompile(`^key-`)),
					resource.TestCheckResourceAttr("icgpu_ssh_key.k", "name", name),
					resource.TestMatchResourceAttr("icgpu_ssh_key.k", "fingerprint", regexp.MustCompile(`^SHA256:`)),
					resource.TestCheckResourceAttr("icgpu_ssh_key.k", "key_type", "ssh-ed25519"),
					acctest.CheckAPI(tn, "icgpu_ssh_key.k", func(ctx context.Context, gql graphql.Client, id string) error {
						out, err := gen.GetSshKey(ctx, gql, id)
						if err == nil && out.SshKey.Name != name {
							err = fmt.Errorf("API has name %q, want %q", out.SshKey.Name, name)
						}
						return err
					}),
					acctest.SaveID("icgpu_ssh_key.k", &firstID),
				),
			},
			{ // a new public key replaces the key
				Config: sshKeyConfig(tn, name, keyB),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("icgpu_ssh_key.k", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: acctest.CheckIDChanged("icgpu_ssh_key.k", &firstID),
			},
			{ // import by id fills every attribute
				ResourceName:      "icgpu_ssh_key.k",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig: acctest.DeleteOutOfBand(t, tn, &firstID, func(ctx context.Context, gql graphql.Client, id string) error {
					_, err := gen.DeleteSshKey(ctx, gql, id, &dryRunOff)
					return err
				}),
				Config:             sshKeyConfig(tn, name, keyB),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: sshKeyConfig(tn, name, keyB),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("icgpu_ssh_key.k", plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestSSHKeyPlanTimeValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: sshKeyConfig(tn, "k", "ssh-dss AAAAB3Nza"), PlanOnly: true, ExpectError: regexp.MustCompile(`key type 'ssh-dss' is not accepted`)},
			{Config: sshKeyConfig(tn, "k", "ssh-ed25519"), PlanOnly: true, ExpectError: regexp.MustCompile(`expected 'TYPE BASE64`)},
			// The API's own check (the base64 is not a key) arrives as a diagnostic with its request id.
			{Config: sshKeyConfig(tn, "k", "ssh-ed25519 AAAAnotakey"), ExpectError: regexp.MustCompile(`(?s)public_key.*Request id: \S+`)},
		},
	})
}

func sshKeyExists(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.GetSshKey(ctx, gql, id)
	return err
}
