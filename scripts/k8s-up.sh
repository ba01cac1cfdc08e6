#!/usr/bin/env bash
# Start a private, throw-away Kubernetes control plane for the tests, with fake GPU nodes.
#
# etcd, kube-apiserver (RBAC on), kube-scheduler, kube-controller-manager and kwok, built from their
# Go modules by scripts/build-k8s.sh (cached outside the repository), run as background processes
# on 127.0.0.1, on ports chosen at run time, with certificates generated here by openssl. kwok plays
# the kubelet of fake nodes whose capacity mirrors the local simulator's inventory
# (ICGPU_LOCAL_INVENTORY; scripts/k8s/objects.py): no containers run and no GPU is needed, but pods
# are really scheduled, preempted and reported Running. The PriorityClasses icgpu-interactive and
# icgpu-batch are installed.
#
# Everything lives in the state directory (ICGPU_K8S_STATE, default $PWD/.test-k8s): pki/, the admin
# kubeconfig, etcd's data, logs/<process>.log and run/<process>.pid. scripts/k8s-down.sh stops the
# processes by those pids and removes it. Idempotent: a control plane already running from that
# directory is reused.
#
#   ICGPU_K8S_STATE      state directory (default: $PWD/.test-k8s)
#   ICGPU_K8S_TIMEOUT    seconds to wait for each readiness step (default: 120)
#   ICGPU_PYTHON         Python with icgpu installed (default: the repository's .venv/bin/python)
#   ICGPU_TOOL_CACHE     where build-k8s.sh keeps the binaries
#
# stdout: exactly one line, the path of the admin kubeconfig (also the last line printed).
# stderr: everything else.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=k8s/lib.sh
. "$root/scripts/k8s/lib.sh"
export ICGPU_K8S_STATE=$K8S_STATE   # k8s-down.sh, run from here, works on the same directory

log() { echo "k8s-up: $*" >&2; }
timeout=${ICGPU_K8S_TIMEOUT:-120}
python=${ICGPU_PYTHON:-$root/.venv/bin/python}
[ -x "$python" ] || { log "no Python with icgpu at $python: run make install (or set ICGPU_PYTHON)"; exit 1; }
for tool in openssl curl; do
    command -v "$tool" >/dev/null 2>&1 || { log "$tool is not on PATH"; exit 1; }
done
kubeconfig="$K8S_STATE/kubeconfig"
pki="$K8S_STATE/pki"

# --- 1. binaries (built once per version, cached) ---------------------------------------------
bin=$("$root/scripts/build-k8s.sh")
stages="$(dirname "$bin")/kwok-stages.yaml"

# --- 2. reuse a control plane that is already running -----------------------------------------
api_ready() {
    curl -fsS --max-time 5 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
        "https://127.0.0.1:$1/readyz" >/dev/null 2>&1
}
if [ -s "$kubeconfig" ] && [ -s "$K8S_STATE/ports" ]; then
    all=1
    for name in "${K8S_PROCESSES[@]}"; do
        k8s_ours "$(k8s_pid "$name" || true)" || all=0
    done
    # shellcheck disable=SC1091
    if [ "$all" = 1 ] && . "$K8S_STATE/ports" && api_ready "$APISERVER_PORT"; then
        log "reusing the control plane running from $K8S_STATE (API server on port $APISERVER_PORT)"
        echo "$kubeconfig"
        exit 0
    fi
fi
if [ -e "$K8S_STATE" ]; then
    log "$K8S_STATE is stale; replacing it"
fi
"$root/scripts/k8s-down.sh"

# From here on, a failure stops whatever was started and removes the state, after showing the logs.
ok=0
cleanup() {
    [ "$ok" = 1 ] && return
    local f
    for f in "$K8S_STATE"/logs/*.log; do
        [ -s "$f" ] || continue
        echo "--- last lines of $f" >&2
        tail -n 15 "$f" >&2
    done
    "$root/scripts/k8s-down.sh" || true
}
trap cleanup EXIT

mkdir -p "$pki" "$K8S_STATE/logs" "$K8S_STATE/run" "$K8S_STATE/etcd" "$K8S_STATE/certs"
chmod 700 "$K8S_STATE" "$pki" "$K8S_STATE/etcd"

# --- 3. free loopback ports (held together while chosen, so all differ) -------------------------
"$python" - >"$K8S_STATE/ports" <<'PY'
import socket
names = ["ETCD_PORT", "ETCD_PEER_PORT", "APISERVER_PORT", "SCHEDULER_PORT", "CONTROLLER_MANAGER_PORT"]
held = []
for name in names:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
    print(f"{name}={s.getsockname()[1]}")
for s in held:
    s.close()
PY
# shellcheck disable=SC1091
. "$K8S_STATE/ports"
server="https://127.0.0.1:$APISERVER_PORT"
log "state in $K8S_STATE; API server on port $APISERVER_PORT"

# --- 4. certificates -----------------------------------------------------------------------------
"$root/scripts/k8s/pki.sh" "$pki"

# A kubeconfig with the client certificate $2 embedded (so it works from any directory).
write_kubeconfig() {
    local out=$1 user=$2
    cat >"$out" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: icgpu-test
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$user.crt")
    client-key-data: $(base64 -w0 <"$pki/$user.key")
contexts:
- name: icgpu-test
  context:
    cluster: icgpu-test
    user: $user
current-context: icgpu-test
KUBECONFIG
    chmod 600 "$out"
}
write_kubeconfig "$kubeconfig" admin
write_kubeconfig "$pki/scheduler.kubeconfig" scheduler
write_kubeconfig "$pki/controller-manager.kubeconfig" controller-manager

# --- 5. processes ------------------------------------------------------------------------------
# Each runs in its own session (an interrupt of the caller's terminal does not reach it); its pid
# is recorded for k8s-down.sh.
start() {
    local name=$1
    shift
    setsid "$@" </dev/null >"$K8S_STATE/logs/$name.log" 2>&1 &
    echo $! >"$K8S_STATE/run/$name.pid"
}

# Poll "$@" until it succeeds, for at most $timeout seconds; fail at once if process $1 has died.
wait_for() {
    local name=$1 what=$2 i
    shift 2
    for ((i = 0; i < timeout * 10; i++)); do
        "$@" && return 0
        k8s_ours "$(k8s_pid "$name")" || { log "$name exited while waiting for $what"; return 1; }
        sleep 0.1
    done
    log "timed out after $timeout s waiting for $what"
    return 1
}
etcd_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; }

start etcd "$bin/etcd" --name icgpu-test --data-dir "$K8S_STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "icgpu-test=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
wait_for etcd "etcd /health" etcd_healthy

start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer "$server" \
    --authorization-mode RBAC \
    --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none \
    --profiling=false
wait_for kube-apiserver "kube-apiserver /readyz" api_ready "$APISERVER_PORT"
log "API server ready"

# Both with their own identities (system:kube-scheduler, system:kube-controller-manager): RBAC's
# bootstrap roles grant them what they need, as on a kubeadm cluster.
start kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
    --cert-dir "$K8S_STATE/certs/scheduler" --profiling=false
start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$pki/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$pki/controller-manager.kubeconfig" \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
    --cert-dir "$K8S_STATE/certs/controller-manager" --profiling=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=true --controllers '*' \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --flex-volume-plugin-dir "$K8S_STATE/flexvolume"
# kwok: the kubelet of every node (only the fake ones exist), with the stages from its module. It
# renews each node's Lease as a kubelet does (40 s, the kubelet's default): without one, the node
# controller marks a node Unknown once its status is older than the grace period, and kwok's
# node-initialize stage then writes its status afresh, without its addresses.
start kwok "$bin/kwok" --kubeconfig "$kubeconfig" \
    --manage-all-nodes=true --cidr 10.244.0.0/16 --node-ip 127.0.0.1 --config "$stages" \
    --node-lease-duration-seconds 40

# --- 6. objects, and the wait until pods can run --------------------------------------------------
PYTHONPATH="$root/scripts/k8s${PYTHONPATH:+:$PYTHONPATH}" "$python" "$root/scripts/k8s/bootstrap.py" \
    --server "$server" --pki "$pki" --timeout "$timeout" \
    --scheduler-port "$SCHEDULER_PORT" --controller-manager-port "$CONTROLLER_MANAGER_PORT"
for name in "${K8S_PROCESSES[@]}"; do
    k8s_ours "$(k8s_pid "$name")" || { log "$name is not running"; exit 1; }
done

ok=1
log "control plane up; stop it with: ICGPU_K8S_STATE=$K8S_STATE scripts/k8s-down.sh"
echo "$kubeconfig"
