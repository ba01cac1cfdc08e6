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
