package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestGPUTiersFromAPI(t *testing.T) {
	capacity, available := 4, 0
	got := gpuTiersFromAPI([]gen.GpuTierFields{
		{Id: "dedicated", Name: "Dedicated GPU", Isolation: "full", Description: "A whole GPU.", GpuMemoryGb: 80,
			PricePerHour: 2.49, BatchPricePerHour: 1.245, Capacity: &capacity, Available: &available},
		{Id: "mig", Name: "MIG slice", Isolation: "hardware", Description: "A slice.", GpuMemoryGb: 10,
			PricePerHour: 0.89, BatchPricePerHour: 0.445},
	})
	want := []gpuTierModel{
		{ID: types.StringValue("dedicated"), Name: types.StringValue("Dedicated GPU"), Isolation: types.StringValue("full"),
			Description: types.StringValue("A whole GPU."), GPUMemoryGB: types.Int64Value(80), PricePerHour: types.Float64Value(2.49),
			BatchPricePerHour: types.Float64Value(1.245), Capacity: types.Int64Value(4), Available: types.Int64Value(0)},
		// A cluster that does not report capacity: null, not 0.
		{ID: types.StringValue("mig"), Name: types.StringValue("MIG slice"), Isolation: types.StringValue("hardware"),
			Description: types.StringValue("A slice."), GPUMemoryGB: types.Int64Value(10), PricePerHour: types.Float64Value(0.89),
			BatchPricePerHour: types.Float64Value(0.445), Capacity: types.Int64Null(), Available: types.Int64Null()},
	}
	if len(got.Tiers) != len(want) {
		t.Fatalf("got %d tiers, want %d", len(got.Tiers), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got.Tiers[i], want[i])
	}
	if empty := gpuTiersFromAPI(nil); empty.Tiers == nil || len(empty.Tiers) != 0 {
		t.Fatalf("no tiers must map to an empty list, got %#v", empty.Tiers)
	}
}

// The model must fit the schema: setting it into a state built from the schema succeeds.
func TestGPUTiersModelFitsSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewGPUTiersDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	capacity := 2
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	model := gpuTiersFromAPI([]gen.GpuTierFields{{Id: "timesliced", Isolation: "none", Capacity: &capacity}})
	if diags := state.Set(ctx, model); diags.HasError() {
		t.Fatal(diags)
	}
	var back gpuTiersModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatal(diags)
	}
	if len(back.Tiers) != 1 {
		t.Fatalf("round trip through the schema changed the model: %+v", back)
	}
	assertSameAttrs(t, back.Tiers[0], model.Tiers[0])
}

// assertSameAttrs compares two models (structs of attr.Value fields) attribute by attribute with
// Equal, which compares sets regardless of order and numbers by value.
func assertSameAttrs(t *testing.T, got, want any) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i).Interface().(attr.Value), wv.Field(i).Interface().(attr.Value)
		if !g.Equal(w) {
			t.Errorf("%s = %v, want %v", gv.Type().Field(i).Name, g, w)
		}
	}
}
