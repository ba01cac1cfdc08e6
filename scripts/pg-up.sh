#!/usr/bin/env bash
# Start a private, throw-away PostgreSQL cluster for the test suite.
#
# The cluster lives in $PWD/.test-pg (data dir, log, unix socket, port file),
# listens on 127.0.0.1 only, on a port chosen at run time, with trust auth.
# It is idempotent: if our cluster is already running it is reused.
#
# stdout: exactly one line, the SQLAlchemy URL of the test database.
# stderr: everything else.
set -euo pipefail

PG_USER=icgpu-pg          # unprivileged OS user that owns/runs the cluster
DB_ROLE=icgpu             # database superuser role
DB_NAME=icgpu_test
DEFAULT_PORT=55432

# Every message goes to stderr; stdout is reserved for the URL.
log() { echo "pg-up: $*" >&2; }

TEST_PG="$PWD/.test-pg"

# --- 1. server binaries ----------------------------------------------------
find_bindir() {
    # Highest installed major version wins.
    local initdb
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$initdb" ] && dirname "$initdb"
}

BINDIR=$(find_bindir || true)
if [ -z "$BINDIR" ]; then
    log "PostgreSQL server binaries not found; installing from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    # Install postgresql-common first and tell it not to create (and so not
    # start) the default "main" cluster on port 5432: we never use that one.
    apt-get install -y postgresql-common >&2
    conf=/etc/postgresql-common/createcluster.conf
    if grep -Eq '^[#[:space:]]*create_main_cluster' "$conf" 2>/dev/null; then
        sed -i -E 's/^[#[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$conf"
    else
        echo 'create_main_cluster = false' >>"$conf"
    fi
    apt-get install -y postgresql >&2
    BINDIR=$(find_bindir || true)
    [ -n "$BINDIR" ] || { log "initdb still missing after install"; exit 1; }
fi
log "using $BINDIR"

# --- 2. unprivileged OS user (postgres refuses to run as root) -------------
if ! id -u "$PG_USER" >/dev/null 2>&1; then
    log "creating system user $PG_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
fi

# Run a command as the cluster owner (directly if we are not root). It runs
# from / so that an unreadable current directory causes no warnings.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u "$PG_USER" -- "$@")
    else
        "$@"
    fi
}

# --- 3. reuse a cluster that is already running ----------------------------
# Reuse only if the pid in postmaster.pid is alive, is the postmaster of this
# data dir (.test-pg may be a symlink, see step 4) and accepts connections.
if [ -e "$TEST_PG/data/PG_VERSION" ]; then
    real=$(readlink -f "$TEST_PG")
    pid=$(head -n 1 "$real/data/postmaster.pid" 2>/dev/null || true)
    port=$(cat "$TEST_PG/port" 2>/dev/null || true)
    if [ -n "$pid" ] && [ -n "$port" ] &&
        grep -qzxF -- "$real/data" "/proc/$pid/cmdline" 2>/dev/null &&
        "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        log "reusing running cluster in $TEST_PG on port $port"
        echo "postgresql+asyncpg://$DB_ROLE@127.0.0.1:$port/$DB_NAME"
        exit 0
    fi
    log "cluster in $TEST_PG is stale; replacing it"
fi
# Stop whatever is left of ours (only ours) and remove .test-pg entirely.
"$(dirname "${BASH_SOURCE[0]}")/pg-down.sh"

# --- 4. fresh cluster directory --------------------------------------------
mkdir -p "$TEST_PG"
if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_USER:" "$TEST_PG"
    chmod 700 "$TEST_PG"
    # The repo may sit under a directory $PG_USER cannot enter (e.g. /root).
    # Then keep the cluster in /tmp and leave a symlink at .test-pg.
    if ! runuser -u "$PG_USER" -- test -w "$TEST_PG"; then
        rmdir "$TEST_PG"
        real=$(mktemp -d /tmp/icgpu-test-pg.XXXXXX)
        chown "$PG_USER:" "$real"
        ln -s "$real" "$TEST_PG"
        log "$PWD is not reachable by $PG_USER; cluster lives in $real"
    fi
fi
REAL=$(readlink -f "$TEST_PG")

# Unix socket paths are limited to ~107 bytes; with a very deep checkout put
# the socket in a short /tmp dir instead (TCP on 127.0.0.1 is what tests use).
SOCKDIR=$REAL
if [ "${#REAL}" -gt 80 ]; then
    SOCKDIR=$(mktemp -d /tmp/icgpu-pg-sock.XXXXXX)
    [ "$(id -u)" -ne 0 ] || chown "$PG_USER:" "$SOCKDIR"
    echo "$SOCKDIR" >"$REAL/sockdir"
fi

# --- 5. pick a free port ---------------------------------------------------
port_free() {
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
# Like postgres itself: a port held only by TIME_WAIT sockets is usable.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}
if port_free "$DEFAULT_PORT"; then
    port=$DEFAULT_PORT
else
    # Let the kernel pick an unused port.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
fi
log "using port $port"

# --- 6. initdb, config, start ----------------------------------------------
# initdb is chatty: keep its output in a file and show it only on failure.
if ! as_pg "$BINDIR/initdb" -D "$REAL/data" -U "$DB_ROLE" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$TEST_PG/initdb.log" 2>&1; then
    cat "$TEST_PG/initdb.log" >&2
    log "initdb failed"
    exit 1
fi

cat >>"$REAL/data/postgresql.conf" <<CONF

# --- icgpu test settings (speed over durability) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$SOCKDIR'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF

# Trust auth for loopback TCP and our own unix socket only.
cat >"$REAL/data/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
HBA

echo "$port" >"$TEST_PG/port"
if ! as_pg "$BINDIR/pg_ctl" -D "$REAL/data" -l "$REAL/log" -w -t 60 -s start >&2; then
    tail -n 20 "$REAL/log" >&2 || true
    log "server failed to start"
    exit 1
fi

# --- 7. database owned by the icgpu role -----------------------------------
as_pg "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U "$DB_ROLE" -O "$DB_ROLE" "$DB_NAME" >&2
log "cluster up (pid file $REAL/data/postmaster.pid, log $REAL/log)"

echo "postgresql+asyncpg://$DB_ROLE@127.0.0.1:$port/$DB_NAME"
