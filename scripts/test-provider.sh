#!/usr/bin/env bash
# The Terraform provider's suites (terraform-provider/): go vet, the unit tests, and the acceptance
# and CLI tests, which drive OpenTofu (built from its Go module by scripts/build-tofu.sh, cached
# outside the repository) against a live icgpu server they start on 127.0.0.1.
#
#   scripts/test-provider.sh [go test args...]     e.g. -run TestSSHKey
#
# The server is the repository's .venv/bin/icgpu (ICGPU_BIN overrides it): run `make install` first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

start=$(date +%s)
tofu="$("$root/scripts/build-tofu.sh")"
echo "test-provider: OpenTofu ready in $(( $(date +%s) - start )) s: $tofu" >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/icgpu-tf.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# This machine's environment may name a CLI config file that does not exist (TF_CLI_CONFIG_FILE),
# and then every tofu command warns and the test framework fails: give tofu a real, empty one.
: > "$work/tofurc"
export TF_CLI_CONFIG_FILE="$work/tofurc"
export TF_ACC=1
export TF_ACC_TERRAFORM_PATH="$tofu"
export TF_ACC_PROVIDER_HOST=registry.terraform.io
export TF_ACC_PROVIDER_NAMESPACE=ic-gpu
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
# Test binaries and the build cache stay in Go's own cache; the plugin cache is per run.
unset TF_PLUGIN_CACHE_DIR

cd "$root/terraform-provider"
go vet ./...
start=$(date +%s)
go test -count=1 -timeout 25m "$@" ./...
echo "test-provider: provider suites passed in $(( $(date +%s) - start )) s" >&2
