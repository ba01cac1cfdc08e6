package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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
	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const modelRes = "icgpu_model_deployment.m"

// modelConfig is a provider block and one icgpu_model_deployment "m" with these argument lines.
func modelConfig(tn *acctest.Tenant, args ...string) string {
	return tn.ProviderBlock() + "\nresource \"icgpu_model_deployment\" \"m\" {\n  " + strings.Join(args, "\n  ") + "\n}\n"
}

func num(attr string, value int) string { return fmt.Sprintf("%s = %d", attr, value) }

// checkModelsGone is the CheckDestroy: the API addresses deployments by name, and a deleted one
// answers 404 (or its name belongs to another deployment).
func checkModelsGone(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "icgpu_model_deployment" {
				continue
			}
			name := rs.Primary.Attributes["name"]
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
				out, err := gen.GetModelDeployment(ctx, gql, name)
				if err == nil && out.ModelDeployment.Id == rs.Primary.ID {
					return fmt.Errorf("model deployment %s (%s) still exists after destroy", name, rs.Primary.ID)
				}
				return err
			})
			cancel()
			if err != nil && !client.IsNotFound(err) {
				return err
			}
		}
		return nil
	}
}

// deleteModelByName is an out-of-band delete (the saved value is the deployment's name).
func deleteModelByName(ctx context.Context, gql graphql.Client, name string) error {
	_, err := gen.DeleteModel(ctx, gql, name, &dryRunOff)
	return err
}

// checkModelMatchesAPI compares the state with the API's deployment, attribute by attribute, and
// checks what the API holds: the model, the bounds, and whether a Hugging Face token is set.
func checkModelMatchesAPI(tn *acctest.Tenant, model string, minReplicas, maxReplicas int, tokenSet bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[modelRes]
		if !ok {
			return fmt.Errorf("%s not in state", modelRes)
		}
		a := rs.Primary.Attributes
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.GetModelDeployment(ctx, gql, a["name"])
			if err != nil {
				return err
			}
			d := out.ModelDeployment
			tier := ""
			if d.GpuTier != nil {
				tier = *d.GpuTier
			}
			for _, err := range []error{
				wantAPI("id", d.Id, rs.Primary.ID), wantAPI("model", d.Model, model),
				wantAPI("minReplicas", d.MinReplicas, minReplicas), wantAPI("maxReplicas", d.MaxReplicas, maxReplicas),
				wantAPI("huggingfaceTokenSet", d.HuggingfaceTokenSet, tokenSet),
				wantAPI("state model", a["model"], d.Model), wantAPI("state engine", a["engine"], d.Engine),
				wantAPI("state kind", a["kind"], d.Kind), wantAPI("state resource_profile", a["resource_profile"], d.ResourceProfile),
				wantAPI("state min_replicas", a["min_replicas"], strconv.Itoa(d.MinReplicas)),
				wantAPI("state max_replicas", a["max_replicas"], strconv.Itoa(d.MaxReplicas)),
				wantAPI("state gpu_tier", a["gpu_tier"], tier), wantAPI("state upstream", a["upstream"], d.Upstream),
				wantAPI("state huggingface_token_set", a["huggingface_token_set"], strconv.FormatBool(d.HuggingfaceTokenSet)),
				wantAPI("state status", a["status"], d.Status), wantAPI("state ready_replicas", a["ready_replicas"], strconv.Itoa(d.ReadyReplicas)),
				wantAPI("state desired_replicas", a["desired_replicas"], strconv.Itoa(d.DesiredReplicas)),
				wantAPI("state created_at", a["created_at"], d.CreatedAt.UTC().Format(time.RFC3339)),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestModelDeploymentLifecycle: create at zero replicas (accepted at once), read back, scale in
// place (waits for the replica), replacement on a new token and a new model, import by name (the
// token, never returned, is then only recorded), drift after an out-of-band delete, destroy.
func TestModelDeploymentLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	name := acctest.Name("mdl")
	modelA, modelB := "org/tiny-chat", "org/tiny-chat-v2"
	tokenA, tokenB := "hf_"+acctest.Name("a"), "hf_"+acctest.Name("b")
	base := func(model, token string, more ...string) string {
		return modelConfig(tn, append([]string{q("name", name), q("model", model), q("resource_profile", "cpu"),
			q("huggingface_token", token)}, more...)...)
	}
	var id string
	savedName := name
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkModelsGone(tn),
		Steps: []resource.TestStep{
			{ // create at zero replicas: the defaults are in the plan, and the API's acceptance is enough
				Config: base(modelA, tokenA),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(modelRes, tfjsonpath.New("engine"), knownvalue.StringExact("vllm")),
					plancheck.ExpectKnownValue(modelRes, tfjsonpath.New("min_replicas"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue(modelRes, tfjsonpath.New("max_replicas"), knownvalue.Int64Exact(1)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(modelRes, "id", regexp.MustCompile(`^mdl-`)),
					resource.TestCheckResourceAttr(modelRes, "status", "scaled_to_zero"),
					resource.TestCheckResourceAttr(modelRes, "ready_replicas", "0"),
					resource.TestCheckResourceAttr(modelRes, "kind", "chat"),
					resource.TestCheckNoResourceAttr(modelRes, "gpu_tier"),
					resource.TestCheckResourceAttr(modelRes, "huggingface_token", tokenA), // kept as given
					checkModelMatchesAPI(tn, modelA, 0, 1, true),
					acctest.SaveID(modelRes, &id),
				),
			},
			{ // the bounds change in place, and the apply waits until the new minimum answers
				Config: base(modelA, tokenA, num("min_replicas", 1), num("max_replicas", 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(modelRes, &id),
					resource.TestCheckResourceAttr(modelRes, "ready_replicas", "1"),
					resource.TestCheckResourceAttr(modelRes, "status", "ready"),
					checkModelMatchesAPI(tn, modelA, 1, 2, true),
				),
			},
			{ // back to zero in place (no wait for replicas)
				Config: base(modelA, tokenA, num("min_replicas", 0), num("max_replicas", 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(modelRes, &id),
					resource.TestCheckResourceAttr(modelRes, "min_replicas", "0"),
				),
			},
			{ // a new token cannot be changed on the API: the deployment is replaced under the same name
				Config: base(modelA, tokenB, num("max_replicas", 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(modelRes, &id),
					resource.TestCheckResourceAttr(modelRes, "huggingface_token", tokenB),
					checkModelMatchesAPI(tn, modelA, 0, 2, true),
				),
			},
			{ // so is a new model
				Config: base(modelB, tokenB, num("max_replicas", 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(modelRes, &id),
					checkModelMatchesAPI(tn, modelB, 0, 2, true),
				),
			},
			{ // a refresh reads what the scaler recorded since
				RefreshState: true,
				Check:        checkModelMatchesAPI(tn, modelB, 0, 2, true),
			},
			{ // import by name fills every attribute but the token, which the API never returns
				ResourceName:            modelRes,
				ImportState:             true,
				ImportStateId:           name,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"huggingface_token", "timeouts"},
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig:          acctest.DeleteOutOfBand(t, tn, &savedName, deleteModelByName),
				Config:             base(modelB, tokenB, num("max_replicas", 2)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: base(modelB, tokenB, num("max_replicas", 2)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(modelRes, &id),
					checkModelMatchesAPI(tn, modelB, 0, 2, true),
				),
			},
		},
	})
}

// TestModelDeploymentImport: a deployment made outside Terraform (with a Hugging Face token) is
// imported by its name; the configured token, which the API never returns, is then recorded in
// place rather than replacing the deployment. An unknown name cannot be imported.
func TestModelDeploymentImport(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	name, token := acctest.Name("imp"), "hf_"+acctest.Name("tok")
	var id string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.DeployModel(ctx, gql, gen.DeployModelInput{Name: name, Model: "org/imported", Engine: "sglang", MinReplicas: 0,
			MaxReplicas: 3, ResourceProfile: "cpu", HuggingfaceToken: &token}, &dryRunOff)
		if err == nil {
			id = out.DeployModel.ModelDeployment.Id
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The first steps import into an empty state: the configuration names the provider's source itself.
	config := "terraform {\n  required_providers {\n    icgpu = { source = \"registry.terraform.io/ic-gpu/icgpu\" }\n  }\n}\n" + modelConfig(tn, q("name", name), q("model", "org/imported"), q("engine", "sglang"), q("resource_profile", "cpu"),
		num("max_replicas", 3), q("huggingface_token", token))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkModelsGone(tn),
		Steps: []resource.TestStep{
			{Config: config, ResourceName: modelRes, ImportState: true, ImportStateId: "no-such-model",
				ExpectError: regexp.MustCompile(`Cannot import non-existent remote object`)},
			{Config: config, ResourceName: modelRes, ImportState: true, ImportStateId: "Not A Name",
				ExpectError: regexp.MustCompile(`Import a model deployment by its name`)},
			{
				Config: config, ResourceName: modelRes, ImportState: true, ImportStateId: name, ImportStatePersist: true,
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d resources", len(states))
					}
					a := states[0].Attributes
					for _, err := range []error{wantAPI("id", states[0].ID, id), wantAPI("engine", a["engine"], "sglang"),
						wantAPI("max_replicas", a["max_replicas"], "3"), wantAPI("huggingface_token_set", a["huggingface_token_set"], "true"),
						wantAPI("huggingface_token", a["huggingface_token"], "")} {
						if err != nil {
							return err
						}
					}
					return nil
				},
			},
			{ // the configured token is recorded in place: the same deployment, no replacement
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(modelRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(modelRes, "id", id),
					resource.TestCheckResourceAttr(modelRes, "huggingface_token", token),
					checkModelMatchesAPI(tn, "org/imported", 0, 3, true),
				),
			},
		},
	})
}

// TestModelDeploymentValidation: what the API would refuse is refused at plan time; the API's
// own refusal (a catalogue alias as the name) arrives with its request id.
func TestModelDeploymentValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	ok := []string{q("name", "ok"), q("model", "org/m")}
	with := func(args ...string) string { return modelConfig(tn, append(append([]string{}, ok...), args...)...) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkModelsGone(tn),
		Steps: []resource.TestStep{
			{Config: modelConfig(tn, q("name", "Bad_Name"), q("model", "org/m")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)name.*lower-case letters`)},
			{Config: modelConfig(tn, q("name", "ok"), q("model", "a/b/c")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)model.*Hugging Face model id`)},
			{Config: with(q("engine", "tgi")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)engine.*"vllm".*"sglang".*"ollama"`)},
			{Config: with(q("kind", "vision")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)kind.*"chat".*"embedding"`)},
			{Config: with(q("resource_profile", "gpu")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)resource_profile.*"nvidia-gpu-dedicated"`)},
			{Config: with(num("max_replicas", 17)), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)max_replicas.*between 1 and 16`)},
			{Config: with(num("min_replicas", 3), num("max_replicas", 2)), PlanOnly: true,
				ExpectError: regexp.MustCompile(`min_replicas \(3\) is more than max_replicas \(2\)`)},
			{Config: with(num("min_replicas", 2)), PlanOnly: true, // an omitted maximum is 1
				ExpectError: regexp.MustCompile(`min_replicas \(2\) is more than max_replicas \(1\)`)},
			{Config: with(q("huggingface_token", "hf with spaces")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)huggingface_token.*printable characters without\s+spaces`)},
			// The API's own check (a catalogue alias is no deployment's name) arrives with its request id.
			{Config: modelConfig(tn, q("name", "llama-3-8b"), q("model", "org/m")),
				ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_model_deployment.*catalogue.*ConflictException.*Request id: \S+`)},
		},
	})
}

// TestModelDeploymentCreateWaits, on a server of its own whose only dedicated GPU is taken: a
// create with min_replicas 1 waits until the replica answers; one whose replica cannot get a GPU
// fails when its create timeout passes, with the last status and reason, and stays in the state as
// tainted, so the next plan replaces it.
func TestModelDeploymentCreateWaits(t *testing.T) {
	t.Parallel()
	srv, err := acctest.StartServer(map[string]string{"ICGPU_LOCAL_INVENTORY": "dedicated=1,mig=1x3,timesliced=2x2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	tn := acctest.NewTenantOn(t, srv)
	takeDedicatedGPU(t, tn)
	warm := `
resource "icgpu_model_deployment" "warm" {
  name             = "warm"
  model            = "org/warm"
  resource_profile = "cpu"
  min_replicas     = 1
}
`
	starved := `
resource "icgpu_model_deployment" "starved" {
  name             = "starved"
  model            = "org/starved"
  resource_profile = "nvidia-gpu-dedicated"
  min_replicas     = 1

  timeouts {
    create = "4s"
  }
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             checkModelsGone(tn),
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderBlock() + warm,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("icgpu_model_deployment.warm", "ready_replicas", "1"),
					resource.TestCheckResourceAttr("icgpu_model_deployment.warm", "status", "ready"),
				),
			},
			{
				Config:      tn.ProviderBlock() + warm + starved,
				ExpectError: regexp.MustCompile(`(?s)icgpu_model_deployment starved did not get its replicas.*did\s+not\s+become\s+1\s+ready\s+replica\(s\)\s+within.*last\s+status\s+pending.*no\s+free\s+dedicated\s+GPU.*tainted`),
			},
			{ // the tainted deployment is planned for replacement
				Config: tn.ProviderBlock() + warm + starved,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("icgpu_model_deployment.starved", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("icgpu_model_deployment.warm", plancheck.ResourceActionNoop),
				}},
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
