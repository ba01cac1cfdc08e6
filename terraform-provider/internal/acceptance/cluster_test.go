package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const clusterRes = "icgpu_cluster.c"

// clusterConfig is a provider block and one icgpu_cluster "c" with these argument lines.
func clusterConfig(tn *acctest.Tenant, args ...string) string {
	return tn.ProviderBlock() + "\nresource \"icgpu_cluster\" \"c\" {\n  " + strings.Join(args, "\n  ") + "\n}\n"
}

// clusterGone is the CheckDestroy lookup: a deleted cluster reads as 404, or as deleting or
// terminated; its kubeconfig (the credential) must be gone too.
func clusterGone(ctx context.Context, gql graphql.Client, id string) error {
	out, err := gen.GetCluster(ctx, gql, id)
	if err != nil {
		return err
	}
	if s := out.Cluster.Status; s != gen.ClusterStatusTerminated && s != gen.ClusterStatusDeleting {
		return nil // still there
	}
	// The credential is revoked: the kubeconfig's answer must be a 404 too (the caller checks it).
	if _, err := gen.GetClusterKubeconfig(ctx, gql, id); err != nil {
		return err
	}
	return fmt.Errorf("cluster %s is %s but its kubeconfig is still served", id, out.Cluster.Status)
}

func deleteCluster(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.DeleteCluster(ctx, gql, id, &dryRunOff)
	return err
}

// checkClusterMatchesAPI compares the state with the API's cluster and kubeconfig.
func checkClusterMatchesAPI(tn *acctest.Tenant, name, version, team string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[clusterRes]
		if !ok {
			return fmt.Errorf("%s not in state", clusterRes)
		}
		attrs := rs.Primary.Attributes
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.GetCluster(ctx, gql, rs.Primary.ID)
			if err != nil {
				return err
			}
			c := out.Cluster
			k, err := gen.GetClusterKubeconfig(ctx, gql, c.Id)
			if err != nil {
				return err
			}
			kc := k.ClusterKubeconfig
			if kc.Token == nil {
				return fmt.Errorf("cluster %s: kubeconfig without a token", c.Id)
			}
			teamID := ""
			if c.TeamId != nil {
				teamID = *c.TeamId
			}
			for _, err := range []error{
				wantAPI("name", c.Name, name), wantAPI("version", c.Version, version), wantAPI("teamId", teamID, team),
				wantAPI("status", c.Status, gen.ClusterStatusRunning),
				wantAPI("state name", attrs["name"], c.Name), wantAPI("state version", attrs["version"], c.Version),
				wantAPI("state status", attrs["status"], "running"), wantAPI("state server_url", attrs["server_url"], *c.ServerUrl),
				wantAPI("state created_at", attrs["created_at"], c.CreatedAt.UTC().Format(time.RFC3339)),
				wantAPI("state kubeconfig", attrs["kubeconfig"], kc.Kubeconfig), wantAPI("state token", attrs["token"], *kc.Token),
				// The simulator's clusters have a token's user: no client certificate (null: absent from the state).
				wantAPI("client certificate", kc.ClientCertificateData == nil && kc.ClientKeyData == nil, true),
				wantAPI("state client_certificate_data", attrs["client_certificate_data"], ""),
				wantAPI("state client_key_data", attrs["client_key_data"], ""),
				wantAPI("state certificate_authority_data", attrs["certificate_authority_data"], kc.CertificateAuthorityData),
				wantAPI("kubeconfig server", strings.Contains(kc.Kubeconfig, *c.ServerUrl), true),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestClusterLifecycle: create with the API's default version (planned before apply), read back
// with the kubeconfig, replacement on version and team, import, drift after an out-of-band
// delete, destroy (the credential is revoked).
func TestClusterLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	var team string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var versions []string
	if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		v, err := gen.ListClusterVersions(ctx, gql)
		if err != nil {
			return err
		}
		versions = v.ClusterVersions
		out, err := gen.CreateTeam(ctx, gql, gen.CreateTeamInput{Name: acctest.Name("team")}, &dryRunOff)
		if err == nil {
			team = out.CreateTeam.Team.Id
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(versions) < 2 {
		t.Fatalf("the API offers %v: the test needs two versions", versions)
	}
	newest, older := versions[len(versions)-1], versions[0]
	name := acctest.Name("cls")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_cluster", clusterGone),
		Steps: []resource.TestStep{
			{ // create without a version: the plan shows the API's default; waits until running
				Config: clusterConfig(tn, q("name", name)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(clusterRes, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(clusterRes, tfjsonpath.New("version"), knownvalue.StringExact(newest)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(clusterRes, "id", regexp.MustCompile(`^cls-`)),
					resource.TestCheckResourceAttr(clusterRes, "version", newest),
					resource.TestCheckResourceAttr(clusterRes, "status", "running"),
					resource.TestCheckNoResourceAttr(clusterRes, "team_id"),
					resource.TestMatchResourceAttr(clusterRes, "kubeconfig", regexp.MustCompile(`(?s)certificate-authority-data: .*current-context: "`+name+`"`)),
					checkClusterMatchesAPI(tn, name, newest, ""),
					acctest.SaveID(clusterRes, &id),
				),
			},
			{ // no change: the kubeconfig read on refresh is the same
				Config:   clusterConfig(tn, q("name", name)),
				PlanOnly: true,
			},
			{ // another version (and a team) is another cluster
				Config: clusterConfig(tn, q("name", name), q("version", older), q("team_id", team)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(clusterRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(clusterRes, &id),
					resource.TestCheckResourceAttr(clusterRes, "version", older),
					resource.TestCheckResourceAttr(clusterRes, "team_id", team),
					checkClusterMatchesAPI(tn, name, older, team),
				),
			},
			{ // import by id fills every attribute, the kubeconfig included
				ResourceName:            clusterRes,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig:          acctest.DeleteOutOfBand(t, tn, &id, deleteCluster),
				Config:             clusterConfig(tn, q("name", name), q("version", older), q("team_id", team)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: clusterConfig(tn, q("name", name), q("version", older), q("team_id", team)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(clusterRes, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(clusterRes, &id),
					checkClusterMatchesAPI(tn, name, older, team),
				),
			},
		},
	})
}

func TestClusterValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_cluster", clusterGone),
		Steps: []resource.TestStep{
			{Config: clusterConfig(tn, q("name", "Bad_Name")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)name.*lower-case letters`)},
			{Config: clusterConfig(tn, q("name", "ok"), q("version", "latest")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)version.*Kubernetes minor version`)},
			// The supported list is the API's, checked at plan time.
			{Config: clusterConfig(tn, q("name", "ok"), q("version", "1.20")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Unsupported Kubernetes version.*"1.20".*choose one of: 1\.\d+, `)},
			// The API's own check (no such team) arrives with its field and request id.
			{Config: clusterConfig(tn, q("name", "ok"), q("team_id", "team-000000000000")),
				ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_cluster.*unknown team.*Field: team_id.*Request id: \S+`)},
		},
	})
}
