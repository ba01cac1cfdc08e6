package provider

import (
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestGPUTiersFromAPI(t *testing.T) {
	capacity, available := 4, 0
	got := gpuTiersCatalogue().models([]gen.GpuTierFields{
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
	if len(got) != len(want) {
		t.Fatalf("got %d tiers, want %d", len(got), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got[i], want[i])
	}
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
