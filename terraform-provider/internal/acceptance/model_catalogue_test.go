package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"testing"

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
	noModels := withReadKey(t, tn, "no-models", "tokens")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: tn.ProviderBlock() + modelCatalogueConfig,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkCatalogueMatchesAPI(tn),
					checkCatalogueHasCPUModel(tn),
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
	return checkListMatchesAPI(tn, modelCatalogueData, "models", 1, apiModelCatalogue, func(m gen.CatalogueModelFields) map[string]any {
		return map[string]any{
			"alias": m.Alias, "huggingface_id": m.HuggingfaceId, "engine": m.Engine, "resource_profile": m.ResourceProfile,
			"gpu_tier": orEmpty(m.GpuTier), "context_length": m.ContextLength, "token_multiplier": m.TokenMultiplier,
			"kind": m.Kind, "description": m.Description,
		}
	})
}

// checkCatalogueHasCPUModel fails unless the API's catalogue has a model on the cpu profile (a null
// gpu_tier), so that checkCatalogueMatchesAPI exercises the null.
func checkCatalogueHasCPUModel(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(*terraform.State) error {
		models, err := apiList(tn, apiModelCatalogue)
		if err != nil {
			return err
		}
		for _, m := range models {
			if m.GpuTier == nil {
				return nil
			}
		}
		return fmt.Errorf("the catalogue has no cpu model: the null gpu_tier is not exercised")
	}
}

func apiModelCatalogue(ctx context.Context, gql graphql.Client) ([]gen.CatalogueModelFields, error) {
	out, err := gen.ModelCatalogue(ctx, gql)
	if err != nil {
		return nil, err
	}
	return fragments(out.ModelCatalogue, func(m gen.ModelCatalogueModelCatalogueCatalogueModel) gen.CatalogueModelFields {
		return m.CatalogueModelFields
	}), nil
}
