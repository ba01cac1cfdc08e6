#!/usr/bin/env bash
# The TypeScript SDK (@ic-gpu/client): install from the lockfile when needed, type-check, build,
# and run its suite (node --test) against a real server it starts itself on 127.0.0.1.
#
#   scripts/test-sdk-ts.sh            install if needed, typecheck, build, test
#   scripts/test-sdk-ts.sh install    install if needed, nothing else (for `npm run generate`)
#
# `npm ci` runs only when node_modules is missing or package-lock.json changed since the last
# install (a stamp holds the lockfile's hash). The server is the repository's own
# .venv/bin/icgpu (ICGPU_BIN overrides it).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/sdk-typescript"

stamp=node_modules/.icgpu-lockfile.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "sdk-typescript: npm ci (lockfile changed or node_modules missing)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "install" ]; then
  exit 0
fi

if [ ! -x "${ICGPU_BIN:-$root/.venv/bin/icgpu}" ]; then
  echo "sdk-typescript: ${ICGPU_BIN:-$root/.venv/bin/icgpu} not found: run make install" >&2
  exit 1
fi

npm run --silent typecheck
npm run --silent build
npm test
