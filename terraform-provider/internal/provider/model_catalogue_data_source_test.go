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

func TestModelCatalogueFromAPI(t *testing.T) {
	tier := "dedicated"
	got := modelCatalogueFromAPI([]gen.CatalogueModelFields{
		{Alias: "llama-3-8b", HuggingfaceId: "meta-llama/Meta-Llama-3-8B-Instruct", Engine: "vllm", ResourceProfile: "nvidia-gpu-dedicated",
			GpuTier: &tier, ContextLength: 8192, TokenMultiplier: 1, Kind: "chat", Description: "Llama 3 8B Instruct"},
		{Alias: "nomic-embed-text", HuggingfaceId: "nomic-ai/nomic-embed-text-v1.5", Engine: "ollama", ResourceProfile: "cpu",
			ContextLength: 8192, TokenMultiplier: 0.05, Kind: "embedding", Description: "Nomic on CPU"},
	})
	want := []catalogueModelModel{
		{Alias: types.StringValue("llama-3-8b"), HuggingfaceID: types.StringValue("meta-llama/Meta-Llama-3-8B-Instruct"),
			Engine: types.StringValue("vllm"), ResourceProfile: types.StringValue("nvidia-gpu-dedicated"), GPUTier: types.StringValue("dedicated"),
			ContextLength: types.Int64Value(8192), TokenMultiplier: types.Float64Value(1), Kind: types.StringValue("chat"),
			Description: types.StringValue("Llama 3 8B Instruct")},
		// The cpu profile holds no GPU: null, not "".
		{Alias: types.StringValue("nomic-embed-text"), HuggingfaceID: types.StringValue("nomic-ai/nomic-embed-text-v1.5"),
			Engine: types.StringValue("ollama"), ResourceProfile: types.StringValue("cpu"), GPUTier: types.StringNull(),
			ContextLength: types.Int64Value(8192), TokenMultiplier: types.Float64Value(0.05), Kind: types.StringValue("embedding"),
			Description: types.StringValue("Nomic on CPU")},
	}
	if len(got.Models) != len(want) {
		t.Fatalf("got %d models, want %d", len(got.Models), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got.Models[i], want[i])
	}
	if empty := modelCatalogueFromAPI(nil); empty.Models == nil || len(empty.Models) != 0 {
		t.Fatalf("an empty catalogue must map to an empty list, got %#v", empty.Models)
	}
}

func TestModelCatalogueModelFitsSchema(t *testing.T) {
	ctx := context.Background()
	var resp datasource.SchemaResponse
	NewModelCatalogueDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	model := modelCatalogueFromAPI([]gen.CatalogueModelFields{{Alias: "mistral-7b", Engine: "vllm", ContextLength: 32768, TokenMultiplier: 0.8}})
	if diags := state.Set(ctx, model); diags.HasError() {
		t.Fatal(diags)
	}
	var back modelCatalogueModel
	if diags := state.Get(ctx, &back); diags.HasError() {
		t.Fatal(diags)
	}
	if len(back.Models) != 1 {
		t.Fatalf("round trip through the schema changed the model: %+v", back)
	}
	assertSameAttrs(t, back.Models[0], model.Models[0])
}
