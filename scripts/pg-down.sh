#!/usr/bin/env bash
# Stop the private test cluster started by scripts/pg-up.sh and remove it.
#
# Only the postmaster whose pid is in $PWD/.test-pg/data/postmaster.pid is
# stopped; no other PostgreSQL process on the machine is touched.
# Silent on success (it runs after the test output), loud on trouble.
set -euo pipefail

PG_USER=icgpu-pg
TEST_PG="$PWD/.test-pg"

log() { echo "pg-down: $*" >&2; }

[ -e "$TEST_PG" ] || exit 0   # nothing to do
REAL=$(readlink -f "$TEST_PG")
PIDFILE="$REAL/data/postmaster.pid"

# Run a command as the cluster owner (directly if we are not root).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}

# The first line of postmaster.pid is the postmaster's pid.
pid=""
if [ -s "$PIDFILE" ]; then
    pid=$(head -n 1 "$PIDFILE")
fi

# Is $pid alive and really the postmaster of *this* data directory? (A stale
# pid file may name a pid since reused by an unrelated process.)
ours() {
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
        grep -qzxF -- "$REAL/data" "/proc/$pid/cmdline"
}

if ours; then
    # pg_ctl from the version that created the data directory.
    version=$(cat "$REAL/data/PG_VERSION")
    pg_ctl="/usr/lib/postgresql/$version/bin/pg_ctl"
    if ! as_pg "$pg_ctl" -D "$REAL/data" -m fast -w -t 30 -s stop >&2; then
        # Fall back to signalling that one pid: SIGQUIT is an immediate shutdown.
        log "pg_ctl stop failed; sending SIGQUIT to $pid"
        ours && kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            ours || break
            sleep 0.1
        done
    fi
    if ours; then
        log "postmaster $pid is still running; leaving $TEST_PG in place"
        exit 1
    fi
fi

# Remove everything, so the next pg-up starts from a clean cluster.
if [ -s "$TEST_PG/sockdir" ]; then
    rm -rf "$(cat "$TEST_PG/sockdir")"
fi
if [ -L "$TEST_PG" ]; then
    rm -rf "$REAL"
fi
rm -rf "$TEST_PG"
