package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// The desired power states a configuration may ask for, and the two a refresh may add.
const (
	stateRunning   = "running"
	stateStopped   = "stopped"
	statePreempted = "preempted" // read only: planned back to "running" in place (requeue)
	stateError     = "error"     // read only: planned as a replacement
	stateGone      = "terminated"
)

// instanceModel is icgpu_instance as Terraform sees it.
type instanceModel struct {
	ID           types.String   `tfsdk:"id"`
	Name         types.String   `tfsdk:"name"`
	Tier         types.String   `tfsdk:"tier"`
	SSHKey       types.String   `tfsdk:"ssh_key"`
	SSHKeyGroup  types.String   `tfsdk:"ssh_key_group"`
	StorageGB    types.Int64    `tfsdk:"storage_gb"`
	WorkloadType types.String   `tfsdk:"workload_type"`
	TeamID       types.String   `tfsdk:"team_id"`
	State        types.String   `tfsdk:"state"`
	Status       types.String   `tfsdk:"status"`
	StatusReason types.String   `tfsdk:"status_reason"`
	SSHHost      types.String   `tfsdk:"ssh_host"`
	SSHPort      types.Int64    `tfsdk:"ssh_port"`
	HourlyPrice  types.Float64  `tfsdk:"hourly_price"`
	CreatedAt    types.String   `tfsdk:"created_at"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

// stateFromStatus is the power state an API status stands for: an instance on its way up counts
// as running, one on its way down as stopped; preempted and error are reported as they are (the
// plan then requeues or replaces it); terminated means the instance is gone.
func stateFromStatus(s gen.InstanceStatus) string {
	switch s {
	case gen.InstanceStatusPending, gen.InstanceStatusProvisioning, gen.InstanceStatusRunning:
		return stateRunning
	case gen.InstanceStatusStopping, gen.InstanceStatusStopped:
		return stateStopped
	case gen.InstanceStatusPreempted:
		return statePreempted
	case gen.InstanceStatusError:
		return stateError
	default:
		return stateGone
	}
}

// statusText is the API status in lower case, as the REST API and the docs spell it.
func statusText(s gen.InstanceStatus) string { return strings.ToLower(string(s)) }

// workloadTypeOf is the API's enum value for the Terraform value ("batch" -> BATCH).
func workloadTypeOf(v types.String) gen.WorkloadType {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return gen.WorkloadTypeInteractive
	}
	return gen.WorkloadType(strings.ToUpper(v.ValueString()))
}

// createInput is the API's CreateInstanceInput for a plan.
func createInput(plan instanceModel) gen.CreateInstanceInput {
	storage := 50
	if !plan.StorageGB.IsNull() && !plan.StorageGB.IsUnknown() {
		storage = int(plan.StorageGB.ValueInt64())
	}
	return gen.CreateInstanceInput{
		Name:         plan.Name.ValueString(),
		Tier:         plan.Tier.ValueString(),
		SshKey:       optionalString(plan.SSHKey),
		StorageGb:    storage,
		WorkloadType: workloadTypeOf(plan.WorkloadType),
		SshKeyGroup:  optionalString(plan.SSHKeyGroup),
		TeamId:       optionalString(plan.TeamID),
	}
}

// sameKeyLine reports whether two public key lines are the same key with the same comment once
// whitespace is normalised, as the API stores them (trimmed, single spaces).
func sameKeyLine(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// instanceFromAPI maps the API's instance to the model. prior is the plan or state it refreshes:
// its ssh_key is kept when it is the API's line up to whitespace (a file() with its newline), so
// the plan shows no change, and its timeouts block (which only Terraform knows) is carried over.
func instanceFromAPI(i gen.InstanceFields, prior instanceModel) instanceModel {
	key := stringOrNull(i.SshKey)
	if i.SshKey != nil && !prior.SSHKey.IsNull() && !prior.SSHKey.IsUnknown() && sameKeyLine(prior.SSHKey.ValueString(), *i.SshKey) {
		key = prior.SSHKey
	}
	return instanceModel{
		ID:           types.StringValue(i.Id),
		Name:         types.StringValue(i.Name),
		Tier:         types.StringValue(i.Tier),
		SSHKey:       key,
		SSHKeyGroup:  stringOrNull(i.SshKeyGroup),
		StorageGB:    types.Int64Value(int64(i.StorageGb)),
		WorkloadType: types.StringValue(strings.ToLower(string(i.WorkloadType))),
		TeamID:       stringOrNull(i.TeamId),
		State:        types.StringValue(stateFromStatus(i.Status)),
		Status:       types.StringValue(statusText(i.Status)),
		StatusReason: stringOrNull(i.StatusReason),
		SSHHost:      stringOrNull(i.SshHost),
		SSHPort:      int64OrNull(i.SshPort),
		HourlyPrice:  types.Float64Value(i.HourlyPrice),
		CreatedAt:    timeValue(i.CreatedAt),
		Timeouts:     prior.Timeouts,
	}
}
