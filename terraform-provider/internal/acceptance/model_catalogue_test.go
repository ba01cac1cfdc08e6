package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const modelCatalogueData = "data.icgpu_model_catalogue.all"

const modelCatalogueConfig = `
data "icgpu_model_catalogue" "all" {}

output "embedding_aliases" {
  value = join(",", [for m in data.icgpu_model_catalogue.all.models : m.alias if m.kind == "embedding"])
}
`

// TestModelCatalogueDataSource reads the catalogue: every field of every entry is the API's, in
// the API's order, with a null gpu_tier for a model on the cpu profile. A key without the models
// scope gets the API's refusal with its request id.
func TestModelCatalogueDataSource(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	noModels := *tn
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateApiKey(ctx, gql, gen.CreateApiKeyInput{Name: "no-models", Scopes: []string{"tokens"},
			Permissions: []string{"read"}}, &dryRunOff)
		if err == nil && out.CreateApiKey.Key != nil {
			noModels.APIKey = *out.CreateApiKey.Key
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderBlock() + modelCatalogueConfig,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkCatalogueMatchesAPI(tn),
					resource.TestCheckTypeSetElemNestedAttrs(modelCatalogueData, "models.*", map[string]string{
						"alias": "llama-3-8b", "huggingface_id": "meta-llama/Meta-Llama-3-8B-Instruct", "engine": "vllm",
						"resource_profile": "nvidia-gpu-dedicated", "gpu_tier": "dedicated", "kind": "chat",
					}),
					resource.TestCheckOutput("embedding_aliases", "bge-large-en-v1.5,nomic-embed-text"),
				),
			},
			{
				Config:      noModels.ProviderBlock() + modelCatalogueConfig,
				ExpectError: regexp.MustCompile(`(?s)Could not read icgpu_model_catalogue.*models.*Error type: \w+.*Request id: \S+`),
			},
		},
	})
}

// checkCatalogueMatchesAPI compares every model in state, attribute by attribute, with ModelCatalogue.
func checkCatalogueMatchesAPI(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var models []gen.CatalogueModelFields
		if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.ModelCatalogue(ctx, gql)
			for _, m := range out.GetModelCatalogue() {
				models = append(models, m.CatalogueModelFields)
			}
			return err
		}); err != nil {
			return err
		}
		a := s.RootModule().Resources[modelCatalogueData].Primary.Attributes
		if a["models.#"] != strconv.Itoa(len(models)) || len(models) == 0 {
			return fmt.Errorf("state has %s models, the API %d", a["models.#"], len(models))
		}
		cpu := 0
		for i, m := range models {
			at := func(name string) string { return a[fmt.Sprintf("models.%d.%s", i, name)] }
			tier := ""
			if m.GpuTier != nil {
				tier = *m.GpuTier
			} else {
				cpu++
			}
			for name, want := range map[string]string{
				"alias": m.Alias, "huggingface_id": m.HuggingfaceId, "engine": m.Engine, "resource_profile": m.ResourceProfile,
				"gpu_tier": tier, "context_length": strconv.Itoa(m.ContextLength), "kind": m.Kind, "description": m.Description,
			} {
				if got := at(name); got != want {
					return fmt.Errorf("models.%d.%s = %q, the API says %q", i, name, got, want)
				}
			}
			if got, err := strconv.ParseFloat(at("token_multiplier"), 64); err != nil || got != m.TokenMultiplier {
				return fmt.Errorf("models.%d.token_multiplier = %q, the API says %v", i, at("token_multiplier"), m.TokenMultiplier)
			}
		}
		if cpu == 0 {
			return fmt.Errorf("the catalogue has no cpu model: the null gpu_tier is not exercised")
		}
		return nil
	}
}
