//go:build tools

// Package tools records the OpenTofu CLI as a dependency of this wrapper module.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"
