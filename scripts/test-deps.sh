#!/usr/bin/env bash
# Install the system tools the test suite needs (ssh-keygen, chromium, unshare), from Debian packages,
# when they are missing.
#
# Idempotent: when every tool is already on PATH it changes nothing and does not touch the
# network; `apt-get update` runs only when something has to be installed.
set -euo pipefail

log() { echo "test-deps: $*" >&2; }

# tool on PATH -> Debian package that provides it
declare -A PACKAGE_OF=(
    [ssh-keygen]=openssh-client
    [chromium]=chromium      # tests/e2e/test_offline_ui.py: GraphiQL and Swagger UI in headless Chromium
    [unshare]=util-linux     # ... run inside a network namespace that has only loopback
)

missing=()
for tool in "${!PACKAGE_OF[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]} and apt-get is not available: install them by hand"
    exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "missing ${missing[*]}: run as root or install sudo"; exit 1; }
    SUDO=(sudo)
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update >&2
"${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
for tool in "${!PACKAGE_OF[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { log "$tool is still missing after installing ${PACKAGE_OF[$tool]}"; exit 1; }
done
