package acceptance

import (
	"context"
	"regexp"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const tokenPackagesData = "data.icgpu_token_packages.all"

const tokenPackagesConfig = `
data "icgpu_token_packages" "all" {}

output "cheapest_per_million" {
  value = min(data.icgpu_token_packages.all.packages[*].price_per_million...)
}
`

// TestTokenPackagesDataSource reads the packages: every field of every entry is the API's, in the
// API's order (smallest first), and an output computed from them is right. A key without the
// tokens scope gets the API's refusal with its request id.
func TestTokenPackagesDataSource(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	noTokens := withReadKey(t, tn, "no-tokens", "models")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderBlock() + tokenPackagesConfig,
			Check: resource.ComposeAggregateTestCheckFunc(
				checkPackagesMatchAPI(tn),
				resource.TestCheckTypeSetElemNestedAttrs(tokenPackagesData, "packages.*", map[string]string{
					"id": "pkg-starter", "name": "Starter", "tokens": "1000000", "price": "2", "currency": "USD", "price_per_million": "2",
				}),
				resource.TestCheckOutput("cheapest_per_million", "1.2"),
			),
		}, {
			Config:      noTokens.ProviderBlock() + tokenPackagesConfig,
			ExpectError: regexp.MustCompile(`(?s)Could not read icgpu_token_packages.*tokens.*Error type: \w+.*Request id: \S+`),
		}},
	})
}

// checkPackagesMatchAPI compares every package in state, attribute by attribute, with ListTokenPackages.
func checkPackagesMatchAPI(tn *acctest.Tenant) resource.TestCheckFunc {
	return checkListMatchesAPI(tn, tokenPackagesData, "packages", 1, apiTokenPackages, func(p gen.TokenPackageFields) map[string]any {
		return map[string]any{
			"id": p.Id, "name": p.Name, "tokens": p.Tokens, "currency": p.Currency, "price": p.Price, "price_per_million": p.PricePerMillion,
		}
	})
}

func apiTokenPackages(ctx context.Context, gql graphql.Client) ([]gen.TokenPackageFields, error) {
	out, err := gen.ListTokenPackages(ctx, gql)
	if err != nil {
		return nil, err
	}
	return fragments(out.TokenPackages, func(p gen.ListTokenPackagesTokenPackagesTokenPackage) gen.TokenPackageFields {
		return p.TokenPackageFields
	}), nil
}
