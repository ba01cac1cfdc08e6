package acceptance

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

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

// checkVMTemplatesMatchAPI compares every template in state with ListVmTemplates.
func checkVMTemplatesMatchAPI(tn *acctest.Tenant) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var templates []gen.VmTemplateFields
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.ListVmTemplates(ctx, gql)
			for _, t := range out.GetVmTemplates() {
				templates = append(templates, t.VmTemplateFields)
			}
			return err
		}); err != nil {
			return err
		}
		a := s.RootModule().Resources[vmTemplatesData].Primary.Attributes
		if got := a["templates.#"]; got != strconv.Itoa(len(templates)) || len(templates) < 3 {
			return fmt.Errorf("state has %s templates, the API %d (want at least 3)", got, len(templates))
		}
		for i, tpl := range templates {
			tier := ""
			if tpl.GpuTier != nil {
				tier = *tpl.GpuTier
			}
			want := map[string]any{
				"id": tpl.Id, "name": tpl.Name, "description": tpl.Description, "os": tpl.Os, "gpu": tpl.Gpu, "gpu_tier": tier,
				"default_cpu": tpl.DefaultCpu, "max_cpu": tpl.MaxCpu, "default_memory_gb": tpl.DefaultMemoryGb,
				"max_memory_gb": tpl.MaxMemoryGb, "default_disk_gb": tpl.DefaultDiskGb, "min_disk_gb": tpl.MinDiskGb,
				"max_disk_gb": tpl.MaxDiskGb,
			}
			for attr, w := range want {
				if err := wantAPI(fmt.Sprintf("templates.%d.%s in state", i, attr), a[fmt.Sprintf("templates.%d.%s", i, attr)], w); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
