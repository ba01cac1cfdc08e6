package provider

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// The API's rules for an alert (server/icgpu/services/spending_alerts.py).
const (
	spendingAlertMaxThreshold = 2_147_483_647 // GraphQL's Int
	spendingAlertMaxName      = 100
	notifyViaWebhook          = "webhook"
	notifyViaInApp            = "in_app"
)

var notifyViaValues = []string{notifyViaWebhook, notifyViaInApp}

// spendingAlertModel is icgpu_spending_alert as Terraform sees it.
type spendingAlertModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Threshold   types.Int64  `tfsdk:"threshold"`
	NotifyVia   types.String `tfsdk:"notify_via"`
	Armed       types.Bool   `tfsdk:"armed"`
	LastFiredAt types.String `tfsdk:"last_fired_at"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

// notifyViaAPI is the API's enum value for webhook / in_app.
func notifyViaAPI(v string) gen.NotifyVia { return gen.NotifyVia(strings.ToUpper(v)) }

// notifyViaText is the API's enum value as the REST API and the docs spell it (webhook, in_app).
func notifyViaText(v gen.NotifyVia) string { return strings.ToLower(string(v)) }

// spendingAlertCreateInput is the API's CreateSpendingAlertInput for a plan.
func spendingAlertCreateInput(plan spendingAlertModel) gen.CreateSpendingAlertInput {
	via := notifyViaAPI(plan.NotifyVia.ValueString())
	if plan.NotifyVia.IsNull() || plan.NotifyVia.IsUnknown() {
		via = gen.NotifyViaWebhook
	}
	return gen.CreateSpendingAlertInput{Name: plan.Name.ValueString(), Threshold: int(plan.Threshold.ValueInt64()), NotifyVia: &via}
}

// spendingAlertUpdateInput is the API's UpdateSpendingAlertInput (the PATCH) from the state to the
// plan: only what changes is sent, so the API re-arms the alert only on a new threshold.
func spendingAlertUpdateInput(prior, plan spendingAlertModel) gen.UpdateSpendingAlertInput {
	var in gen.UpdateSpendingAlertInput
	if !plan.Name.Equal(prior.Name) {
		in.Name = optionalString(plan.Name)
	}
	if !plan.Threshold.Equal(prior.Threshold) {
		in.Threshold = int64Ptr(plan.Threshold)
	}
	if !plan.NotifyVia.Equal(prior.NotifyVia) && !plan.NotifyVia.IsNull() && !plan.NotifyVia.IsUnknown() {
		via := notifyViaAPI(plan.NotifyVia.ValueString())
		in.NotifyVia = &via
	}
	return in
}

// spendingAlertFromAPI maps the API's alert to the model.
func spendingAlertFromAPI(a gen.SpendingAlertFields) spendingAlertModel {
	return spendingAlertModel{
		ID:          types.StringValue(a.Id),
		Name:        types.StringValue(a.Name),
		Threshold:   types.Int64Value(int64(a.Threshold)),
		NotifyVia:   types.StringValue(notifyViaText(a.NotifyVia)),
		Armed:       types.BoolValue(a.Armed),
		LastFiredAt: timeOrNull(a.LastFiredAt),
		CreatedAt:   timeValue(a.CreatedAt),
	}
}

// storedText refuses, at plan time, what the API would store differently or refuse: surrounding
// white space (the API strips it, so the state would never match the configuration) and control
// characters.
func storedText() validator.String { return storedTextValidator{} }

type storedTextValidator struct{}

func (storedTextValidator) Description(context.Context) string {
	return "no surrounding white space and no control characters"
}

func (v storedTextValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (storedTextValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if strings.TrimSpace(s) != s {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid text", "must not start or end with white space")
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid text", fmt.Sprintf("must not contain control characters (found U+%04X)", r))
			return
		}
	}
}
