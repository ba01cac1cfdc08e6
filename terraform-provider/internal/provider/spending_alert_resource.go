package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure   = (*spendingAlertResource)(nil)
	_ resource.ResourceWithImportState = (*spendingAlertResource)(nil)
)

// NewSpendingAlertResource is icgpu_spending_alert: a threshold of the tenant's token balance
// below which balance.low fires. Every argument changes in place (PATCH).
func NewSpendingAlertResource() resource.Resource { return &spendingAlertResource{} }

type spendingAlertResource struct {
	client *client.Client
}

func (r *spendingAlertResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_spending_alert"
}

func (r *spendingAlertResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A spending alert: balance.low fires once each time the tenant's token balance falls below the " +
			"threshold (and balance.depleted at zero). Every argument is changed in place.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The alert's id (alert-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required:    true,
				Description: "A name for the alert, 1-100 characters. Changed in place.",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, spendingAlertMaxName), storedText()},
			},
			"threshold": schema.Int64Attribute{
				Required:    true,
				Description: "Fire when the balance falls below this many tokens, 1-2147483647. Changed in place (the alert re-arms when the balance is at or above the new threshold).",
				Validators:  []validator.Int64{int64validator.Between(1, spendingAlertMaxThreshold)},
			},
			"notify_via": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(notifyViaWebhook),
				Description: "webhook (default: a balance.low / balance.depleted event for your webhooks) or in_app (the event " +
					"and a notification). Changed in place.",
				Validators: []validator.String{stringvalidator.OneOf(notifyViaValues...)},
			},
			"armed":         schema.BoolAttribute{Computed: true, Description: "True while the balance is at or above the threshold, so falling below it fires."},
			"last_fired_at": schema.StringAttribute{Computed: true, Description: "When balance.low last fired (RFC 3339); null if never."},
			"created_at":    schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
	}
}

func (r *spendingAlertResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *spendingAlertResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan spendingAlertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var a gen.SpendingAlertFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateSpendingAlert(ctx, gql, spendingAlertCreateInput(plan), applyForReal())
		if err == nil {
			a = out.CreateSpendingAlert.SpendingAlert.SpendingAlertFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_spending_alert", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, spendingAlertFromAPI(a))...)
}

func (r *spendingAlertResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state spendingAlertModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var a gen.SpendingAlertFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetSpendingAlert(ctx, gql, state.ID.ValueString())
		if err == nil {
			a = out.SpendingAlert.SpendingAlertFields
		}
		return err
	})
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_spending_alert "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, spendingAlertFromAPI(a))...)
}

// Update sends what changed as one PATCH (updateSpendingAlert).
func (r *spendingAlertResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior spendingAlertModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := prior.ID.ValueString()
	var a gen.SpendingAlertFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.UpdateSpendingAlert(ctx, gql, id, spendingAlertUpdateInput(prior, plan), applyForReal())
		if err == nil {
			a = out.UpdateSpendingAlert.SpendingAlert.SpendingAlertFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not update icgpu_spending_alert "+id, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, spendingAlertFromAPI(a))...)
}

func (r *spendingAlertResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state spendingAlertModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteSpendingAlert(ctx, gql, state.ID.ValueString(), applyForReal())
		return err
	})
	if err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_spending_alert "+state.ID.ValueString(), err)
	}
}

func (r *spendingAlertResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
