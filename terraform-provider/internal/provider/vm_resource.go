package provider

import (
	"context"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure        = (*vmResource)(nil)
	_ resource.ResourceWithImportState      = (*vmResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*vmResource)(nil)
	_ resource.ResourceWithConfigValidators = (*vmResource)(nil)
)

// Default waits of the timeouts block.
const (
	vmCreateTimeout = 20 * time.Minute
	vmUpdateTimeout = 20 * time.Minute
	vmDeleteTimeout = 10 * time.Minute
	// vmMaxAutoStopMinutes is the API's bound (services/vms.py MAX_AUTO_STOP_MINUTES: a week).
	vmMaxAutoStopMinutes = 7 * 24 * 60
)

// NewVMResource is icgpu_vm: a virtual machine made from a template. The name and the auto-stop
// time change in place (updateVm), the power state in place (start, stop); every other argument
// forces a new VM.
func NewVMResource() resource.Resource { return &vmResource{backoff: defaultBackoff} }

type vmResource struct {
	client  *client.Client
	backoff backoff
}

func (r *vmResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_vm"
}

func (r *vmResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	size := func(what string) schema.Int64Attribute {
		return schema.Int64Attribute{
			Optional: true, Computed: true,
			Description: what + ", at least 1; omitted, the template's default (planned from the catalogue). The maximum " +
				"(and the disk's minimum) depends on the template: the API refuses what is out of range. Changing it replaces the VM.",
			Validators: []validator.Int64{int64validator.AtLeast(1)},
		}
	}
	resp.Schema = schema.Schema{
		Description: "A virtual machine made from a VM template, with SSH access. Create waits until the VM reaches the desired `state`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The VM's id (vm-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name, unique among your live VMs: 1-63 lower-case letters, digits or '-', " +
					"starting and ending with a letter or digit. Changed in place (rename).",
				Validators: []validator.String{resourceName()},
			},
			"template_id": schema.StringAttribute{
				Required:      true,
				Description:   "The VM template (tpl-...), one of the API's catalogue (checked at plan time; see data.icgpu_vm_templates). Changing it replaces the VM.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"cpu":       size("Virtual CPUs"),
			"memory_gb": size("Memory in GB"),
			"disk_gb":   size("Boot disk in GB, counted against the tenant's storage quota"),
			"gpu_tier": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "GPU tier (dedicated, mig or timesliced) overriding the template's; GPU templates only. Omitted, the " +
					"template's tier (null for a CPU-only template). Changing it replaces the VM.",
				Validators: []validator.String{stringvalidator.OneOf(instanceTiers...)},
			},
			"ssh_key": schema.StringAttribute{
				Optional: true,
				Description: "One OpenSSH public key line to authorize, e.g. file(\"~/.ssh/id_ed25519.pub\"). Surrounding whitespace " +
					"is ignored. ssh_key, ssh_key_group or both; changing it replaces the VM (whitespace alone does not).",
				PlanModifiers: []planmodifier.String{replaceOnNewKey()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 16384), publicKeyShape()},
			},
			"ssh_key_group": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of an SSH key group of yours (grp-...) whose keys are all authorized. Changing it replaces the VM.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"team_id": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of a team (team-...) to share the VM with; needs the member role in it. Changing it replaces the VM.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"auto_stop_after_minutes": schema.Int64Attribute{
				Optional: true,
				Description: "Stop the VM this many minutes after it starts running (server-enforced), 1-10080; null: never. " +
					"Changed in place.",
				Validators: []validator.Int64{int64validator.Between(1, vmMaxAutoStopMinutes)},
			},
			"state": schema.StringAttribute{
				Optional: true, Computed: true,
				Default: stringdefault.StaticString(stateRunning),
				Description: "Desired power state: running (default) or stopped, changed in place (start/stop). A refresh " +
					"reports error for a failed VM (planned back in place: it is started again).",
				Validators: []validator.String{stringvalidator.OneOf(stateRunning, stateStopped)},
			},
			"status":        schema.StringAttribute{Computed: true, Description: "The API's status: pending, provisioning, running, rebooting, stopping, stopped or error."},
			"status_reason": schema.StringAttribute{Computed: true, Description: "Why the VM has its status; null when there is nothing to say."},
			"ssh_host":      schema.StringAttribute{Computed: true, Description: "Host to SSH to while running; null otherwise."},
			"ssh_port":      schema.Int64Attribute{Computed: true, Description: "SSH port while running; null otherwise."},
			"auto_stop_at":  schema.StringAttribute{Computed: true, Description: "When the running VM will be stopped (RFC 3339); null without auto-stop or when not running."},
			"created_at":    schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

// ConfigValidators: the API needs keys that may log in.
func (r *vmResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.AtLeastOneOf(path.MatchRoot("ssh_key"), path.MatchRoot("ssh_key_group")),
	}
}

func (r *vmResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *vmResource) ops() vmOps { return apiVMOps{c: r.client} }

// ModifyPlan checks template_id against the API's catalogue, plans the template's defaults for
// the sizes and the GPU tier the configuration leaves out (so the plan shows what the API will
// make), refuses a GPU tier on a CPU-only template, and replaces the VM when one of those differs
// from the state.
func (r *vmResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var config, plan vmModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.TemplateID.IsUnknown() {
		return
	}
	templates, err := listVMTemplates(ctx, r.client)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read the VM template catalogue", err)
		return
	}
	tpl, ok := findTemplate(templates, plan.TemplateID.ValueString())
	if !ok {
		ids := make([]string, 0, len(templates))
		for _, t := range templates {
			ids = append(ids, t.Id)
		}
		resp.Diagnostics.AddAttributeError(path.Root("template_id"), "Unknown VM template",
			"unknown template '"+plan.TemplateID.ValueString()+"'; choose one of: "+strings.Join(ids, ", "))
		return
	}
	if !tpl.Gpu && !config.GPUTier.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("gpu_tier"), "GPU tier on a CPU-only template",
			"template "+tpl.Id+" is CPU-only; choose a GPU template or leave gpu_tier out")
		return
	}
	planned := map[string]attr.Value{
		"cpu":       orDefault(config.CPU, tpl.DefaultCpu),
		"memory_gb": orDefault(config.MemoryGB, tpl.DefaultMemoryGb),
		"disk_gb":   orDefault(config.DiskGB, tpl.DefaultDiskGb),
		"gpu_tier":  config.GPUTier,
	}
	if config.GPUTier.IsNull() {
		planned["gpu_tier"] = stringOrNull(tpl.GpuTier)
	}
	var prior vmModel
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	}
	priorOf := map[string]attr.Value{"cpu": prior.CPU, "memory_gb": prior.MemoryGB, "disk_gb": prior.DiskGB, "gpu_tier": prior.GPUTier}
	for name, v := range planned {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), v)...)
		if !req.State.Raw.IsNull() && !v.Equal(priorOf[name]) {
			resp.RequiresReplace.Append(path.Root(name))
		}
	}
}

// orDefault is the configured size, or the template's default when the configuration has none.
func orDefault(configured types.Int64, def int) types.Int64 {
	if configured.IsNull() {
		return types.Int64Value(int64(def))
	}
	return configured
}

func (r *vmResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, vmCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var vm gen.VmFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateVm(ctx, gql, vmCreateInput(plan), applyForReal())
		if err == nil {
			vm = out.CreateVm.Vm.VmFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_vm", err)
		return
	}
	// In the state from here on: if waiting fails, Terraform keeps the VM as tainted and the next
	// apply replaces it.
	resp.Diagnostics.Append(resp.State.Set(ctx, vmFromAPI(vm, plan))...)

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	want := plan.State.ValueString()
	// A VM wanted stopped is first brought up, so a failure to provision shows at creation.
	last, err := convergeVM(waitCtx, r.ops(), vm.Id, stateRunning, true, r.backoff)
	if err == nil && want == stateStopped {
		last, err = convergeVM(waitCtx, r.ops(), vm.Id, stateStopped, true, r.backoff)
	}
	if last != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, vmFromAPI(*last, plan))...)
	}
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_vm "+vm.Id+" did not become "+want, err,
			"The VM stays in the state as tainted: the next apply replaces it.")
	}
}

func (r *vmResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state vmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	vm, err := r.ops().Get(ctx, state.ID.ValueString())
	if client.IsNotFound(err) || (err == nil && vm.Status == gen.VmStatusTerminated) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_vm "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, vmFromAPI(vm, state))...)
}

// Update renames the VM and sets its auto-stop time when they changed, then drives it to the
// planned power state (start or stop), waiting for it.
func (r *vmResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior vmModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, vmUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	if !plan.Name.Equal(prior.Name) || !plan.AutoStopAfterMinutes.Equal(prior.AutoStopAfterMinutes) {
		// Both fields are sent: the API reads a null autoStopAfterMinutes as "turn auto-stop off".
		input := gen.UpdateVmInput{AutoStopAfterMinutes: int64Ptr(plan.AutoStopAfterMinutes)}
		if !plan.Name.Equal(prior.Name) {
			input.Name = optionalString(plan.Name)
		}
		err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			_, err := gen.UpdateVm(ctx, gql, id, input, applyForReal())
			return err
		})
		if err != nil {
			addAPIError(&resp.Diagnostics, "Could not update icgpu_vm "+id, err)
			resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
			return
		}
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	want := plan.State.ValueString()
	last, err := convergeVM(waitCtx, r.ops(), id, want, false, r.backoff)
	switch {
	case last != nil:
		resp.Diagnostics.Append(resp.State.Set(ctx, vmFromAPI(*last, plan))...)
	case err != nil:
		resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
	}
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_vm "+id+" did not become "+want, err, "")
	}
}

// Delete terminates the VM (its boot disk goes back to the storage quota) and waits until the API
// reports it terminated (or forgets it).
func (r *vmResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state vmModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, vmDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteVm(ctx, gql, id, applyForReal())
		return err
	})
	// A conflict means it is already terminated; the wait confirms it.
	if err != nil && !client.IsNotFound(err) && !client.IsConflict(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_vm "+id, err)
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := waitVMGone(waitCtx, r.ops(), id, r.backoff); err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_vm "+id+" was not terminated", err, "")
	}
}

func (r *vmResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
