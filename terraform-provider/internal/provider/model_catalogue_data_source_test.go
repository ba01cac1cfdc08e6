package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestModelCatalogueFromAPI(t *testing.T) {
	tier := "dedicated"
	got := modelCatalogue().models([]gen.CatalogueModelFields{
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
	if len(got) != len(want) {
		t.Fatalf("got %d models, want %d", len(got), len(want))
	}
	for i := range want {
		assertSameAttrs(t, got[i], want[i])
	}
}
