#!/usr/bin/env bash
# Build the provider and install it into a filesystem mirror, for Terraform or OpenTofu to find
# offline; print the CLI configuration block that points at it.
#
#   terraform-provider/install.sh [MIRROR_DIR] [VERSION]
#     MIRROR_DIR  default: ~/.terraform.d/plugins (a directory tofu and terraform search by default)
#     VERSION     default: the VERSION file next to this script
#
# The binary is laid out under registry.terraform.io/ic-gpu/icgpu (the documented source address)
# and under registry.opentofu.org/ic-gpu/icgpu, where OpenTofu resolves the short form "ic-gpu/icgpu".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirror="$(realpath -m "${1:-$HOME/.terraform.d/plugins}")"
version="${2:-$(tr -d '[:space:]' < "$here/VERSION")}"
platform="$(go env GOOS)_$(go env GOARCH)"

first=""
for host in registry.terraform.io registry.opentofu.org; do
  dir="$mirror/$host/ic-gpu/icgpu/$version/$platform"
  mkdir -p "$dir"
  if [[ -z "$first" ]]; then
    (cd "$here" && go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$dir/terraform-provider-icgpu_v$version" .)
    first="$dir/terraform-provider-icgpu_v$version"
  else
    cp "$first" "$dir/terraform-provider-icgpu_v$version"
  fi
done
echo "installed terraform-provider-icgpu v$version ($platform) into $mirror" >&2
cat <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/ic-gpu/icgpu", "registry.opentofu.org/ic-gpu/icgpu"]
  }
  direct {
    exclude = ["registry.terraform.io/ic-gpu/icgpu", "registry.opentofu.org/ic-gpu/icgpu"]
  }
}
HCL
