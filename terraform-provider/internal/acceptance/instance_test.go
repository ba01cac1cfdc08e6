package acceptance

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const inst = "icgpu_instance.i"

// instanceConfig is a provider block and one icgpu_instance "i" with these argument lines
// (plus any other HCL in extra).
func instanceConfig(tn *acctest.Tenant, extra string, args ...string) string {
	return tn.ProviderBlock() + extra + "\nresource \"icgpu_instance\" \"i\" {\n  " + strings.Join(args, "\n  ") + "\n}\n"
}

func q(attr, value string) string { return fmt.Sprintf("%s = %q", attr, value) }

// instanceGone is the CheckDestroy lookup: a deleted instance reads as 404 or as TERMINATED.
func instanceGone(ctx context.Context, gql graphql.Client, id string) error {
	out, err := gen.GetInstance(ctx, gql, id)
	if err == nil && out.Instance.Status == gen.InstanceStatusTerminated {
		return &client.APIError{Status: http.StatusNotFound, Message: "instance " + id + " is terminated"}
	}
	return err
}

// apiInstance checks the API's view of the instance in the state.
func apiInstance(tn *acctest.Tenant, check func(i gen.InstanceFields) error) resource.TestCheckFunc {
	return acctest.CheckAPI(tn, inst, func(ctx context.Context, gql graphql.Client, id string) error {
		out, err := gen.GetInstance(ctx, gql, id)
		if err != nil {
			return err
		}
		return check(out.Instance.InstanceFields)
	})
}

func wantAPI(field string, got, want any) error {
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Errorf("API %s = %v, want %v", field, got, want)
	}
	return nil
}

func deleteInstance(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.DeleteInstance(ctx, gql, id, &dryRunOff)
	return err
}

// waitStatus polls the API (bounded) until instance *id has status want.
func waitStatus(t *testing.T, tn *acctest.Tenant, id *string, want gen.InstanceStatus) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	delay := 50 * time.Millisecond
	var last gen.InstanceStatus
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.GetInstance(ctx, gql, *id)
			if err == nil {
				last = out.Instance.Status
			}
			return err
		})
		cancel()
		if err != nil {
			t.Fatalf("reading instance %s: %v", *id, err)
		}
		if last == want {
			return
		}
		time.Sleep(delay)
		delay = min(2*delay, time.Second)
	}
	t.Fatalf("instance %s is %s after 60 s, want %s", *id, last, want)
}

// createOutOfBand makes an instance through the API (not Terraform) and stores its id.
func createOutOfBand(t *testing.T, tn *acctest.Tenant, input gen.CreateInstanceInput, id *string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateInstance(ctx, gql, input, &dryRunOff)
		if err == nil {
			*id = out.CreateInstance.Instance.Id
		}
		return err
	})
	if err != nil {
		t.Fatalf("out-of-band create: %v", err)
	}
}

// TestInstanceLifecycle: create with a key line (a file() value with its newline), read back,
// rename, stop and start in place, replacement on storage_gb, import, drift after an out-of-band
// delete, destroy.
func TestInstanceLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	key := acctest.PublicKey(t)
	name1, name2 := acctest.Name("inst"), acctest.Name("inst")
	cfg := func(name, state string, storage int) string {
		return instanceConfig(tn, "", q("name", name), q("tier", "mig"), q("ssh_key", key+"\n"), q("state", state),
			fmt.Sprintf("storage_gb = %d", storage))
	}
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_instance", instanceGone),
		Steps: []resource.TestStep{
			{ // create: waits for running; every computed attribute is filled
				Config: cfg(name1, "running", 20),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(inst, "id", regexp.MustCompile(`^inst-`)),
					resource.TestCheckResourceAttr(inst, "name", name1),
					resource.TestCheckResourceAttr(inst, "tier", "mig"),
					resource.TestCheckResourceAttr(inst, "ssh_key", key+"\n"),
					resource.TestCheckResourceAttr(inst, "storage_gb", "20"),
					resource.TestCheckResourceAttr(inst, "workload_type", "interactive"),
					resource.TestCheckResourceAttr(inst, "state", "running"),
					resource.TestCheckResourceAttr(inst, "status", "running"),
					resource.TestCheckResourceAttr(inst, "hourly_price", "0.89"),
					resource.TestCheckResourceAttrSet(inst, "ssh_host"),
					resource.TestMatchResourceAttr(inst, "ssh_port", regexp.MustCompile(`^[0-9]+$`)),
					resource.TestMatchResourceAttr(inst, "created_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
					resource.TestCheckNoResourceAttr(inst, "ssh_key_group"),
					resource.TestCheckNoResourceAttr(inst, "team_id"),
					apiInstance(tn, func(i gen.InstanceFields) error {
						for _, err := range []error{
							wantAPI("name", i.Name, name1), wantAPI("tier", i.Tier, "mig"), wantAPI("storageGb", i.StorageGb, 20),
							wantAPI("status", i.Status, gen.InstanceStatusRunning), wantAPI("workloadType", i.WorkloadType, gen.WorkloadTypeInteractive),
							wantAPI("sshKey", *i.SshKey, key),
						} {
							if err != nil {
								return err
							}
						}
						return nil
					}),
					acctest.SaveID(inst, &id),
				),
			},
			{ // rename in place
				Config: cfg(name2, "running", 20),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(inst, &id),
					resource.TestCheckResourceAttr(inst, "name", name2),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("name", i.Name, name2) }),
				),
			},
			{ // stop in place: waits for stopped; no SSH endpoint while stopped
				Config: cfg(name2, "stopped", 20),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(inst, &id),
					resource.TestCheckResourceAttr(inst, "state", "stopped"),
					resource.TestCheckResourceAttr(inst, "status", "stopped"),
					resource.TestCheckNoResourceAttr(inst, "ssh_host"),
					resource.TestCheckNoResourceAttr(inst, "ssh_port"),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("status", i.Status, gen.InstanceStatusStopped) }),
				),
			},
			{ // start in place
				Config: cfg(name2, "running", 20),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(inst, &id),
					resource.TestCheckResourceAttr(inst, "state", "running"),
					resource.TestCheckResourceAttr(inst, "status", "running"),
					resource.TestCheckResourceAttrSet(inst, "ssh_host"),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("status", i.Status, gen.InstanceStatusRunning) }),
				),
			},
			{ // storage_gb forces a new instance
				Config: cfg(name2, "running", 30),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(inst, &id),
					resource.TestCheckResourceAttr(inst, "storage_gb", "30"),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("storageGb", i.StorageGb, 30) }),
				),
			},
			{ // import by id fills every attribute (ssh_key: the API's trimmed line)
				ResourceName:            inst,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ssh_key", "timeouts"},
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig:          acctest.DeleteOutOfBand(t, tn, &id, deleteInstance),
				Config:             cfg(name2, "running", 30),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: cfg(name2, "running", 30),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(inst, &id),
					resource.TestCheckResourceAttr(inst, "status", "running"),
				),
			},
		},
	})
}

// TestInstanceFromSSHKeyResource: the key comes from an icgpu_ssh_key, a key group is granted,
// the instance is shared with a team, it is batch work created stopped; a tier change replaces it (still stopped); import
// keeps the exact key line.
func TestInstanceFromSSHKeyResource(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	var group, team string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateSshKeyGroup(ctx, gql, gen.CreateSshKeyGroupInput{Name: acctest.Name("grp")}, &dryRunOff)
		if err != nil {
			return err
		}
		group = out.CreateSshKeyGroup.SshKeyGroup.Id
		teamOut, err := gen.CreateTeam(ctx, gql, gen.CreateTeamInput{Name: acctest.Name("team")}, &dryRunOff)
		if err == nil {
			team = teamOut.CreateTeam.Team.Id
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	keyHCL := fmt.Sprintf("resource \"icgpu_ssh_key\" \"k\" {\n  name = %q\n  public_key = %q\n}\n", acctest.Name("key"), acctest.PublicKey(t))
	name := acctest.Name("inst")
	cfg := func(tier string) string {
		return instanceConfig(tn, keyHCL, q("name", name), q("tier", tier), "ssh_key = icgpu_ssh_key.k.public_key",
			q("ssh_key_group", group), q("team_id", team), q("workload_type", "batch"), q("state", "stopped"))
	}
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_instance", instanceGone),
		Steps: []resource.TestStep{
			{ // created stopped (running first, then stopped), batch at half price
				Config: cfg("timesliced"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair(inst, "ssh_key", "icgpu_ssh_key.k", "public_key"),
					resource.TestCheckResourceAttr(inst, "ssh_key_group", group),
					resource.TestCheckResourceAttr(inst, "team_id", team),
					resource.TestCheckResourceAttr(inst, "storage_gb", "50"),
					resource.TestCheckResourceAttr(inst, "workload_type", "batch"),
					resource.TestCheckResourceAttr(inst, "state", "stopped"),
					resource.TestCheckResourceAttr(inst, "status", "stopped"),
					resource.TestCheckResourceAttr(inst, "hourly_price", "0.195"),
					apiInstance(tn, func(i gen.InstanceFields) error {
						if err := wantAPI("status", i.Status, gen.InstanceStatusStopped); err != nil {
							return err
						}
						if err := wantAPI("sshKeyGroup", *i.SshKeyGroup, group); err != nil {
							return err
						}
						if err := wantAPI("teamId", *i.TeamId, team); err != nil {
							return err
						}
						return wantAPI("workloadType", i.WorkloadType, gen.WorkloadTypeBatch)
					}),
					acctest.SaveID(inst, &id),
				),
			},
			{ // a new tier is a new instance, in the desired state again
				Config: cfg("mig"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(inst, &id),
					resource.TestCheckResourceAttr(inst, "tier", "mig"),
					resource.TestCheckResourceAttr(inst, "status", "stopped"),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("tier", i.Tier, "mig") }),
				),
			},
			{ // import: the key line from the API equals the uploaded key's (no newline involved)
				ResourceName:            inst,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestInstancePlanTimeValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	ok := []string{q("name", "ok"), q("tier", "mig")}
	with := func(extra ...string) string {
		return instanceConfig(tn, "", append(append([]string{}, ok...), extra...)...)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: instanceConfig(tn, "", q("name", "Bad_Name"), q("tier", "mig")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)name.*lower-case letters`)},
			{Config: instanceConfig(tn, "", q("name", "ok"), q("tier", "h100")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)tier.*"dedicated"`)},
			{Config: with("storage_gb = 5"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)storage_gb.*between 10 and 500`)},
			{Config: with("storage_gb = 501"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)storage_gb.*between 10 and 500`)},
			{Config: with(q("workload_type", "spot")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)workload_type.*"interactive"`)},
			{Config: with(q("state", "paused")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)state.*"running"`)},
			{Config: with(q("ssh_key", "ssh-dss AAAAB3Nza")), PlanOnly: true, ExpectError: regexp.MustCompile(`key type 'ssh-dss' is not accepted`)},
			// The API's own check (no such key group) arrives with its field and request id.
			{Config: with(q("ssh_key_group", "grp-000000000000")), ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_instance.*unknown SSH key group.*Field: ssh_key_group.*Request id: \S+`)},
		},
	})
}
