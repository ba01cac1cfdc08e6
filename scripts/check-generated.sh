#!/usr/bin/env bash
# Fail, saying "run make generate", when a generated file differs from what the committed schema
# and operations produce: schema/schema.graphql against the server's code, the Python SDK's
# generated clients, the TypeScript SDK's generated code and the Terraform provider's Go client.
# Everything is regenerated into a temp dir; nothing in the work tree is written.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BIN=${BIN:-.venv/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stale=()

# 1. The committed schema is the one the code serves.
if ! "$BIN/icgpu" schema export --check >"$work/schema.log" 2>&1; then
  cat "$work/schema.log" >&2
  stale+=("schema/schema.graphql or schema/openapi.json")
fi

# 2. Python SDK: regenerate and compare.
sdk-python/codegen/generate.sh "$work/python" >/dev/null
if ! diff -r -q -x __pycache__ "$work/python" sdk-python/ic_gpu/generated >"$work/python.diff"; then
  cat "$work/python.diff" >&2
  stale+=("sdk-python/ic_gpu/generated")
fi

# 3. TypeScript SDK: its own generator, run in a copy laid out like the repository.
if [[ -f sdk-typescript/package.json ]]; then
  scripts/test-sdk-ts.sh install >/dev/null  # npm ci when node_modules is missing or the lockfile changed
  mkdir -p "$work/ts/sdk-typescript"
  ln -s "$ROOT/schema" "$work/ts/schema"
  ln -s "$ROOT/sdk-typescript/node_modules" "$work/ts/sdk-typescript/node_modules"
  cp sdk-typescript/package.json sdk-typescript/codegen.* "$work/ts/sdk-typescript/"
  npm --prefix "$work/ts/sdk-typescript" run --silent generate >"$work/ts.log" 2>&1 || { cat "$work/ts.log" >&2; exit 1; }
  if ! diff -r -q "$work/ts/sdk-typescript/src/generated" sdk-typescript/src/generated >"$work/ts.diff"; then
    cat "$work/ts.diff" >&2
    stale+=("sdk-typescript/src/generated")
  fi
fi

# 4. The Terraform provider's genqlient client.
terraform-provider/generate.sh "$work/go/generated.go" >"$work/go.log" 2>&1 || { cat "$work/go.log" >&2; exit 1; }
if ! diff -q "$work/go/generated.go" terraform-provider/internal/client/generated/generated.go >"$work/go.diff"; then
  cat "$work/go.diff" >&2
  stale+=("terraform-provider/internal/client/generated")
fi

if ((${#stale[@]})); then
  printf 'generated files are out of date (%s): run make generate\n' "$(IFS=,; echo "${stale[*]}")" >&2
  exit 1
fi
echo "generated files are up to date"
