package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestTokenPackagesFromAPI(t *testing.T) {
	got := tokenPackagesCatalogue().models([]gen.TokenPackageFields{
		{Id: "pkg-starter", Name: "Starter", Tokens: 1_000_000, Price: 2, Currency: "USD", PricePerMillion: 2},
		{Id: "pkg-enterprise", Name: "Enterprise", Tokens: 1_000_000_000, Price: 1200, Currency: "USD", PricePerMillion: 1.2},
	})
	want := []tokenPackageModel{
		{ID: types.StringValue("pkg-starter"), Name: types.StringValue("Starter"), Tokens: types.Int64Value(1_000_000),
			Price: types.Float64Value(2), Currency: types.StringValue("USD"), PricePerMillion: types.Float64Value(2)},
		{ID: types.StringValue("pkg-enterprise"), Name: types.StringValue("Enterprise"), Tokens: types.Int64Value(1_000_000_000),
			Price: types.Float64Value(1200), Currency: types.StringValue("USD"), PricePerMillion: types.Float64Value(1.2)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d packages, want %d", len(got), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got[i], want[i])
	}
}
