package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// NewGPUTiersDataSource is data.icgpu_gpu_tiers: the GPU tier catalogue with prices, isolation,
// memory and the cluster's live capacity.
func NewGPUTiersDataSource() datasource.DataSource { return gpuTiersCatalogue().dataSource() }

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

func gpuTiersCatalogue() catalogue[gen.GpuTierFields, gpuTierModel] {
	return catalogue[gen.GpuTierFields, gpuTierModel]{
		name:            "gpu_tiers",
		description:     "Every GPU tier the platform offers, with prices, isolation, memory and the cluster's live capacity.",
		list:            "tiers",
		listDescription: "The tiers, in the API's order.",
		item: map[string]schema.Attribute{
			"id":                   schema.StringAttribute{Computed: true, Description: "The tier's id, as icgpu_instance.tier takes it (dedicated, mig, timesliced)."},
			"name":                 schema.StringAttribute{Computed: true, Description: "Display name."},
			"isolation":            schema.StringAttribute{Computed: true, Description: "How the GPU is isolated: full, hardware or none."},
			"description":          schema.StringAttribute{Computed: true, Description: "What the tier is."},
			"gpu_memory_gb":        schema.Int64Attribute{Computed: true, Description: "GPU memory in GB."},
			"price_per_hour":       schema.Float64Attribute{Computed: true, Description: "Price per hour of interactive work."},
			"batch_price_per_hour": schema.Float64Attribute{Computed: true, Description: "Price per hour of batch (preemptible) work."},
			"capacity":             schema.Int64Attribute{Computed: true, Description: "Slots of this tier in the cluster; null when the cluster does not say."},
			"available":            schema.Int64Attribute{Computed: true, Description: "Slots free now; null when the cluster does not say."},
		},
		fetch: func(ctx context.Context, gql graphql.Client) ([]gen.GpuTierFields, error) {
			out, err := gen.ListGpuTiers(ctx, gql)
			if err != nil {
				return nil, err
			}
			return mapSlice(out.GpuTiers, func(t gen.ListGpuTiersGpuTiersGpuTier) gen.GpuTierFields { return t.GpuTierFields }), nil
		},
		fromAPI: gpuTierFromAPI,
	}
}

// gpuTierFromAPI maps one of the API's tiers to its model; capacity and available stay null when
// the cluster does not report them.
func gpuTierFromAPI(t gen.GpuTierFields) gpuTierModel {
	return gpuTierModel{
		ID:                types.StringValue(t.Id),
		Name:              types.StringValue(t.Name),
		Isolation:         types.StringValue(t.Isolation),
		Description:       types.StringValue(t.Description),
		GPUMemoryGB:       types.Int64Value(int64(t.GpuMemoryGb)),
		PricePerHour:      types.Float64Value(t.PricePerHour),
		BatchPricePerHour: types.Float64Value(t.BatchPricePerHour),
		Capacity:          int64OrNull(t.Capacity),
		Available:         int64OrNull(t.Available),
	}
}
