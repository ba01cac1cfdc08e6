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

// NewVMTemplatesDataSource is data.icgpu_vm_templates: the VM template catalogue with each
// template's defaults and maxima.
func NewVMTemplatesDataSource() datasource.DataSource { return vmTemplatesCatalogue().dataSource() }

type vmTemplateModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Description     types.String `tfsdk:"description"`
	OS              types.String `tfsdk:"os"`
	GPU             types.Bool   `tfsdk:"gpu"`
	GPUTier         types.String `tfsdk:"gpu_tier"`
	DefaultCPU      types.Int64  `tfsdk:"default_cpu"`
	MaxCPU          types.Int64  `tfsdk:"max_cpu"`
	DefaultMemoryGB types.Int64  `tfsdk:"default_memory_gb"`
	MaxMemoryGB     types.Int64  `tfsdk:"max_memory_gb"`
	DefaultDiskGB   types.Int64  `tfsdk:"default_disk_gb"`
	MinDiskGB       types.Int64  `tfsdk:"min_disk_gb"`
	MaxDiskGB       types.Int64  `tfsdk:"max_disk_gb"`
}

func vmTemplatesCatalogue() catalogue[gen.VmTemplateFields, vmTemplateModel] {
	n := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, Description: desc}
	}
	return catalogue[gen.VmTemplateFields, vmTemplateModel]{
		name:            "vm_templates",
		description:     "Every VM template the platform offers, with its default and maximum sizes.",
		list:            "templates",
		listDescription: "The templates, in the API's order.",
		item: map[string]schema.Attribute{
			"id":                schema.StringAttribute{Computed: true, Description: "The template's id, as icgpu_vm.template_id takes it (tpl-...)."},
			"name":              schema.StringAttribute{Computed: true, Description: "Display name."},
			"description":       schema.StringAttribute{Computed: true, Description: "What the template is."},
			"os":                schema.StringAttribute{Computed: true, Description: "The operating system it boots, e.g. ubuntu-22.04."},
			"gpu":               schema.BoolAttribute{Computed: true, Description: "Whether VMs made from it have a GPU."},
			"gpu_tier":          schema.StringAttribute{Computed: true, Description: "The default GPU tier; null for a CPU-only template."},
			"default_cpu":       n("Virtual CPUs when icgpu_vm.cpu is omitted."),
			"max_cpu":           n("The most virtual CPUs a VM of it may have."),
			"default_memory_gb": n("Memory in GB when icgpu_vm.memory_gb is omitted."),
			"max_memory_gb":     n("The most memory in GB."),
			"default_disk_gb":   n("Boot disk in GB when icgpu_vm.disk_gb is omitted."),
			"min_disk_gb":       n("The smallest boot disk in GB (the image's size)."),
			"max_disk_gb":       n("The largest boot disk in GB."),
		},
		fetch: func(ctx context.Context, gql graphql.Client) ([]gen.VmTemplateFields, error) {
			out, err := gen.ListVmTemplates(ctx, gql)
			if err != nil {
				return nil, err
			}
			return mapSlice(out.VmTemplates, func(t gen.ListVmTemplatesVmTemplatesVmTemplate) gen.VmTemplateFields {
				return t.VmTemplateFields
			}), nil
		},
		fromAPI: vmTemplateFromAPI,
	}
}

// listVMTemplates is the API's template catalogue (public: no scope needed).
func listVMTemplates(ctx context.Context, c *client.Client) ([]gen.VmTemplateFields, error) {
	return vmTemplatesCatalogue().read(ctx, c)
}

// findTemplate is the template with this id in the catalogue.
func findTemplate(templates []gen.VmTemplateFields, id string) (gen.VmTemplateFields, bool) {
	for _, t := range templates {
		if t.Id == id {
			return t, true
		}
	}
	return gen.VmTemplateFields{}, false
}

// vmTemplateFromAPI maps one of the API's templates to its model; gpu_tier stays null for a
// CPU-only one.
func vmTemplateFromAPI(t gen.VmTemplateFields) vmTemplateModel {
	return vmTemplateModel{
		ID:              types.StringValue(t.Id),
		Name:            types.StringValue(t.Name),
		Description:     types.StringValue(t.Description),
		OS:              types.StringValue(t.Os),
		GPU:             types.BoolValue(t.Gpu),
		GPUTier:         stringOrNull(t.GpuTier),
		DefaultCPU:      types.Int64Value(int64(t.DefaultCpu)),
		MaxCPU:          types.Int64Value(int64(t.MaxCpu)),
		DefaultMemoryGB: types.Int64Value(int64(t.DefaultMemoryGb)),
		MaxMemoryGB:     types.Int64Value(int64(t.MaxMemoryGb)),
		DefaultDiskGB:   types.Int64Value(int64(t.DefaultDiskGb)),
		MinDiskGB:       types.Int64Value(int64(t.MinDiskGb)),
		MaxDiskGB:       types.Int64Value(int64(t.MaxDiskGb)),
	}
}
