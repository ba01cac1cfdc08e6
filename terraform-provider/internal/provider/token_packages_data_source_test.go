package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestTokenPackagesFromAPI(t *testing.T) {
	got := tokenPackagesFromAPI([]gen.TokenPackageFields{
		{Id: "pkg-starter", Name: "Starter", Tokens: 1_000_000, Price: 2, Currency: "USD", PricePerMillion: 2},
		{Id: "pkg-enterprise", Name: "Enterprise", Tokens: 1_000_000_000, Price: 1200, Currency: "USD", PricePerMillion: 1.2},
	})
	want := []tokenPackageModel{
		{ID: types.StringValue("pkg-starter"), Name: types.StringValue("Starter"), Tokens: types.Int64Value(1_000_000),
			Price: types.Float64Value(2), Currency: types.StringValue("USD"), PricePerMillion: types.Float64Value(2)},
		{ID: types.StringValue("pkg-enterprise"), Name: types.StringValue("Enterprise"), Tokens: types.Int64Value(1_000_000_000),
			Price: types.Float64Value(1200), Currency: types.StringValue("USD"), PricePerMillion: types.Float64Value(1.2)},
	}
	if len(got.Packages) != len(want) {
		t.Fatalf("got %d packages, want %d", len(got.Packages), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got.Packages[i], want[i])
	}
	if empty := tokenPackagesFromAPI(nil); empty.Packages == nil || len(empty.Packages) != 0 {
		t.Fatalf("no packages must map to an empty list, got %#v", empty.Packages)
	}
}

func TestTokenPackagesModelFitsSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewTokenPackagesDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	model := tokenPackagesFromAPI([]gen.TokenPackageFields{{Id: "pkg-growth", Name: "Growth", Tokens: 10_000_000, Price: 18, Currency: "USD", PricePerMillion: 1.8}})
	if diags := state.Set(ctx, model); diags.HasError() {
		t.Fatal(diags)
	}
	var back tokenPackagesModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatal(diags)
	}
	if len(back.Packages) != 1 {
		t.Fatalf("round trip through the schema changed the model: %+v", back)
	}
	assertSameAttrs(t, back.Packages[0], model.Packages[0])
}
