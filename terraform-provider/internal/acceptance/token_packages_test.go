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
	noTokens := *tn
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateApiKey(ctx, gql, gen.CreateApiKeyInput{Name: "no-tokens", Scopes: []string{"models"},
			Permissions: []string{"read"}}, &dryRunOff)
		if err == nil && out.CreateApiKey.Key != nil {
			noTokens.APIKey = *out.CreateApiKey.Key
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
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
	return func(s *terraform.State) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var packages []gen.TokenPackageFields
		if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.ListTokenPackages(ctx, gql)
			for _, p := range out.GetTokenPackages() {
				packages = append(packages, p.TokenPackageFields)
			}
			return err
		}); err != nil {
			return err
		}
		if len(packages) == 0 {
			return fmt.Errorf("the API offers no token package")
		}
		a := s.RootModule().Resources[tokenPackagesData].Primary.Attributes
		if a["packages.#"] != strconv.Itoa(len(packages)) {
			return fmt.Errorf("state has %s packages, the API %d", a["packages.#"], len(packages))
		}
		for i, p := range packages {
			at := func(name string) string { return a[fmt.Sprintf("packages.%d.%s", i, name)] }
			for name, want := range map[string]string{"id": p.Id, "name": p.Name, "tokens": strconv.Itoa(p.Tokens), "currency": p.Currency} {
				if got := at(name); got != want {
					return fmt.Errorf("packages.%d.%s = %q, the API says %q", i, name, got, want)
				}
			}
			for name, want := range map[string]float64{"price": p.Price, "price_per_million": p.PricePerMillion} {
				got, err := strconv.ParseFloat(at(name), 64)
				if err != nil || got != want {
					return fmt.Errorf("packages.%d.%s = %q, the API says %v", i, name, at(name), want)
				}
			}
		}
		return nil
	}
}
