#!/usr/bin/env bash
# Generate the provider's GraphQL client (package generated) with genqlient from
# schema/schema.graphql and schema/operations/*.graphql, as configured in genqlient.yaml.
#   terraform-provider/generate.sh [OUT_FILE]   (default: internal/client/generated/generated.go)
# With OUT_FILE the committed client is left alone (scripts/check-generated.sh compares the two).
set -euo pipefail
cd "$(dirname "$0")"
if [[ $# -eq 0 ]]; then
  exec go tool genqlient genqlient.yaml
fi
out=$(realpath -m "$1")
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The same configuration with absolute paths and another output file.
sed -e "s#^schema: \.\./#schema: $PWD/../#" \
    -e "s#^  - \.\./#  - $PWD/../#" \
    -e "s#^generated: .*#generated: $out#" genqlient.yaml > "$work/genqlient.yaml"
go tool genqlient "$work/genqlient.yaml"
