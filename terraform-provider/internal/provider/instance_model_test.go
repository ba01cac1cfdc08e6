package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func instPtr[T any](v T) *T { return &v }

func apiInstanceFixture() gen.InstanceFields {
	return gen.InstanceFields{
		Id:           "inst-abc123",
		Name:         "trainer",
		Tier:         "mig",
		WorkloadType: gen.WorkloadTypeBatch,
		StorageGb:    120,
		SshKey:       instPtr("ssh-ed25519 AAAAC3Nza me@host"),
		SshKeyGroup:  instPtr("grp-xyz"),
		TeamId:       nil,
		Status:       gen.InstanceStatusRunning,
		StatusReason: nil,
		SshHost:      instPtr("127.0.0.1"),
		SshPort:      instPtr(22003),
		HourlyPrice:  0.445,
		CreatedAt:    time.Date(2026, 11, 27, 10, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestInstanceFromAPIMapsEveryField(t *testing.T) {
	m := instanceFromAPI(apiInstanceFixture(), instanceModel{SSHKey: types.StringNull()})
	want := map[string]bool{
		"id": m.ID.ValueString() == "inst-abc123", "name": m.Name.ValueString() == "trainer",
		"tier": m.Tier.ValueString() == "mig", "ssh_key": m.SSHKey.ValueString() == "ssh-ed25519 AAAAC3Nza me@host",
		"ssh_key_group": m.SSHKeyGroup.ValueString() == "grp-xyz", "storage_gb": m.StorageGB.ValueInt64() == 120,
		"workload_type": m.WorkloadType.ValueString() == "batch", "team_id": m.TeamID.IsNull(),
		"state": m.State.ValueString() == "running", "status": m.Status.ValueString() == "running",
		"status_reason": m.StatusReason.IsNull(), "ssh_host": m.SSHHost.ValueString() == "127.0.0.1",
		"ssh_port": m.SSHPort.ValueInt64() == 22003, "hourly_price": m.HourlyPrice.ValueFloat64() == 0.445,
		"created_at": m.CreatedAt.ValueString() == "2026-11-27T09:30:00Z",
	}
	for attr, ok := range want {
		if !ok {
			t.Errorf("%s mapped wrongly: %+v", attr, m)
		}
	}
}

func TestInstanceFromAPINullsAndReason(t *testing.T) {
	api := apiInstanceFixture()
	api.SshKey, api.SshKeyGroup, api.SshHost, api.SshPort = nil, nil, nil, nil
	api.TeamId = instPtr("team-1")
	api.Status, api.StatusReason = gen.InstanceStatusError, instPtr("GPU fell off the bus")
	m := instanceFromAPI(api, instanceModel{SSHKey: types.StringValue("ssh-ed25519 AAAA other")})
	if !m.SSHKey.IsNull() || !m.SSHKeyGroup.IsNull() || !m.SSHHost.IsNull() || !m.SSHPort.IsNull() {
		t.Errorf("absent API values must be null: %+v", m)
	}
	if m.TeamID.ValueString() != "team-1" || m.State.ValueString() != "error" || m.Status.ValueString() != "error" ||
		m.StatusReason.ValueString() != "GPU fell off the bus" {
		t.Errorf("unexpected mapping: %+v", m)
	}
}

func TestInstanceFromAPIKeepsConfiguredKeyLine(t *testing.T) {
	api := apiInstanceFixture() // the API stores "ssh-ed25519 AAAAC3Nza me@host"
	for _, tc := range []struct {
		configured string
		keep       bool
	}{
		{"ssh-ed25519 AAAAC3Nza me@host\n", true},     // file() with its newline
		{"  ssh-ed25519  AAAAC3Nza   me@host ", true}, // whitespace only
		{"ssh-ed25519 AAAAC3Nza other@host", false},   // another comment: a real change
		{"ssh-ed25519 AAAAC3NzaXYZ me@host", false},   // another key
	} {
		m := instanceFromAPI(api, instanceModel{SSHKey: types.StringValue(tc.configured)})
		got := m.SSHKey.ValueString()
		if tc.keep && got != tc.configured {
			t.Errorf("%q: configured value not kept, got %q", tc.configured, got)
		}
		if !tc.keep && got != *api.SshKey {
			t.Errorf("%q: want the API's %q, got %q", tc.configured, *api.SshKey, got)
		}
	}
	// Import: nothing configured, the API's line.
	if m := instanceFromAPI(api, instanceModel{SSHKey: types.StringNull()}); m.SSHKey.ValueString() != *api.SshKey {
		t.Errorf("import: got %q", m.SSHKey.ValueString())
	}
}

func TestInstanceStateFromStatus(t *testing.T) {
	want := map[gen.InstanceStatus]string{
		gen.InstanceStatusPending:      "running",
		gen.InstanceStatusProvisioning: "running",
		gen.InstanceStatusRunning:      "running",
		gen.InstanceStatusStopping:     "stopped",
		gen.InstanceStatusStopped:      "stopped",
		gen.InstanceStatusPreempted:    "preempted",
		gen.InstanceStatusError:        "error",
		gen.InstanceStatusTerminated:   "terminated",
	}
	if len(want) != len(gen.AllInstanceStatus) {
		t.Fatalf("a status of the schema is not covered: %v", gen.AllInstanceStatus)
	}
	for status, state := range want {
		if got := stateFromStatus(status); got != state {
			t.Errorf("%s -> %q, want %q", status, got, state)
		}
		if got := statusText(status); got != strings.ToLower(string(status)) {
			t.Errorf("statusText(%s) = %q", status, got)
		}
	}
}

func TestInstanceCreateInput(t *testing.T) {
	plan := instanceModel{
		Name: types.StringValue("trainer"), Tier: types.StringValue("dedicated"),
		SSHKey: types.StringValue("ssh-ed25519 AAAA"), SSHKeyGroup: types.StringNull(), TeamID: types.StringValue("team-1"),
		StorageGB: types.Int64Value(75), WorkloadType: types.StringValue("batch"),
	}
	in := createInput(plan)
	if in.Name != "trainer" || in.Tier != "dedicated" || in.StorageGb != 75 || in.WorkloadType != gen.WorkloadTypeBatch {
		t.Errorf("unexpected input %+v", in)
	}
	if in.SshKey == nil || *in.SshKey != "ssh-ed25519 AAAA" || in.SshKeyGroup != nil || in.TeamId == nil || *in.TeamId != "team-1" {
		t.Errorf("optional references wrongly mapped: %+v", in)
	}
	// Unknown/null defaults: the API's defaults.
	in = createInput(instanceModel{Name: types.StringValue("x"), Tier: types.StringValue("mig"),
		StorageGB: types.Int64Unknown(), WorkloadType: types.StringNull()})
	if in.StorageGb != 50 || in.WorkloadType != gen.WorkloadTypeInteractive {
		t.Errorf("defaults: %+v", in)
	}
}
