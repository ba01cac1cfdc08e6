#!/usr/bin/env bash
# Stop the control plane started by scripts/k8s-up.sh and remove its state directory.
#
# Only the processes whose pids are recorded in <state>/run/*.pid, and whose command lines name
# that state directory, are stopped (SIGTERM, then SIGKILL after a bounded wait); no other process
# on the machine is touched. Idempotent: nothing to stop and nothing to remove is success.
# Silent on success (it runs after the test output), loud on trouble.
#
#   ICGPU_K8S_STATE   the state directory (default: $PWD/.test-k8s), as given to k8s-up.sh
set -euo pipefail
# shellcheck source=k8s/lib.sh
. "$(dirname "$0")/k8s/lib.sh"

log() { echo "k8s-down: $*" >&2; }

[ -e "$K8S_STATE" ] || exit 0

# Stop one group of processes: SIGTERM, a bounded wait, then SIGKILL for what is left.
stop() {
    local name pid pids=()
    for name in "$@"; do
        pid=$(k8s_pid "$name" || true)
        if k8s_ours "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    [ "${#pids[@]}" -gt 0 ] || return 0
    k8s_wait_gone 15 "${pids[@]}" && return 0
    log "still running after SIGTERM: ${pids[*]}; sending SIGKILL"
    for pid in "${pids[@]}"; do
        if k8s_ours "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    done
    k8s_wait_gone 5 "${pids[@]}"
}

# The clients of the API server first, then the API server, then etcd under it.
status=0
stop kwok kube-controller-manager kube-scheduler || status=1
stop kube-apiserver || status=1
stop etcd || status=1
if [ "$status" != 0 ]; then
    log "some processes of $K8S_STATE did not stop; leaving it in place"
    exit 1
fi
rm -rf "$K8S_STATE"
