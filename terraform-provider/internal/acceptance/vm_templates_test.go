package acceptance

import (
	"context"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const vmTemplatesData = "data.icgpu_vm_templates.all"

// TestVMTemplatesDataSource: every template in state is the API's, attribute by attribute, in
// the API's order, with the documented GPU and CPU-only templates among them.
func TestVMTemplatesDataSource(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderBlock() + `data "icgpu_vm_templates" "all" {}` + "\n",
			Check: resource.ComposeAggregateTestCheckFunc(
				checkVMTemplatesMatchAPI(tn),
				resource.TestCheckTypeSetElemNestedAttrs(vmTemplatesData, "templates.*", map[string]string{
					"id": "tpl-ubuntu-gpu", "gpu": "true", "gpu_tier": "dedicated",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(vmTemplatesData, "templates.*", map[string]string{
					"id": "tpl-ubuntu-cpu", "gpu": "false",
				}),
			),
		}},
	})
}

// checkVMTemplatesMatchAPI compares every template in state, attribute by attribute, with
// ListVmTemplates (at least 3 of them).
func checkVMTemplatesMatchAPI(tn *acctest.Tenant) resource.TestCheckFunc {
	return checkListMatchesAPI(tn, vmTemplatesData, "templates", 3, apiVMTemplates, func(t gen.VmTemplateFields) map[string]any {
		return map[string]any{
			"id": t.Id, "name": t.Name, "description": t.Description, "os": t.Os, "gpu": t.Gpu, "gpu_tier": orEmpty(t.GpuTier),
			"default_cpu": t.DefaultCpu, "max_cpu": t.MaxCpu, "default_memory_gb": t.DefaultMemoryGb,
			"max_memory_gb": t.MaxMemoryGb, "default_disk_gb": t.DefaultDiskGb, "min_disk_gb": t.MinDiskGb,
			"max_disk_gb": t.MaxDiskGb,
		}
	})
}

func apiVMTemplates(ctx context.Context, gql graphql.Client) ([]gen.VmTemplateFields, error) {
	out, err := gen.ListVmTemplates(ctx, gql)
	if err != nil {
		return nil, err
	}
	return fragments(out.VmTemplates, func(t gen.ListVmTemplatesVmTemplatesVmTemplate) gen.VmTemplateFields {
		return t.VmTemplateFields
	}), nil
}
