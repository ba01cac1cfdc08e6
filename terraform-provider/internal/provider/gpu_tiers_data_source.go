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

var _ datasource.DataSourceWithConfigure = (*gpuTiersDataSource)(nil)

// NewGPUTiersDataSource is data.icgpu_gpu_tiers: the GPU tier catalogue with prices, isolation,
// memory and the cluster's live capacity.
func NewGPUTiersDataSource() datasource.DataSource { return &gpuTiersDataSource{} }

type gpuTiersDataSource struct {
	client *client.Client
}

type gpuTiersModel struct {
	Tiers []gpuTierModel `tfsdk:"tiers"`
}

type gpuTierModel struct {
	ID                types.String  `tfsdk:"id"`
	Name              types.String  `tfsdk:"name"`
	Isolation         types.String  `tfsdk:"isolation"`
	Description       types.String  `tfsdk:"description"`
	GPUMemoryGB       types.Int64   `tfsdk:"gpu_memory_gb"`
	PricePerHour      types.Float64 `tfsdk:"price_per_hour"`
	BatchPricePerHour types.Float64 `tfsdk:"batch_price_per_hour"`
	Capacity          types.Int64   `tfsdk:"capacity"`
	Available         types.Int64   `tfsdk:"available"`
}

func (d *gpuTiersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gpu_tiers"
}

func (d *gpuTiersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Every GPU tier the platform offers, with prices, isolation, memory and the cluster's live capacity.",
		Attributes: map[string]schema.Attribute{
			"tiers": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The tiers, in the API's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                   schema.StringAttribute{Computed: true, Description: "The tier's id, as icgpu_instance.tier takes it (dedicated, mig, timesliced)."},
					"name":                 schema.StringAttribute{Computed: true, Description: "Display name."},
					"isolation":            schema.StringAttribute{Computed: true, Description: "How the GPU is isolated: full, hardware or none."},
					"description":          schema.StringAttribute{Computed: true, Description: "What the tier is."},
					"gpu_memory_gb":        schema.Int64Attribute{Computed: true, Description: "GPU memory in GB."},
					"price_per_hour":       schema.Float64Attribute{Computed: true, Description: "Price per hour of interactive work."},
					"batch_price_per_hour": schema.Float64Attribute{Computed: true, Description: "Price per hour of batch (preemptible) work."},
					"capacity":             schema.Int64Attribute{Computed: true, Description: "Slots of this tier in the cluster; null when the cluster does not say."},
					"available":            schema.Int64Attribute{Computed: true, Description: "Slots free now; null when the cluster does not say."},
				}},
			},
		},
	}
}

func (d *gpuTiersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *gpuTiersDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	var tiers []gen.GpuTierFields
	err := d.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.ListGpuTiers(ctx, gql)
		if err == nil {
			tiers = make([]gen.GpuTierFields, 0, len(out.GpuTiers))
			for _, t := range out.GpuTiers {
				tiers = append(tiers, t.GpuTierFields)
			}
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_gpu_tiers", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, gpuTiersFromAPI(tiers))...)
}

// gpuTiersFromAPI maps the API's tiers to the model; capacity and available stay null when the
// cluster does not report them.
func gpuTiersFromAPI(tiers []gen.GpuTierFields) gpuTiersModel {
	m := gpuTiersModel{Tiers: make([]gpuTierModel, 0, len(tiers))}
	for _, t := range tiers {
		m.Tiers = append(m.Tiers, gpuTierModel{
			ID:                types.StringValue(t.Id),
			Name:              types.StringValue(t.Name),
			Isolation:         types.StringValue(t.Isolation),
			Description:       types.StringValue(t.Description),
			GPUMemoryGB:       types.Int64Value(int64(t.GpuMemoryGb)),
			PricePerHour:      types.Float64Value(t.PricePerHour),
			BatchPricePerHour: types.Float64Value(t.BatchPricePerHour),
			Capacity:          int64OrNull(t.Capacity),
			Available:         int64OrNull(t.Available),
		})
	}
	return m
}
