# Shared by scripts/k8s-up.sh and scripts/k8s-down.sh (sourced, not run).
#
# The control plane's state directory: certificates, kubeconfigs, etcd's data, logs, and one pid
# file per process (run/<name>.pid). ICGPU_K8S_STATE moves it (the tests give each run its own);
# the default, like .test-pg, is in the current directory.
K8S_STATE=${ICGPU_K8S_STATE:-$PWD/.test-k8s}
case $K8S_STATE in /*) ;; *) K8S_STATE=$PWD/$K8S_STATE ;; esac
# Started in this order, stopped in the reverse one.
K8S_PROCESSES=(etcd kube-apiserver kube-scheduler kube-controller-manager kwok)

# The pid recorded for process $1, if any.
k8s_pid() {
    local file="$K8S_STATE/run/$1.pid"
    [ -s "$file" ] && cat "$file"
}

# Is pid $1 alive and one of ours? Every process of the control plane names a file of the state
# directory on its command line; a pid since reused by an unrelated process does not.
k8s_ours() {
    [ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] &&
        tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$K8S_STATE/"
}

# Wait until none of the given pids is one of ours, polling for at most $1 seconds.
k8s_wait_gone() {
    local seconds=$1 pid alive i
    shift
    for ((i = 0; i < seconds * 10; i++)); do
        alive=0
        for pid in "$@"; do
            if k8s_ours "$pid"; then alive=1; fi
        done
        [ "$alive" = 1 ] || return 0
        sleep 0.1
    done
    return 1
}
