package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// vmModel is icgpu_vm as Terraform sees it.
type vmModel struct {
	ID                   types.String   `tfsdk:"id"`
	Name                 types.String   `tfsdk:"name"`
	TemplateID           types.String   `tfsdk:"template_id"`
	CPU                  types.Int64    `tfsdk:"cpu"`
	MemoryGB             types.Int64    `tfsdk:"memory_gb"`
	DiskGB               types.Int64    `tfsdk:"disk_gb"`
	GPUTier              types.String   `tfsdk:"gpu_tier"`
	SSHKey               types.String   `tfsdk:"ssh_key"`
	SSHKeyGroup          types.String   `tfsdk:"ssh_key_group"`
	TeamID               types.String   `tfsdk:"team_id"`
	AutoStopAfterMinutes types.Int64    `tfsdk:"auto_stop_after_minutes"`
	State                types.String   `tfsdk:"state"`
	Status               types.String   `tfsdk:"status"`
	StatusReason         types.String   `tfsdk:"status_reason"`
	SSHHost              types.String   `tfsdk:"ssh_host"`
	SSHPort              types.Int64    `tfsdk:"ssh_port"`
	AutoStopAt           types.String   `tfsdk:"auto_stop_at"`
	CreatedAt            types.String   `tfsdk:"created_at"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// vmStatusText is the API status in lower case, as the REST API and the docs spell it.
func vmStatusText(s gen.VmStatus) string { return strings.ToLower(string(s)) }

// vmStateFromStatus is the power state a VM status stands for: on its way up (or rebooting) it
// counts as running, on its way down as stopped; error is reported as it is (the plan then starts
// it again in place); terminated means the VM is gone.
func vmStateFromStatus(s gen.VmStatus) string {
	switch s {
	case gen.VmStatusPending, gen.VmStatusProvisioning, gen.VmStatusRunning, gen.VmStatusRebooting:
		return stateRunning
	case gen.VmStatusStopping, gen.VmStatusStopped:
		return stateStopped
	case gen.VmStatusError:
		return stateError
	default:
		return stateGone
	}
}

// int64Ptr is nil for a null or unknown number, else a pointer to it as an int.
func int64Ptr(v types.Int64) *int {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	i := int(v.ValueInt64())
	return &i
}

// vmCreateInput is the API's CreateVmInput for a plan: sizes and tier the plan leaves unknown are
// left to the API (the template's defaults).
func vmCreateInput(plan vmModel) gen.CreateVmInput {
	return gen.CreateVmInput{
		Name:                 plan.Name.ValueString(),
		TemplateId:           plan.TemplateID.ValueString(),
		Cpu:                  int64Ptr(plan.CPU),
		MemoryGb:             int64Ptr(plan.MemoryGB),
		DiskGb:               int64Ptr(plan.DiskGB),
		SshKey:               optionalString(plan.SSHKey),
		SshKeyGroup:          optionalString(plan.SSHKeyGroup),
		GpuTier:              optionalString(plan.GPUTier),
		TeamId:               optionalString(plan.TeamID),
		AutoStopAfterMinutes: int64Ptr(plan.AutoStopAfterMinutes),
	}
}

// vmFromAPI maps the API's VM to the model. prior is the plan or state it refreshes: its ssh_key
// is kept when it is the API's line up to whitespace (a file() with its newline), so the plan
// shows no change, and its timeouts block (which only Terraform knows) is carried over.
func vmFromAPI(v gen.VmFields, prior vmModel) vmModel {
	key := stringOrNull(v.SshKey)
	if v.SshKey != nil && !prior.SSHKey.IsNull() && !prior.SSHKey.IsUnknown() && sameKeyLine(prior.SSHKey.ValueString(), *v.SshKey) {
		key = prior.SSHKey
	}
	return vmModel{
		ID:                   types.StringValue(v.Id),
		Name:                 types.StringValue(v.Name),
		TemplateID:           types.StringValue(v.TemplateId),
		CPU:                  types.Int64Value(int64(v.Cpu)),
		MemoryGB:             types.Int64Value(int64(v.MemoryGb)),
		DiskGB:               types.Int64Value(int64(v.DiskGb)),
		GPUTier:              stringOrNull(v.GpuTier),
		SSHKey:               key,
		SSHKeyGroup:          stringOrNull(v.SshKeyGroup),
		TeamID:               stringOrNull(v.TeamId),
		AutoStopAfterMinutes: int64OrNull(v.AutoStopAfterMinutes),
		State:                types.StringValue(vmStateFromStatus(v.Status)),
		Status:               types.StringValue(vmStatusText(v.Status)),
		StatusReason:         stringOrNull(v.StatusReason),
		SSHHost:              stringOrNull(v.SshHost),
		SSHPort:              int64OrNull(v.SshPort),
		AutoStopAt:           timeOrNull(v.AutoStopAt),
		CreatedAt:            timeValue(v.CreatedAt),
		Timeouts:             prior.Timeouts,
	}
}
