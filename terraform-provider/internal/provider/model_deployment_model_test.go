package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func apiDeployment() gen.ModelDeploymentFields {
	tier, team, reason := "timesliced", "team-1", "no replica until the first call"
	return gen.ModelDeploymentFields{Id: "mdl-1", Name: "my-llama", Model: "meta-llama/Llama-3.1-8B-Instruct", Engine: "vllm",
		Kind: "chat", MinReplicas: 0, MaxReplicas: 2, ResourceProfile: "nvidia-gpu-timesliced", GpuTier: &tier,
		Status: "scaled_to_zero", StatusReason: &reason, DesiredReplicas: 0, ReadyReplicas: 0, Upstream: "dev_engine",
		HuggingfaceTokenSet: true, TeamId: &team, AccountId: "acc-1", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func TestModelDeploymentFromAPI(t *testing.T) {
	got := modelDeploymentFromAPI(apiDeployment(), modelDeploymentModel{HuggingfaceToken: types.StringValue("hf_secret")})
	want := modelDeploymentModel{
		ID: types.StringValue("mdl-1"), Name: types.StringValue("my-llama"), Model: types.StringValue("meta-llama/Llama-3.1-8B-Instruct"),
		Engine: types.StringValue("vllm"), Kind: types.StringValue("chat"), ResourceProfile: types.StringValue("nvidia-gpu-timesliced"),
		MinReplicas: types.Int64Value(0), MaxReplicas: types.Int64Value(2),
		// Write-only on the API: the configured token is kept as given.
		HuggingfaceToken: types.StringValue("hf_secret"), TeamID: types.StringValue("team-1"), GPUTier: types.StringValue("timesliced"),
		Status: types.StringValue("scaled_to_zero"), StatusReason: types.StringValue("no replica until the first call"),
		DesiredReplicas: types.Int64Value(0), ReadyReplicas: types.Int64Value(0), Upstream: types.StringValue("dev_engine"),
		HuggingfaceTokenSet: types.BoolValue(true), CreatedAt: types.StringValue("2026-01-02T03:04:05Z"),
	}
	assertSameAttrs(t, got, want)

	// A cpu deployment without a team, reason or token: nulls; an unknown token (import) is null.
	d := apiDeployment()
	d.GpuTier, d.TeamId, d.StatusReason, d.HuggingfaceTokenSet, d.ResourceProfile = nil, nil, nil, false, "cpu"
	d.Status, d.DesiredReplicas, d.ReadyReplicas = "ready", 1, 1
	m := modelDeploymentFromAPI(d, modelDeploymentModel{HuggingfaceToken: types.StringUnknown()})
	if !m.GPUTier.IsNull() || !m.TeamID.IsNull() || !m.StatusReason.IsNull() || !m.HuggingfaceToken.IsNull() ||
		m.HuggingfaceTokenSet.ValueBool() || m.ReadyReplicas.ValueInt64() != 1 || m.Status.ValueString() != "ready" {
		t.Errorf("cpu deployment = %+v", m)
	}
}

func TestModelDeployInput(t *testing.T) {
	plan := modelDeploymentModel{Name: types.StringValue("n"), Model: types.StringValue("org/m"), Engine: types.StringValue("sglang"),
		Kind: types.StringUnknown(), ResourceProfile: types.StringValue("cpu"), MinReplicas: types.Int64Value(1),
		MaxReplicas: types.Int64Value(3), HuggingfaceToken: types.StringValue("hf_x"), TeamID: types.StringNull()}
	in := modelDeployInput(plan)
	if in.Name != "n" || in.Model != "org/m" || in.Engine != "sglang" || in.Kind != nil || in.ResourceProfile != "cpu" ||
		in.MinReplicas != 1 || in.MaxReplicas != 3 || in.HuggingfaceToken == nil || *in.HuggingfaceToken != "hf_x" || in.TeamId != nil {
		t.Errorf("modelDeployInput = %+v", in)
	}
	// Nothing but the required arguments known: the API's defaults.
	in = modelDeployInput(modelDeploymentModel{Name: types.StringValue("n"), Model: types.StringValue("m"), Kind: types.StringValue("embedding"),
		Engine: types.StringNull(), ResourceProfile: types.StringNull(), MinReplicas: types.Int64Null(), MaxReplicas: types.Int64Null()})
	if in.Engine != "vllm" || in.ResourceProfile != "nvidia-gpu-timesliced" || in.MinReplicas != 0 || in.MaxReplicas != 1 ||
		in.Kind == nil || *in.Kind != "embedding" {
		t.Errorf("defaults = %+v", in)
	}
}

func TestModelScaleInput(t *testing.T) {
	prior := modelDeploymentModel{MinReplicas: types.Int64Value(0), MaxReplicas: types.Int64Value(2)}
	if _, changed := modelScaleInput(prior, prior); changed {
		t.Error("no change must send no scaling")
	}
	in, changed := modelScaleInput(prior, modelDeploymentModel{MinReplicas: types.Int64Value(1), MaxReplicas: types.Int64Value(2)})
	if !changed || in.MinReplicas == nil || *in.MinReplicas != 1 || in.MaxReplicas != nil {
		t.Errorf("min only = %+v", in)
	}
	in, changed = modelScaleInput(prior, modelDeploymentModel{MinReplicas: types.Int64Value(3), MaxReplicas: types.Int64Value(4)})
	if !changed || *in.MinReplicas != 3 || *in.MaxReplicas != 4 {
		t.Errorf("both = %+v", in)
	}
}

func TestModelAccepted(t *testing.T) {
	d := func(status, upstream string, ready int) gen.ModelDeploymentFields {
		return gen.ModelDeploymentFields{Status: status, Upstream: upstream, ReadyReplicas: ready}
	}
	for _, c := range []struct {
		d            gen.ModelDeploymentFields
		min          int
		done, failed bool
	}{
		{d("scaled_to_zero", "dev_engine", 0), 0, true, false}, // accepted: no replica until the first call
		{d("pending", "dev_engine", 0), 0, true, false},
		{d("pending", "dev_engine", 0), 1, false, false},
		{d("ready", "dev_engine", 1), 2, false, false}, // "ready" before the scaler saw the new minimum
		{d("scaling", "dev_engine", 2), 2, true, false},
		{d("ready", "external", 0), 1, true, false}, // the operator's engine: no replicas of ours
		{d("scaling", "external", 0), 1, false, false},
		{d("deleted", "dev_engine", 0), 0, false, true},
	} {
		done, failed := modelAccepted(c.d, c.min)
		if done != c.done || failed != c.failed {
			t.Errorf("modelAccepted(%s/%s ready=%d, min %d) = %v, %v; want %v, %v", c.d.Status, c.d.Upstream,
				c.d.ReadyReplicas, c.min, done, failed, c.done, c.failed)
		}
	}
}

// The token replaces the deployment when it changes, except when the state has none although the
// API holds one (after an import): then it is only recorded.
func TestHuggingfaceTokenReplace(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewModelDeploymentResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	if sr.Diagnostics.HasError() {
		t.Fatal(sr.Diagnostics)
	}
	if diags := sr.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	stateWith := func(token types.String, set bool) tfsdk.State {
		st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
		m := modelDeploymentFromAPI(apiDeployment(), modelDeploymentModel{HuggingfaceToken: token})
		m.HuggingfaceTokenSet = types.BoolValue(set)
		m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType})
		if diags := st.Set(ctx, m); diags.HasError() {
			t.Fatal(diags)
		}
		return st
	}
	for _, c := range []struct {
		name         string
		state, newer types.String
		set, replace bool
	}{
		{"changed", types.StringValue("hf_a"), types.StringValue("hf_b"), true, true},
		{"removed", types.StringValue("hf_a"), types.StringNull(), true, true},
		{"added to a deployment without one", types.StringNull(), types.StringValue("hf_b"), false, true},
		{"recorded after an import", types.StringNull(), types.StringValue("hf_b"), true, false},
		{"unchanged", types.StringValue("hf_a"), types.StringValue("hf_a"), true, false},
	} {
		st := stateWith(c.state, c.set)
		plan := tfsdk.Plan{Schema: sr.Schema, Raw: st.Raw} // any non-null plan: the modifier reads the values below
		req := planmodifier.StringRequest{Path: path.Root("huggingface_token"), State: st, Plan: plan,
			StateValue: c.state, PlanValue: c.newer, ConfigValue: c.newer}
		var resp planmodifier.StringResponse
		resp.PlanValue = c.newer
		huggingfaceTokenReplace().PlanModifyString(ctx, req, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: %v", c.name, resp.Diagnostics)
		}
		if resp.RequiresReplace != c.replace {
			t.Errorf("%s: RequiresReplace = %v, want %v", c.name, resp.RequiresReplace, c.replace)
		}
	}
}

func TestModelDeploymentValidateConfig(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	r := NewModelDeploymentResource().(*modelDeploymentResource)
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	config := func(min, max any) tfsdk.Config {
		vals := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			vals[name] = tftypes.NewValue(at, nil)
		}
		vals["min_replicas"] = tftypes.NewValue(tftypes.Number, min)
		vals["max_replicas"] = tftypes.NewValue(tftypes.Number, max)
		return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}
	}
	for _, c := range []struct {
		min, max any
		bad      bool
	}{
		{int64(2), int64(3), false}, {int64(3), int64(3), false}, {int64(4), int64(3), true},
		{int64(2), nil, true}, // an omitted maximum is 1
		{int64(1), nil, false}, {nil, nil, false},
		{tftypes.UnknownValue, int64(1), false}, // known at apply only: the API checks it then
	} {
		var resp resource.ValidateConfigResponse
		r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: config(c.min, c.max)}, &resp)
		if resp.Diagnostics.HasError() != c.bad {
			t.Errorf("min %v max %v: errors %v, want bad=%v", c.min, c.max, resp.Diagnostics, c.bad)
		}
	}
}

// The model must fit the schema: setting it into a state built from the schema succeeds.
func TestModelDeploymentModelFitsSchema(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewModelDeploymentResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	m := modelDeploymentFromAPI(apiDeployment(), modelDeploymentModel{HuggingfaceToken: types.StringNull()})
	m.Timeouts.Object = types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType})
	if diags := st.Set(ctx, m); diags.HasError() {
		t.Fatal(diags)
	}
	var back modelDeploymentModel
	if diags := st.Get(ctx, &back); diags.HasError() {
		t.Fatal(diags)
	}
	if back.ID.ValueString() != "mdl-1" || back.MaxReplicas.ValueInt64() != 2 || !back.HuggingfaceTokenSet.ValueBool() {
		t.Errorf("round trip = %+v", back)
	}
}
