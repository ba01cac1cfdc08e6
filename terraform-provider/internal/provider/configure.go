package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
)

// clientOf is the *client.Client the provider's Configure handed to a resource or data source;
// nil (without an error) while the provider is not configured yet, as during validation.
func clientOf(providerData any, diags *diag.Diagnostics) *client.Client {
	if providerData == nil {
		return nil
	}
	c, ok := providerData.(*client.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *client.Client, got %T; this is a bug in the provider", providerData))
		return nil
	}
	return c
}
