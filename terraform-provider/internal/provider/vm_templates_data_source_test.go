package provider

import (
	"testing"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestVMTemplatesFromAPI(t *testing.T) {
	tier := "dedicated"
	m := vmTemplatesCatalogue().models([]gen.VmTemplateFields{
		{Id: "tpl-ubuntu-gpu", Name: "GPU", Description: "d", Os: "ubuntu-22.04", Gpu: true, GpuTier: &tier,
			DefaultCpu: 8, MaxCpu: 32, DefaultMemoryGb: 32, MaxMemoryGb: 256, DefaultDiskGb: 100, MinDiskGb: 30, MaxDiskGb: 2000},
		{Id: "tpl-ubuntu-cpu", Os: "ubuntu-22.04", DefaultCpu: 2, MaxCpu: 16, MinDiskGb: 10},
	})
	if len(m) != 2 {
		t.Fatalf("%d templates", len(m))
	}
	g, c := m[0], m[1]
	if g.ID.ValueString() != "tpl-ubuntu-gpu" || !g.GPU.ValueBool() || g.GPUTier.ValueString() != "dedicated" ||
		g.DefaultCPU.ValueInt64() != 8 || g.MaxCPU.ValueInt64() != 32 || g.DefaultMemoryGB.ValueInt64() != 32 ||
		g.MaxMemoryGB.ValueInt64() != 256 || g.DefaultDiskGB.ValueInt64() != 100 || g.MinDiskGB.ValueInt64() != 30 ||
		g.MaxDiskGB.ValueInt64() != 2000 || g.OS.ValueString() != "ubuntu-22.04" {
		t.Errorf("GPU template = %+v", g)
	}
	if c.GPU.ValueBool() || !c.GPUTier.IsNull() || c.MaxCPU.ValueInt64() != 16 || c.MinDiskGB.ValueInt64() != 10 {
		t.Errorf("CPU template = %+v", c)
	}
	if _, ok := findTemplate([]gen.VmTemplateFields{{Id: "a"}}, "b"); ok {
		t.Error("findTemplate found an absent id")
	}
}
