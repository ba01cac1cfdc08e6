#!/usr/bin/env bash
# Build the OpenTofu CLI the provider's tests drive, once per version, into a tool cache outside
# the repository; print the binary's path. Terraform's binary downloads are not reachable here, so
# the CLI is built from its Go module, pinned by the wrapper module tools/opentofu (go.mod, go.sum).
#
#   ICGPU_TOOL_CACHE   cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/icgpu-tools)
#
# Later runs find <cache>/opentofu/<version>/tofu and return at once.
set -euo pipefail
cd "$(dirname "$0")/../tools/opentofu"
command -v go >/dev/null 2>&1 || { echo "build-tofu: Go is not on PATH (the provider and OpenTofu need Go 1.26.6 or newer)" >&2; exit 1; }

version=$(awk '$1 == "github.com/opentofu/opentofu" { print $2 }' go.mod)
[ -n "$version" ] || { echo "build-tofu: no github.com/opentofu/opentofu in tools/opentofu/go.mod" >&2; exit 1; }
cache=${ICGPU_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/icgpu-tools}
out="$cache/opentofu/$version/tofu"

if [ -x "$out" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$(dirname "$out")"
echo "build-tofu: building OpenTofu $version into $out (cold: several CPU-minutes)" >&2
start=$(date +%s)
# -mod=readonly: go.sum is committed, so the build uses exactly the pinned module versions.
go build -mod=readonly -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$out.partial" github.com/opentofu/opentofu/cmd/tofu >&2
mv "$out.partial" "$out"
echo "build-tofu: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
