package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestVMFromAPI(t *testing.T) {
	created := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("X", 3600))
	stopAt := created.Add(time.Hour)
	key, group, host, port, minutes := "ssh-ed25519 AAAA me@host", "grp-1", "10.0.0.5", 2222, 60
	v := gen.VmFields{Id: "vm-1", Name: "box", TemplateId: "tpl-ubuntu-cpu", Cpu: 2, MemoryGb: 4, DiskGb: 20,
		SshKey: &key, SshKeyGroup: &group, Status: gen.VmStatusRebooting, SshHost: &host, SshPort: &port,
		AutoStopAfterMinutes: &minutes, AutoStopAt: &stopAt, CreatedAt: created}
	prior := vmModel{SSHKey: types.StringValue("ssh-ed25519  AAAA me@host\n")}
	m := vmFromAPI(v, prior)
	checks := map[string][2]any{
		"id":            {m.ID.ValueString(), "vm-1"},
		"template_id":   {m.TemplateID.ValueString(), "tpl-ubuntu-cpu"},
		"cpu":           {m.CPU.ValueInt64(), int64(2)},
		"memory_gb":     {m.MemoryGB.ValueInt64(), int64(4)},
		"disk_gb":       {m.DiskGB.ValueInt64(), int64(20)},
		"gpu_tier null": {m.GPUTier.IsNull(), true},
		"team_id null":  {m.TeamID.IsNull(), true},
		"ssh_key kept":  {m.SSHKey.ValueString(), "ssh-ed25519  AAAA me@host\n"},
		"ssh_key_group": {m.SSHKeyGroup.ValueString(), "grp-1"},
		"state":         {m.State.ValueString(), "running"},
		"status":        {m.Status.ValueString(), "rebooting"},
		"ssh_host":      {m.SSHHost.ValueString(), "10.0.0.5"},
		"ssh_port":      {m.SSHPort.ValueInt64(), int64(2222)},
		"auto_stop":     {m.AutoStopAfterMinutes.ValueInt64(), int64(60)},
		"auto_stop_at":  {m.AutoStopAt.ValueString(), "2026-11-27T10:00:00Z"},
		"created_at":    {m.CreatedAt.ValueString(), "2026-11-27T09:00:00Z"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
	// Another key line than the prior one: the API's.
	other := vmFromAPI(v, vmModel{SSHKey: types.StringValue("ssh-ed25519 BBBB me@host")})
	if other.SSHKey.ValueString() != key {
		t.Errorf("ssh_key = %q, want the API's %q", other.SSHKey.ValueString(), key)
	}
}

func TestVMStateFromStatus(t *testing.T) {
	want := map[gen.VmStatus]string{
		gen.VmStatusPending: "running", gen.VmStatusProvisioning: "running", gen.VmStatusRunning: "running",
		gen.VmStatusRebooting: "running", gen.VmStatusStopping: "stopped", gen.VmStatusStopped: "stopped",
		gen.VmStatusError: "error", gen.VmStatusTerminated: "terminated",
	}
	for _, s := range gen.AllVmStatus {
		if got := vmStateFromStatus(s); got != want[s] {
			t.Errorf("vmStateFromStatus(%s) = %q, want %q", s, got, want[s])
		}
	}
}

func TestVMCreateInput(t *testing.T) {
	plan := vmModel{Name: types.StringValue("box"), TemplateID: types.StringValue("tpl-ubuntu-gpu"),
		CPU: types.Int64Value(8), MemoryGB: types.Int64Unknown(), DiskGB: types.Int64Null(),
		GPUTier: types.StringValue("mig"), SSHKey: types.StringNull(), SSHKeyGroup: types.StringValue("grp-1"),
		TeamID: types.StringUnknown(), AutoStopAfterMinutes: types.Int64Value(30)}
	in := vmCreateInput(plan)
	if in.Name != "box" || in.TemplateId != "tpl-ubuntu-gpu" || in.Cpu == nil || *in.Cpu != 8 || in.MemoryGb != nil ||
		in.DiskGb != nil || in.GpuTier == nil || *in.GpuTier != "mig" || in.SshKey != nil || *in.SshKeyGroup != "grp-1" ||
		in.TeamId != nil || *in.AutoStopAfterMinutes != 30 {
		t.Errorf("vmCreateInput = %+v", in)
	}
}
