// Package acceptance drives the provider through OpenTofu (TF_ACC_TERRAFORM_PATH) against a live
// icgpu server started for the run: every resource's create, read back, update, replacement,
// import, drift after an out-of-band delete and destroy. scripts/test-provider.sh runs it.
package acceptance

import (
	"testing"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// dryRunOff is the dryRun argument of the tests' own mutations.
var dryRunOff = false
