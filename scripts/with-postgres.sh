#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 cluster, with DATABASE_URL pointing at it.
#
#   scripts/with-postgres.sh DBNAME COMMAND [ARGS...]
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port only,
# trusts local connections and is stopped and deleted on exit (success, failure or Ctrl-C).
# As root (CI), the server runs as the `postgres` user; otherwise as the current user.
# fsync and synchronous commit are off: the data is thrown away. Exits with COMMAND's exit code.
# Used by scripts/test-postgres.sh (make test-postgres) and scripts/bench.sh (make bench).
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 DBNAME COMMAND [ARGS...]" >&2
    exit 2
fi
DBNAME=$1
shift

cd "$(dirname "$0")/.."

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
IS_ROOT=false
[[ $(id -u) -eq 0 ]] && IS_ROOT=true

have_binaries() {
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/postgres && -x $PG_BIN/psql ]]
}

if ! have_binaries; then
    if ! $IS_ROOT; then
        echo "error: PostgreSQL 15 server binaries not found in $PG_BIN." >&2
        echo "Install them (Debian/Ubuntu: sudo apt-get install postgresql-15) or set PG_BIN to their directory." >&2
        exit 1
    fi
    echo "PostgreSQL 15 not found in $PG_BIN: installing it with apt-get." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Install postgresql-common first and tell it not to create and start a 'main' cluster,
    # which would otherwise keep running on port 5432 after this script has finished.
    apt-get install -y -qq --no-install-recommends postgresql-common
    sed -ri 's/^#?\s*(create_main_cluster)\s*=.*$/\1 = false/' /etc/postgresql-common/createcluster.conf
    apt-get install -y -qq --no-install-recommends postgresql-15 \
        || apt-get install -y -qq --no-install-recommends postgresql
    if ! have_binaries; then
        echo "error: installed PostgreSQL, but $PG_BIN still lacks initdb/pg_ctl/postgres/psql." >&2
        exit 1
    fi
fi

if $IS_ROOT; then
    if ! id postgres >/dev/null 2>&1; then
        echo "error: running as root, but there is no 'postgres' user to run the server as." >&2
        exit 1
    fi
    # /tmp, not $TMPDIR: the postgres user must be able to reach the directory.
    PGTMP=$(mktemp -d /tmp/with-postgres.XXXXXX)
    chown postgres: "$PGTMP"
else
    PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")
fi
DATA=$PGTMP/data
SOCKDIR=$PGTMP/sock
LOG=$PGTMP/postgres.log

# Run a PostgreSQL program as the server's owner, from a directory that user can read.
as_pg() {
    if $IS_ROOT; then
        if command -v runuser >/dev/null; then
            (cd "$PGTMP" && runuser -u postgres -- "$@")
        else
            (cd "$PGTMP" && su -s /bin/sh postgres -c "$(printf '%q ' "$@")")
        fi
    else
        (cd "$PGTMP" && "$@")
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -f $DATA/postmaster.pid ]]; then
        if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
            # pg_ctl could not stop it: end the postmaster we started, by its pid.
            local pid
            pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)
            [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$PGTMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg mkdir -m 700 "$SOCKDIR"

initdb_args=(-D "$DATA" --auth=trust -U postgres --encoding=UTF8)
if ! as_pg "$PG_BIN/initdb" "${initdb_args[@]}" --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1; then
    echo "initdb with --locale=C.UTF-8 failed; retrying with --no-locale." >&2
    as_pg rm -rf "$DATA"
    if ! as_pg "$PG_BIN/initdb" "${initdb_args[@]}" --no-locale >"$PGTMP/initdb.log" 2>&1; then
        cat "$PGTMP/initdb.log" >&2
        echo "error: initdb failed." >&2
        exit 1
    fi
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A port picked free can be taken before the server binds it: try a few.
started=false
for _ in 1 2 3; do
    PORT=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$SOCKDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        started=true
        break
    fi
done
if ! $started; then
    cat "$LOG" >&2 || true
    echo "error: the PostgreSQL server did not start." >&2
    exit 1
fi

PSQL=("$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)
echo "PostgreSQL server on 127.0.0.1:$PORT: $("${PSQL[@]}" -Atc 'SELECT version()')"
"${PSQL[@]}" -c "CREATE DATABASE \"$DBNAME\""

# DATABASE_URL_FILE would take precedence over DATABASE_URL in backend/env.py.
unset DATABASE_URL_FILE
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/$DBNAME"

# Not `exec`: the EXIT trap must stop the server afterwards. The command's exit code is kept.
rc=0
"$@" || rc=$?
exit "$rc"
