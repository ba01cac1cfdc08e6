package provider

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure   = (*instanceResource)(nil)
	_ resource.ResourceWithImportState = (*instanceResource)(nil)
)

// Default waits of the timeouts block.
const (
	instanceCreateTimeout = 20 * time.Minute
	instanceUpdateTimeout = 20 * time.Minute
	instanceDeleteTimeout = 10 * time.Minute
)

// NewInstanceResource is icgpu_instance: a GPU instance. The name changes in place (rename), the
// power state in place (start, stop, requeue); every other argument forces a new instance.
func NewInstanceResource() resource.Resource { return &instanceResource{backoff: defaultBackoff} }

type instanceResource struct {
	client  *client.Client
	backoff backoff
}

func (r *instanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_instance"
}

func (r *instanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A GPU instance with SSH access. Create waits until the instance reaches the desired `state`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The instance's id (inst-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name, unique among your live instances: 1-63 lower-case letters, digits or '-', " +
					"starting and ending with a letter or digit. Changed in place (rename).",
				Validators: []validator.String{resourceName()},
			},
			"tier": schema.StringAttribute{
				Required:      true,
				Description:   "GPU tier: dedicated, mig or timesliced. Changing it replaces the instance.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf(instanceTiers...)},
			},
			"ssh_key": schema.StringAttribute{
				Optional: true,
				Description: "One OpenSSH public key line to authorize, e.g. file(\"~/.ssh/id_ed25519.pub\") or an " +
					"icgpu_ssh_key's public_key. Surrounding whitespace is ignored. May be combined with ssh_key_group; " +
					"changing it replaces the instance (whitespace alone does not).",
				PlanModifiers: []planmodifier.String{replaceOnNewKey()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 16384), publicKeyShape()},
			},
			"ssh_key_group": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of an SSH key group of yours (grp-...) whose keys are all authorized. Changing it replaces the instance.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"storage_gb": schema.Int64Attribute{
				Optional: true, Computed: true,
				Default:       int64default.StaticInt64(50),
				Description:   "Storage in GB, 10-500 (default 50), counted against the tenant's storage quota. Changing it replaces the instance.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.Between(10, 500)},
			},
			"workload_type": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString("interactive"),
				Description: "interactive (default; guaranteed capacity) or batch (half price, may be preempted by interactive work). " +
					"Changing it replaces the instance.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.OneOf("interactive", "batch")},
			},
			"team_id": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of a team (team-...) to share the instance with; needs the member role in it. Changing it replaces the instance.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"state": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(stateRunning),
				Description: "Desired power state: running (default) or stopped, changed in place (start/stop). A refresh " +
					"reports preempted (planned back to running in place: a requeue) or error (planned as a replacement).",
				PlanModifiers: []planmodifier.String{replaceFailedInstance()},
				Validators:    []validator.String{stringvalidator.OneOf(stateRunning, stateStopped)},
			},
			"status":        schema.StringAttribute{Computed: true, Description: "The API's status: pending, provisioning, running, stopping, stopped, preempted, error or terminated."},
			"status_reason": schema.StringAttribute{Computed: true, Description: "Why the instance has its status (e.g. a preemption or failure message); null when there is nothing to say."},
			"ssh_host":      schema.StringAttribute{Computed: true, Description: "Host to SSH to while running; null otherwise."},
			"ssh_port":      schema.Int64Attribute{Computed: true, Description: "SSH port while running; null otherwise."},
			"hourly_price": schema.Float64Attribute{
				Computed: true, Description: "Price per hour in the account's currency (batch work runs at half price).",
				PlanModifiers: []planmodifier.Float64{float64planmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// instanceTiers are the API's tiers (services/tiers.py).
var instanceTiers = []string{"dedicated", "mig", "timesliced"}

func (r *instanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *instanceResource) ops() instanceOps { return apiInstanceOps{c: r.client} }

func (r *instanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, instanceCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var inst gen.InstanceFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateInstance(ctx, gql, createInput(plan), applyForReal())
		if err == nil {
			inst = out.CreateInstance.Instance.InstanceFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_instance", err)
		return
	}
	// In the state from here on: if waiting fails, Terraform keeps the instance as tainted and
	// the next apply replaces it.
	resp.Diagnostics.Append(resp.State.Set(ctx, instanceFromAPI(inst, plan))...)

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	want := plan.State.ValueString()
	// A stopped instance is first brought up, so a failure to provision shows at creation.
	last, err := converge(waitCtx, r.ops(), inst.Id, stateRunning, r.backoff)
	if err == nil && want == stateStopped {
		last, err = converge(waitCtx, r.ops(), inst.Id, stateStopped, r.backoff)
	}
	if last != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, instanceFromAPI(*last, plan))...)
	}
	if err != nil {
		addWaitError(&resp.Diagnostics, "icgpu_instance "+inst.Id+" did not become "+want, err,
			"The instance stays in the state as tainted: the next apply replaces it.")
	}
}

func (r *instanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	inst, err := r.ops().Get(ctx, state.ID.ValueString())
	if client.IsNotFound(err) || (err == nil && inst.Status == gen.InstanceStatusTerminated) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_instance "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, instanceFromAPI(inst, state))...)
}

// Update renames the instance when its name changed, then drives it to the planned state (start,
// stop or requeue), waiting for it.
func (r *instanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior instanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, instanceUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	if !plan.Name.Equal(prior.Name) {
		name := plan.Name.ValueString()
		err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			_, err := gen.UpdateInstance(ctx, gql, id, gen.UpdateInstanceInput{Name: &name}, applyForReal())
			return err
		})
		if err != nil {
			addAPIError(&resp.Diagnostics, "Could not rename icgpu_instance "+id, err)
			resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
			return
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	want := plan.State.ValueString()
	last, err := converge(waitCtx, r.ops(), id, want, r.backoff)
	switch {
	case last != nil:
		resp.Diagnostics.Append(resp.State.Set(ctx, instanceFromAPI(*last, plan))...)
	case err != nil:
		resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
	}
	if err != nil {
		addWaitError(&resp.Diagnostics, "icgpu_instance "+id+" did not become "+want, err, "")
	}
}

// Delete terminates the instance and waits until the API reports it terminated (or forgets it).
func (r *instanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state instanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, instanceDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteInstance(ctx, gql, id, applyForReal())
		return err
	})
	// A conflict means it is already terminated; waitGone confirms it.
	if err != nil && !client.IsNotFound(err) && !client.IsConflict(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_instance "+id, err)
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := waitGone(waitCtx, r.ops(), id, r.backoff); err != nil {
		addWaitError(&resp.Diagnostics, "icgpu_instance "+id+" was not terminated", err, "")
	}
}

func (r *instanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// addWaitError reports an error of converge or waitGone: the instance's failure with the API's
// status reason, a timeout with the last status, or the API error that stopped the wait.
func addWaitError(diags *diag.Diagnostics, summary string, err error, note string) {
	if !isWaitError(err) {
		addAPIError(diags, summary, err)
		return
	}
	detail := capitalize(err.Error()) + "."
	var slow *instanceTimeoutError
	if errors.As(err, &slow) {
		detail += " Raise the timeouts block's value if the instance needs longer."
	}
	if note != "" {
		detail += "\n\n" + note
	}
	diags.AddError(summary, detail)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
