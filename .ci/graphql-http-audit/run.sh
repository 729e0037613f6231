#!/usr/bin/env bash
# The graphql-http conformance audit against a real InferGraph server: a freshly seeded
# temporary SQLite database, served on a free loopback port, stopped however this ends.
# Usage: .ci/graphql-http-audit/run.sh [PYTHON]   (a python with InferGraph installed)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${1:-python3}"
workdir="$(mktemp -d)"
server_pid=""

cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
env -u INFERGRAPH_DATABASE_URL INFERGRAPH_SQLITE_PATH="$workdir/audit.db" \
    "$python" -m api serve --host 127.0.0.1 --port "$port" >"$workdir/server.log" 2>&1 &
server_pid=$!

healthy() {
    "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$port/health" 2>/dev/null
}
# Migrating and seeding the new database takes a few seconds; give it up to a minute.
for _ in $(seq 1 120); do
    healthy && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "the server exited before it was healthy:" >&2
        cat "$workdir/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
if ! healthy; then
    echo "the server did not become healthy within a minute:" >&2
    cat "$workdir/server.log" >&2
    exit 1
fi

node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
