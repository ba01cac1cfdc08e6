package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// The API's rules for a deployment (server/icgpu/services/models.py and model_catalogue.py),
// checked at plan time.
var (
	modelEngines          = []string{"vllm", "sglang", "ollama"}
	modelKinds            = []string{"chat", "embedding"}
	modelResourceProfiles = []string{"nvidia-gpu-dedicated", "nvidia-gpu-mig", "nvidia-gpu-timesliced", "cpu"}
	// modelIDShape is a Hugging Face id: letters, digits, . _ - and at most one '/'.
	modelIDShape = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$`)
	// huggingfaceTokenShape: 1-512 printable ASCII characters, no spaces.
	huggingfaceTokenShape = regexp.MustCompile(`^[\x21-\x7e]{1,512}$`)
)

const (
	modelDefaultEngine  = "vllm"
	modelDefaultProfile = "nvidia-gpu-timesliced"
	modelMaxReplicas    = 16
	modelStatusDeleted  = "deleted"
	modelStatusReady    = "ready"
	modelUpstreamExtern = "external"
)

// modelDeploymentModel is icgpu_model_deployment as Terraform sees it.
type modelDeploymentModel struct {
	ID                  types.String   `tfsdk:"id"`
	Name                types.String   `tfsdk:"name"`
	Model               types.String   `tfsdk:"model"`
	Engine              types.String   `tfsdk:"engine"`
	Kind                types.String   `tfsdk:"kind"`
	ResourceProfile     types.String   `tfsdk:"resource_profile"`
	MinReplicas         types.Int64    `tfsdk:"min_replicas"`
	MaxReplicas         types.Int64    `tfsdk:"max_replicas"`
	HuggingfaceToken    types.String   `tfsdk:"huggingface_token"`
	TeamID              types.String   `tfsdk:"team_id"`
	GPUTier             types.String   `tfsdk:"gpu_tier"`
	Status              types.String   `tfsdk:"status"`
	StatusReason        types.String   `tfsdk:"status_reason"`
	DesiredReplicas     types.Int64    `tfsdk:"desired_replicas"`
	ReadyReplicas       types.Int64    `tfsdk:"ready_replicas"`
	Upstream            types.String   `tfsdk:"upstream"`
	HuggingfaceTokenSet types.Bool     `tfsdk:"huggingface_token_set"`
	CreatedAt           types.String   `tfsdk:"created_at"`
	Timeouts            timeouts.Value `tfsdk:"timeouts"`
}

// modelDeployInput is the API's DeployModelInput for a plan (the schema's defaults fill engine,
// resource profile and the replica bounds; kind is left to the API when not configured).
func modelDeployInput(plan modelDeploymentModel) gen.DeployModelInput {
	in := gen.DeployModelInput{
		Name:             plan.Name.ValueString(),
		Model:            plan.Model.ValueString(),
		Engine:           plan.Engine.ValueString(),
		Kind:             optionalString(plan.Kind),
		MinReplicas:      int(plan.MinReplicas.ValueInt64()),
		MaxReplicas:      int(plan.MaxReplicas.ValueInt64()),
		ResourceProfile:  plan.ResourceProfile.ValueString(),
		HuggingfaceToken: optionalString(plan.HuggingfaceToken),
		TeamId:           optionalString(plan.TeamID),
	}
	if in.Engine == "" {
		in.Engine = modelDefaultEngine
	}
	if in.ResourceProfile == "" {
		in.ResourceProfile = modelDefaultProfile
	}
	if plan.MaxReplicas.IsNull() || plan.MaxReplicas.IsUnknown() {
		in.MaxReplicas = 1
	}
	return in
}

// modelDeploymentFromAPI maps the API's deployment to the model. The Hugging Face token is
// write-only on the API (it only says whether one is set): the value of prior (the plan or the
// state refreshed) is kept, null when unknown; so is the timeouts block, which only Terraform knows.
func modelDeploymentFromAPI(d gen.ModelDeploymentFields, prior modelDeploymentModel) modelDeploymentModel {
	token := prior.HuggingfaceToken
	if token.IsUnknown() {
		token = types.StringNull()
	}
	return modelDeploymentModel{
		ID:                  types.StringValue(d.Id),
		Name:                types.StringValue(d.Name),
		Model:               types.StringValue(d.Model),
		Engine:              types.StringValue(d.Engine),
		Kind:                types.StringValue(d.Kind),
		ResourceProfile:     types.StringValue(d.ResourceProfile),
		MinReplicas:         types.Int64Value(int64(d.MinReplicas)),
		MaxReplicas:         types.Int64Value(int64(d.MaxReplicas)),
		HuggingfaceToken:    token,
		TeamID:              stringOrNull(d.TeamId),
		GPUTier:             stringOrNull(d.GpuTier),
		Status:              types.StringValue(d.Status),
		StatusReason:        stringOrNull(d.StatusReason),
		DesiredReplicas:     types.Int64Value(int64(d.DesiredReplicas)),
		ReadyReplicas:       types.Int64Value(int64(d.ReadyReplicas)),
		Upstream:            types.StringValue(d.Upstream),
		HuggingfaceTokenSet: types.BoolValue(d.HuggingfaceTokenSet),
		CreatedAt:           timeValue(d.CreatedAt),
		Timeouts:            prior.Timeouts,
	}
}

// modelAccepted decides whether a deployment asked for minReplicas replicas is settled: with a
// minimum of 0 the API's acceptance is enough (no replica runs until the first call); otherwise
// that many replicas answer calls, or the operator's external engine serves the model (it has no
// replicas of ours, and is ready at once). A deployment deleted meanwhile has failed.
func modelAccepted(d gen.ModelDeploymentFields, minReplicas int) (done, failed bool) {
	switch {
	case d.Status == modelStatusDeleted:
		return false, true
	case minReplicas == 0, d.ReadyReplicas >= minReplicas:
		return true, false
	case d.Upstream == modelUpstreamExtern && d.Status == modelStatusReady:
		return true, false
	}
	return false, false
}

// modelScaleInput is the ScaleModelInput from the prior state to the plan, and whether anything
// changes (a bound left unchanged is not sent).
func modelScaleInput(prior, plan modelDeploymentModel) (gen.ScaleModelInput, bool) {
	var in gen.ScaleModelInput
	if !plan.MinReplicas.Equal(prior.MinReplicas) {
		in.MinReplicas = int64Ptr(plan.MinReplicas)
	}
	if !plan.MaxReplicas.Equal(prior.MaxReplicas) {
		in.MaxReplicas = int64Ptr(plan.MaxReplicas)
	}
	return in, in.MinReplicas != nil || in.MaxReplicas != nil
}

// huggingfaceTokenReplace is the plan modifier of `huggingface_token`: the API cannot change a
// deployment's token, so a new, changed or removed token replaces the deployment, except when the
// state holds no token although the API has one (after an import): the configured token is then
// recorded in the state, in place, since the API never returns it to compare.
func huggingfaceTokenReplace() planmodifier.String {
	const desc = "A new, changed or removed token replaces the deployment; after an import, the configured token is only recorded."
	return stringplanmodifier.RequiresReplaceIf(requiresReplaceOnNewToken, desc, desc)
}

func requiresReplaceOnNewToken(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	if !req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true // changed or removed (RequiresReplaceIf calls us on a change only)
		return
	}
	var set types.Bool
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("huggingface_token_set"), &set)...)
	resp.RequiresReplace = !set.ValueBool()
}
