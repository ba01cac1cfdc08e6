package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// NewModelCatalogueDataSource is data.icgpu_model_catalogue: the platform's pre-tested models,
// callable on /v1 by alias.
func NewModelCatalogueDataSource() datasource.DataSource { return modelCatalogue().dataSource() }

type catalogueModelModel struct {
	Alias           types.String  `tfsdk:"alias"`
	HuggingfaceID   types.String  `tfsdk:"huggingface_id"`
	Engine          types.String  `tfsdk:"engine"`
	ResourceProfile types.String  `tfsdk:"resource_profile"`
	GPUTier         types.String  `tfsdk:"gpu_tier"`
	ContextLength   types.Int64   `tfsdk:"context_length"`
	TokenMultiplier types.Float64 `tfsdk:"token_multiplier"`
	Kind            types.String  `tfsdk:"kind"`
	Description     types.String  `tfsdk:"description"`
}

func modelCatalogue() catalogue[gen.CatalogueModelFields, catalogueModelModel] {
	return catalogue[gen.CatalogueModelFields, catalogueModelModel]{
		name:            "model_catalogue",
		description:     "The platform's pre-tested models, callable on /v1 by alias (needs the models scope with read).",
		list:            "models",
		listDescription: "The catalogue's models, in the API's order.",
		item: map[string]schema.Attribute{
			"alias":            schema.StringAttribute{Computed: true, Description: "The model name /v1 calls use (e.g. llama-3-8b); no deployment may take it as its name."},
			"huggingface_id":   schema.StringAttribute{Computed: true, Description: "The Hugging Face id served."},
			"engine":           schema.StringAttribute{Computed: true, Description: "The engine: vllm, sglang or ollama."},
			"resource_profile": schema.StringAttribute{Computed: true, Description: "Where its replicas run (as icgpu_model_deployment.resource_profile)."},
			"gpu_tier":         schema.StringAttribute{Computed: true, Description: "The GPU tier of each replica's slot; null for the cpu profile."},
			"context_length":   schema.Int64Attribute{Computed: true, Description: "The context window, in tokens."},
			"token_multiplier": schema.Float64Attribute{Computed: true, Description: "A call costs (prompt + completion tokens) x this."},
			"kind":             schema.StringAttribute{Computed: true, Description: "chat or embedding."},
			"description":      schema.StringAttribute{Computed: true, Description: "What the model is."},
		},
		fetch: func(ctx context.Context, gql graphql.Client) ([]gen.CatalogueModelFields, error) {
			out, err := gen.ModelCatalogue(ctx, gql)
			if err != nil {
				return nil, err
			}
			return mapSlice(out.ModelCatalogue, func(m gen.ModelCatalogueModelCatalogueCatalogueModel) gen.CatalogueModelFields {
				return m.CatalogueModelFields
			}), nil
		},
		fromAPI: catalogueModelFromAPI,
	}
}

// catalogueModelFromAPI maps one of the catalogue's models to its model; gpu_tier stays null for
// a model on the cpu profile.
func catalogueModelFromAPI(c gen.CatalogueModelFields) catalogueModelModel {
	return catalogueModelModel{
		Alias:           types.StringValue(c.Alias),
		HuggingfaceID:   types.StringValue(c.HuggingfaceId),
		Engine:          types.StringValue(c.Engine),
		ResourceProfile: types.StringValue(c.ResourceProfile),
		GPUTier:         stringOrNull(c.GpuTier),
		ContextLength:   types.Int64Value(int64(c.ContextLength)),
		TokenMultiplier: types.Float64Value(c.TokenMultiplier),
		Kind:            types.StringValue(c.Kind),
		Description:     types.StringValue(c.Description),
	}
}
