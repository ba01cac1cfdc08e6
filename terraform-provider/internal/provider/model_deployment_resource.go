package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure      = (*modelDeploymentResource)(nil)
	_ resource.ResourceWithImportState    = (*modelDeploymentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*modelDeploymentResource)(nil)
)

// Default waits of the timeouts block: until the minimum of replicas answers.
const (
	modelCreateTimeout = 20 * time.Minute
	modelUpdateTimeout = 20 * time.Minute
)

// NewModelDeploymentResource is icgpu_model_deployment: a Hugging Face model served by 0..N
// replicas of an OpenAI-compatible engine. The API addresses deployments by name, so the name
// (and everything but the replica bounds, which the scaling mutation changes) forces a new one.
func NewModelDeploymentResource() resource.Resource {
	return &modelDeploymentResource{backoff: defaultBackoff}
}

type modelDeploymentResource struct {
	client  *client.Client
	backoff backoff
}

func (r *modelDeploymentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_model_deployment"
}

func (r *modelDeploymentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A model deployment: a Hugging Face model served by replicas of an OpenAI-compatible engine, " +
			"called on /v1 by its name. Replica bounds change in place; everything else replaces the deployment.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The deployment's id (mdl-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name, unique among your live deployments, and the model name of /v1 calls: 1-63 lower-case letters, " +
					"digits or '-', starting and ending with a letter or digit; not an alias of the model catalogue. The API " +
					"addresses deployments by name: changing it replaces the deployment.",
				PlanModifiers: replace,
				Validators:    []validator.String{resourceName()},
			},
			"model": schema.StringAttribute{
				Required:      true,
				Description:   "The Hugging Face id served, e.g. meta-llama/Llama-3.1-8B-Instruct. Changing it replaces the deployment.",
				PlanModifiers: replace,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 193), stringvalidator.RegexMatches(modelIDShape,
					"must be a Hugging Face model id such as meta-llama/Llama-3.1-8B-Instruct (letters, digits, . _ - and at most one /)")},
			},
			"engine": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(modelDefaultEngine),
				Description:   "The engine: vllm (default), sglang or ollama. Changing it replaces the deployment.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf(modelEngines...)},
			},
			"kind": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "chat or embedding; omitted, the catalogue's kind for the model, else chat (known after apply). " +
					"Changing it replaces the deployment.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.OneOf(modelKinds...)},
			},
			"resource_profile": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(modelDefaultProfile),
				Description: "Where each replica runs: nvidia-gpu-dedicated, nvidia-gpu-mig, nvidia-gpu-timesliced (default) " +
					"or cpu. Changing it replaces the deployment.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf(modelResourceProfiles...)},
			},
			"min_replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(0),
				Description: "Replicas kept running, 0-16 (default 0: none until the first call, and back to zero when idle). " +
					"Changed in place; create and update wait until this many replicas answer.",
				Validators: []validator.Int64{int64validator.Between(0, modelMaxReplicas)},
			},
			"max_replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Description: "Most replicas under load, 1-16 (default 1), at least min_replicas. Changed in place.",
				Validators:  []validator.Int64{int64validator.Between(1, modelMaxReplicas)},
			},
			"huggingface_token": schema.StringAttribute{
				Optional: true, Sensitive: true,
				Description: "A Hugging Face token for gated models. Write-only on the API (stored encrypted, never returned): " +
					"kept in the state as given and never read back. A new, changed or removed token replaces the deployment.",
				PlanModifiers: []planmodifier.String{huggingfaceTokenReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(huggingfaceTokenShape,
					"must be 1-512 printable characters without spaces")},
			},
			"team_id": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of a team (team-...) to share the deployment with; needs the member role in it. Changing it replaces the deployment.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"gpu_tier":      schema.StringAttribute{Computed: true, Description: "The GPU tier of each replica's slot; null for the cpu profile.", PlanModifiers: keep},
			"status":        schema.StringAttribute{Computed: true, Description: "pending, scaling, ready, scaled_to_zero or stopped."},
			"status_reason": schema.StringAttribute{Computed: true, Description: "Why the deployment has its status; null when there is nothing to say."},
			"desired_replicas": schema.Int64Attribute{
				Computed: true, Description: "Replicas the scaler wants now (between the bounds, by load).",
			},
			"ready_replicas": schema.Int64Attribute{Computed: true, Description: "Replicas answering calls now."},
			"upstream": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				Description: "dev_engine (replicas of the built-in development engine) or external (the operator's engine).",
			},
			"huggingface_token_set": schema.BoolAttribute{
				Computed: true, PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
				Description: "Whether the API holds a Hugging Face token for the deployment.",
			},
			"created_at": schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true}),
		},
	}
}

func (r *modelDeploymentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses a minimum above the maximum (an omitted bound is its default) at plan time.
func (r *modelDeploymentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var low, high types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("min_replicas"), &low)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("max_replicas"), &high)...)
	if resp.Diagnostics.HasError() || low.IsUnknown() || high.IsUnknown() {
		return
	}
	lo, hi := low.ValueInt64(), high.ValueInt64()
	if high.IsNull() {
		hi = 1
	}
	if lo > hi {
		resp.Diagnostics.AddAttributeError(path.Root("min_replicas"), "min_replicas above max_replicas",
			fmt.Sprintf("min_replicas (%d) is more than max_replicas (%d).", lo, hi))
	}
}

func (r *modelDeploymentResource) get(ctx context.Context, name string) (gen.ModelDeploymentFields, error) {
	var d gen.ModelDeploymentFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetModelDeployment(ctx, gql, name)
		if err == nil {
			d = out.ModelDeployment.ModelDeploymentFields
		}
		return err
	})
	return d, err
}

// waitAccepted polls deployment name until modelAccepted holds for minReplicas, or ctx ends; it
// answers the deployment as last seen.
func (r *modelDeploymentResource) waitAccepted(ctx context.Context, d gen.ModelDeploymentFields, minReplicas int) (gen.ModelDeploymentFields, error) {
	last := d
	want := fmt.Sprintf("%d ready replica(s)", minReplicas)
	err := pollUntil(ctx, r.backoff, "model deployment", d.Name, want, func(ctx context.Context) (pollResult, error) {
		got, err := r.get(ctx, d.Name)
		if client.IsNotFound(err) {
			return pollResult{}, &statusFailedError{What: "model deployment", ID: d.Name, Want: want, Status: modelStatusDeleted}
		}
		if err != nil {
			return pollResult{}, err
		}
		last = got
		reason := ""
		if got.StatusReason != nil {
			reason = *got.StatusReason
		}
		seen := pollResult{Status: fmt.Sprintf("%s (%d of %d ready)", got.Status, got.ReadyReplicas, got.DesiredReplicas), Reason: reason}
		done, failed := modelAccepted(got, minReplicas)
		if failed {
			return seen, &statusFailedError{What: "model deployment", ID: d.Name, Want: want, Status: got.Status, Reason: reason}
		}
		seen.Done = done
		return seen, nil
	})
	return last, err
}

func (r *modelDeploymentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan modelDeploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, modelCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := modelDeployInput(plan)
	var d gen.ModelDeploymentFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.DeployModel(ctx, gql, in, applyForReal())
		if err == nil {
			d = out.DeployModel.ModelDeployment.ModelDeploymentFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_model_deployment", err)
		return
	}
	// In the state from here on: if waiting fails, Terraform keeps it as tainted and replaces it next time.
	resp.Diagnostics.Append(resp.State.Set(ctx, modelDeploymentFromAPI(d, plan))...)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last, err := r.waitAccepted(waitCtx, d, in.MinReplicas)
	resp.Diagnostics.Append(resp.State.Set(ctx, modelDeploymentFromAPI(last, plan))...)
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_model_deployment "+d.Name+" did not get its replicas", err,
			"The deployment stays in the state as tainted: the next apply replaces it.")
	}
}

// Read refreshes the deployment by its name. One that is gone (404), or whose name now belongs to
// another deployment (deleted and made again outside Terraform), leaves the state.
func (r *modelDeploymentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state modelDeploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d, err := r.get(ctx, state.Name.ValueString())
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_model_deployment "+state.Name.ValueString(), err)
		return
	}
	if id := state.ID.ValueString(); id != "" && d.Id != id {
		resp.Diagnostics.AddWarning("icgpu_model_deployment "+d.Name+" was replaced outside Terraform",
			fmt.Sprintf("The deployment %s in the state is gone; the name now belongs to %s, made outside Terraform. "+
				"It leaves the state: import it (terraform import <address> %s) or delete it to let Terraform create its own.", id, d.Id, d.Name))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, modelDeploymentFromAPI(d, state))...)
}

// Update changes the replica bounds through the scaling mutation and waits for the new minimum;
// a token only recorded (after an import) and the timeouts block need no change on the API (the
// deployment is read again, without waiting).
func (r *modelDeploymentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior modelDeploymentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, modelUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := prior.Name.ValueString()
	var d gen.ModelDeploymentFields
	var err error
	in, scaled := modelScaleInput(prior, plan)
	if scaled {
		err = r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.ScaleModel(ctx, gql, name, in, applyForReal())
			if err == nil {
				d = out.ScaleModel.ModelDeployment.ModelDeploymentFields
			}
			return err
		})
	} else {
		d, err = r.get(ctx, name)
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not update icgpu_model_deployment "+name, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, modelDeploymentFromAPI(d, plan))...)
	if !scaled {
		return // nothing asked of the scaler (a deployment stopped outside Terraform stays at zero)
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last, err := r.waitAccepted(waitCtx, d, int(plan.MinReplicas.ValueInt64()))
	resp.Diagnostics.Append(resp.State.Set(ctx, modelDeploymentFromAPI(last, plan))...)
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_model_deployment "+name+" did not get its replicas", err, "")
	}
}

// Delete deletes the deployment: it is gone from the API at once (its replicas are stopped by the
// scaler and its token is dropped), so the name is free for a replacement.
func (r *modelDeploymentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state modelDeploymentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := state.Name.ValueString()
	d, err := r.get(ctx, name)
	if client.IsNotFound(err) || (err == nil && state.ID.ValueString() != "" && d.Id != state.ID.ValueString()) {
		return // already gone (the name may belong to another deployment now: not ours to delete)
	}
	if err == nil {
		err = r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			_, err := gen.DeleteModel(ctx, gql, name, applyForReal())
			return err
		})
	}
	if err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_model_deployment "+name, err)
	}
}

// ImportState imports by name, as the API addresses deployments; the refresh fills the rest (the
// Hugging Face token, never returned, stays null until the configuration gives it).
func (r *modelDeploymentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := strings.TrimSpace(req.ID)
	if !nameRE.MatchString(name) {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("Import a model deployment by its name (1-63 lower-case letters, digits or '-'), not %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
}
