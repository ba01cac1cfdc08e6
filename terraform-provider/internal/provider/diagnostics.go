package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
)

// addAPIError reports err from an API call as an error diagnostic whose summary names what failed
// ("Could not create icgpu_instance") and whose detail carries the API's message, error type,
// field and request id, so a user can quote them to the operator.
func addAPIError(diags *diag.Diagnostics, summary string, err error) {
	diags.AddError(summary, apiErrorDetail(err))
}

func apiErrorDetail(err error) string {
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Sprintf("The IC GPU API could not be reached or answered unexpectedly: %v", err)
	}
	var b strings.Builder
	b.WriteString(apiErr.Message)
	if apiErr.Type != "" {
		fmt.Fprintf(&b, "\n\nError type: %s", apiErr.Type)
		if apiErr.Status != 0 {
			fmt.Fprintf(&b, " (HTTP %d)", apiErr.Status)
		}
	}
	if apiErr.Field != "" {
		fmt.Fprintf(&b, "\nField: %s", apiErr.Field)
	}
	if apiErr.RequestID != "" {
		fmt.Fprintf(&b, "\nRequest id: %s", apiErr.RequestID)
	}
	return b.String()
}
