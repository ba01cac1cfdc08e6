package provider

import (
	"context"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Plan-time checks that mirror the API's own, so `terraform plan` refuses what the API would.

// nameRE is the API's instance name rule (services/instances.py NAME_RE).
var nameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// resourceName: 1-63 characters, lower-case letters, digits and '-', starting and ending alphanumeric.
func resourceName() validator.String {
	return stringvalidator.RegexMatches(nameRE, "must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit")
}

// sshKeyTypes are the key types the API accepts.
var sshKeyTypes = []string{"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}

// publicKeyShape checks the line's shape ('TYPE BASE64 [comment]' with an accepted type); the API
// checks the key material itself.
func publicKeyShape() validator.String { return publicKeyValidator{} }

type publicKeyValidator struct{}

func (publicKeyValidator) Description(context.Context) string {
	return "one OpenSSH public key line: TYPE BASE64 [comment], TYPE one of " + strings.Join(sshKeyTypes, ", ")
}

func (v publicKeyValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v publicKeyValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	line := strings.TrimSpace(req.ConfigValue.ValueString())
	parts := strings.Fields(line)
	switch {
	case strings.ContainsAny(line, "\r\n"):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SSH public key", "must be a single line (one OpenSSH public key)")
	case len(parts) < 2:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SSH public key", "expected 'TYPE BASE64 [comment]', as in 'ssh-ed25519 AAAA... user@host'")
	default:
		for _, t := range sshKeyTypes {
			if parts[0] == t {
				return
			}
		}
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid SSH public key",
			"key type '"+parts[0]+"' is not accepted; use one of: "+strings.Join(sshKeyTypes, ", "))
	}
}
