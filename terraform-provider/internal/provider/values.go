package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Conversions between the generated client's Go values and Terraform values, shared by every
// resource's model mapping.

// optionalString is nil for a null or unknown value, else a pointer to it.
func optionalString(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

// stringOrNull is a Terraform string for an optional API value.
func stringOrNull(v *string) types.String {
	if v == nil {
		return types.StringNull()
	}
	return types.StringValue(*v)
}

// int64OrNull is a Terraform number for an optional API integer.
func int64OrNull(v *int) types.Int64 {
	if v == nil {
		return types.Int64Null()
	}
	return types.Int64Value(int64(*v))
}

// timeValue is an API timestamp as RFC 3339 text in UTC.
func timeValue(t time.Time) types.String {
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// timeOrNull is an optional API timestamp as RFC 3339 text, or null.
func timeOrNull(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeValue(*t)
}

// applyForReal is the dryRun argument of every mutation the provider sends: false, written out,
// because a null variable is refused by a non-null argument even when it has a default.
func applyForReal() *bool {
	f := false
	return &f
}
