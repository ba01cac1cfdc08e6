package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestInstanceStatePlanModifierReplacesOnlyFailedInstances(t *testing.T) {
	mod := replaceFailedInstance()
	// A resource that exists and is not being destroyed (the modifier skips creation and destroy).
	present := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}, map[string]tftypes.Value{})
	for _, tc := range []struct {
		prior, planned string
		replace        bool
	}{
		{"error", "running", true},
		{"error", "stopped", true},
		{"preempted", "running", false}, // requeued in place
		{"stopped", "running", false},
		{"running", "stopped", false},
	} {
		req := planmodifier.StringRequest{
			Path:  path.Root("state"),
			State: tfsdk.State{Raw: present}, Plan: tfsdk.Plan{Raw: present},
			StateValue: types.StringValue(tc.prior), PlanValue: types.StringValue(tc.planned),
			ConfigValue: types.StringValue(tc.planned),
		}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		mod.PlanModifyString(context.Background(), req, resp)
		if resp.Diagnostics.HasError() {
			t.Fatal(resp.Diagnostics)
		}
		if resp.RequiresReplace != tc.replace {
			t.Errorf("%s -> %s: RequiresReplace = %v, want %v", tc.prior, tc.planned, resp.RequiresReplace, tc.replace)
		}
	}
	// Creation (no prior state) never asks for a replacement.
	resp := &stringplanmodifier.RequiresReplaceIfFuncResponse{}
	requiresReplaceWhenFailed(context.Background(), planmodifier.StringRequest{
		Path: path.Root("state"), StateValue: types.StringNull(), PlanValue: types.StringValue("running"),
	}, resp)
	if resp.RequiresReplace {
		t.Error("a null prior state must not require a replacement")
	}
}

func TestInstanceSSHKeyPlanModifier(t *testing.T) {
	mod := replaceOnNewKey()
	present := tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{}}, map[string]tftypes.Value{})
	key := "ssh-ed25519 AAAAC3Nza me@host"
	for _, tc := range []struct {
		name        string
		prior, plan types.String
		replace     bool
	}{
		{"whitespace only (imported, configured with file())", types.StringValue(key), types.StringValue(key + "\n"), false},
		{"another key", types.StringValue(key), types.StringValue("ssh-ed25519 AAAAother me@host"), true},
		{"a key added", types.StringNull(), types.StringValue(key), true},
		{"the key removed", types.StringValue(key), types.StringNull(), true},
		{"a key not known yet", types.StringValue(key), types.StringUnknown(), true},
	} {
		req := planmodifier.StringRequest{
			Path: path.Root("ssh_key"), State: tfsdk.State{Raw: present}, Plan: tfsdk.Plan{Raw: present},
			StateValue: tc.prior, PlanValue: tc.plan, ConfigValue: tc.plan,
		}
		resp := &planmodifier.StringResponse{PlanValue: req.PlanValue}
		mod.PlanModifyString(context.Background(), req, resp)
		if resp.RequiresReplace != tc.replace {
			t.Errorf("%s: RequiresReplace = %v, want %v", tc.name, resp.RequiresReplace, tc.replace)
		}
	}
}
