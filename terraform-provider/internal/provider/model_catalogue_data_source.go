package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var _ datasource.DataSourceWithConfigure = (*modelCatalogueDataSource)(nil)

// NewModelCatalogueDataSource is data.icgpu_model_catalogue: the platform's pre-tested models,
// callable on /v1 by alias.
func NewModelCatalogueDataSource() datasource.DataSource { return &modelCatalogueDataSource{} }

type modelCatalogueDataSource struct {
	client *client.Client
}

type modelCatalogueModel struct {
	Models []catalogueModelModel `tfsdk:"models"`
}

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

func (d *modelCatalogueDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_catalogue"
}

func (d *modelCatalogueDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "The platform's pre-tested models, callable on /v1 by alias (needs the models scope with read).",
		Attributes: map[string]schema.Attribute{
			"models": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The catalogue's models, in the API's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"alias":            schema.StringAttribute{Computed: true, Description: "The model name /v1 calls use (e.g. llama-3-8b); no deployment may take it as its name."},
					"huggingface_id":   schema.StringAttribute{Computed: true, Description: "The Hugging Face id served."},
					"engine":           schema.StringAttribute{Computed: true, Description: "The engine: vllm, sglang or ollama."},
					"resource_profile": schema.StringAttribute{Computed: true, Description: "Where its replicas run (as icgpu_model_deployment.resource_profile)."},
					"gpu_tier":         schema.StringAttribute{Computed: true, Description: "The GPU tier of each replica's slot; null for the cpu profile."},
					"context_length":   schema.Int64Attribute{Computed: true, Description: "The context window, in tokens."},
					"token_multiplier": schema.Float64Attribute{Computed: true, Description: "A call costs (prompt + completion tokens) x this."},
					"kind":             schema.StringAttribute{Computed: true, Description: "chat or embedding."},
					"description":      schema.StringAttribute{Computed: true, Description: "What the model is."},
				}},
			},
		},
	}
}

func (d *modelCatalogueDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *modelCatalogueDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	var models []gen.CatalogueModelFields
	err := d.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.ModelCatalogue(ctx, gql)
		if err == nil {
			models = make([]gen.CatalogueModelFields, 0, len(out.ModelCatalogue))
			for _, m := range out.ModelCatalogue {
				models = append(models, m.CatalogueModelFields)
			}
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_model_catalogue", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, modelCatalogueFromAPI(models))...)
}

// modelCatalogueFromAPI maps the API's catalogue to the model, in the API's order; gpu_tier stays
// null for a model on the cpu profile.
func modelCatalogueFromAPI(models []gen.CatalogueModelFields) modelCatalogueModel {
	m := modelCatalogueModel{Models: make([]catalogueModelModel, 0, len(models))}
	for _, c := range models {
		m.Models = append(m.Models, catalogueModelModel{
			Alias:           types.StringValue(c.Alias),
			HuggingfaceID:   types.StringValue(c.HuggingfaceId),
			Engine:          types.StringValue(c.Engine),
			ResourceProfile: types.StringValue(c.ResourceProfile),
			GPUTier:         stringOrNull(c.GpuTier),
			ContextLength:   types.Int64Value(int64(c.ContextLength)),
			TokenMultiplier: types.Float64Value(c.TokenMultiplier),
			Kind:            types.StringValue(c.Kind),
			Description:     types.StringValue(c.Description),
		})
	}
	return m
}
