#!/usr/bin/env bash
# Run a command with a throw-away redis-server, with REDIS_URL pointing at it.
#
#   scripts/with-redis.sh COMMAND [ARGS...]
#
# The server listens on 127.0.0.1 on a free port only, keeps nothing on disk (no RDB, no AOF) and is
# stopped (by its pid) on exit, success, failure or Ctrl-C. Exits with COMMAND's exit code.
# Used by scripts/load.sh (make load) and scripts/bench.sh (make bench): production keeps its cache,
# and so the API's throttle counters, in Redis (backend/settings/production.py requires REDIS_URL).
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if ! command -v redis-server >/dev/null; then
    echo "error: redis-server not found (Debian/Ubuntu: apt-get install redis-server)." >&2
    exit 1
fi

REDIS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/with-redis.XXXXXX")
REDIS_PID=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # Only the server this script started, by its pid.
    [[ -n $REDIS_PID ]] && kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A port picked free can be taken before the server binds it: try a few.
started=false
for _ in 1 2 3; do
    REDIS_PORT=$(free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$REDIS_DIR" \
        --logfile "$REDIS_DIR/redis.log" &
    REDIS_PID=$!
    for _ in $(seq 100); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        started=true
        break
    fi
    kill -TERM "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=
done
if ! $started; then
    cat "$REDIS_DIR/redis.log" >&2 || true
    echo "error: redis-server did not start." >&2
    exit 1
fi
echo "Redis server on 127.0.0.1:$REDIS_PORT: $(redis-server --version | cut -d' ' -f3)"

# REDIS_URL_FILE would take precedence over REDIS_URL in backend/env.py.
unset REDIS_URL_FILE
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"

# Not `exec`: the EXIT trap must stop the server afterwards. The command's exit code is kept.
rc=0
"$@" || rc=$?
exit "$rc"
