package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// replaceFailedInstance is the plan modifier of `state`: an instance the refresh found in
// "error" cannot be started again reliably, so any change of its state plans a replacement. Every
// other change of `state` ("stopped" <-> "running", "preempted" -> "running") is made in place.
func replaceFailedInstance() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenFailed,
		`An instance found in "error" is replaced.`, `An instance found in "error" is replaced.`)
}

func requiresReplaceWhenFailed(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() {
		return
	}
	resp.RequiresReplace = req.StateValue.ValueString() == stateError
}

// replaceOnNewKey is the plan modifier of `ssh_key`: a new key replaces the instance (the API
// cannot change it), but a value that is the same key line up to whitespace (a file() with its
// newline after an import stored the API's trimmed line) is an in-place update of the state only.
func replaceOnNewKey() planmodifier.String {
	return stringplanmodifier.RequiresReplaceIf(requiresReplaceOnNewKey,
		"A different key line replaces the instance; whitespace alone does not.",
		"A different key line replaces the instance; whitespace alone does not.")
}

func requiresReplaceOnNewKey(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	known := func(v interface {
		IsNull() bool
		IsUnknown() bool
	}) bool {
		return !v.IsNull() && !v.IsUnknown()
	}
	resp.RequiresReplace = !(known(req.StateValue) && known(req.PlanValue) &&
		sameKeyLine(req.StateValue.ValueString(), req.PlanValue.ValueString()))
}
