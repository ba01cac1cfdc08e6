package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestSpendingAlertFromAPI(t *testing.T) {
	fired := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	a := gen.SpendingAlertFields{Id: "alert-1", Name: "Low balance warning", Threshold: 100000, NotifyVia: gen.NotifyViaInApp,
		Armed: false, LastFiredAt: &fired, AccountId: "acc-1", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	assertSameAttrs(t, spendingAlertFromAPI(a), spendingAlertModel{
		ID: types.StringValue("alert-1"), Name: types.StringValue("Low balance warning"), Threshold: types.Int64Value(100000),
		NotifyVia: types.StringValue("in_app"), Armed: types.BoolValue(false), LastFiredAt: types.StringValue("2026-03-04T05:06:07Z"),
		CreatedAt: types.StringValue("2026-01-02T03:04:05Z"),
	})
	a.NotifyVia, a.LastFiredAt, a.Armed = gen.NotifyViaWebhook, nil, true
	m := spendingAlertFromAPI(a)
	if m.NotifyVia.ValueString() != "webhook" || !m.LastFiredAt.IsNull() || !m.Armed.ValueBool() {
		t.Errorf("never fired = %+v", m)
	}
}

func TestSpendingAlertInputs(t *testing.T) {
	plan := spendingAlertModel{Name: types.StringValue("a"), Threshold: types.Int64Value(5000), NotifyVia: types.StringValue("in_app")}
	in := spendingAlertCreateInput(plan)
	if in.Name != "a" || in.Threshold != 5000 || in.NotifyVia == nil || *in.NotifyVia != gen.NotifyViaInApp {
		t.Errorf("create input = %+v", in)
	}
	plan.NotifyVia = types.StringUnknown()
	if in := spendingAlertCreateInput(plan); *in.NotifyVia != gen.NotifyViaWebhook {
		t.Errorf("default notify_via = %v", *in.NotifyVia)
	}

	prior := spendingAlertModel{Name: types.StringValue("a"), Threshold: types.Int64Value(5000), NotifyVia: types.StringValue("webhook")}
	// Only the threshold changes: the PATCH carries it alone (the API re-arms on a new threshold only).
	up := spendingAlertUpdateInput(prior, spendingAlertModel{Name: prior.Name, Threshold: types.Int64Value(100), NotifyVia: prior.NotifyVia})
	if up.Name != nil || up.NotifyVia != nil || up.Threshold == nil || *up.Threshold != 100 {
		t.Errorf("threshold only = %+v", up)
	}
	up = spendingAlertUpdateInput(prior, spendingAlertModel{Name: types.StringValue("b"), Threshold: prior.Threshold, NotifyVia: types.StringValue("in_app")})
	if up.Name == nil || *up.Name != "b" || up.Threshold != nil || up.NotifyVia == nil || *up.NotifyVia != gen.NotifyViaInApp {
		t.Errorf("name and notify_via = %+v", up)
	}
}

func TestStoredText(t *testing.T) {
	for value, bad := range map[string]bool{"Low balance warning": false, " padded": true, "trailing\n": true,
		"tab\there": true, "nul\x00": true, "ünïcode ok": false} {
		var resp validator.StringResponse
		storedText().ValidateString(context.Background(), validator.StringRequest{Path: path.Root("name"),
			ConfigValue: types.StringValue(value)}, &resp)
		if resp.Diagnostics.HasError() != bad {
			t.Errorf("%q: errors %v, want bad=%v", value, resp.Diagnostics, bad)
		}
	}
}

func TestSpendingAlertModelFitsSchema(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewSpendingAlertResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	if diags := sr.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	m := spendingAlertFromAPI(gen.SpendingAlertFields{Id: "alert-1", Name: "n", Threshold: 1, NotifyVia: gen.NotifyViaWebhook})
	if diags := st.Set(ctx, m); diags.HasError() {
		t.Fatal(diags)
	}
	var back spendingAlertModel
	if diags := st.Get(ctx, &back); diags.HasError() {
		t.Fatal(diags)
	}
	assertSameAttrs(t, back, m)
}
