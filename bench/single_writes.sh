#!/usr/bin/env bash
# Single-tick writes under 64 concurrent clients: `POST /ticks/` through
# fx-bridge and fx-core (each request its own write, with its rollups), with
# group commit off (FX_GROUP_COMMIT_MAX=0) and on, next to the ceiling:
# pgbench, 64 clients, one INSERT per transaction into a plain table with the
# same primary key, in the same cluster. Durability as configured (fsync and
# synchronous_commit on by default).
#
#   bench/single_writes.sh [SECONDS] [RUNS]      (defaults: 8 3)
#
# Needs DATABASE_URL (after ./scripts/up.sh: . .data/env), wrk and pgbench,
# and a build in BIN (default build/bin; a Release build for figures).
# Prints each run and the medians with their ratio to the ceiling; deletes
# its ticks, candles and table at the end.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/services.sh
. "$root/scripts/lib/services.sh"
# shellcheck source=lib.sh
. "$root/bench/lib.sh"

secs=${1:-8}
runs=${2:-3}
bin=${BIN:-$root/build/bin}
: "${DATABASE_URL:?set DATABASE_URL (. .data/env)}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v pgbench >/dev/null || { echo "needs pgbench (Debian's postgresql-client)" >&2; exit 1; }
tag=$$
table=bench_plain_$tag
work=$(mktemp -d "${TMPDIR:-/tmp}/fx-bench-writes.XXXXXX")
pids=()
sql() { psql "$DATABASE_URL" -qAtc "$1"; }

cleanup() {
    fx_bench_stop
    sql "DROP TABLE IF EXISTS $table" || true
    for t in ticks candles_1m candles_1h candles_1d; do sql "DELETE FROM $t WHERE symbol LIKE 'WRK%'" || true; done
    rm -rf "$work"
}
trap cleanup EXIT


ceiling_run() {
    sql "DROP TABLE IF EXISTS $table; CREATE TABLE $table (symbol text, time timestamptz, price float8,
         PRIMARY KEY (symbol, time))"
    echo "INSERT INTO $table (symbol, time, price) VALUES ('S' || :client_id, clock_timestamp(), 1.085);" \
        >"$work/insert.sql"
    pgbench -n -c 64 -j 2 -T "$secs" -f "$work/insert.sql" "$DATABASE_URL" 2>/dev/null |
        awk '/^tps = / { printf "%d\n", $3 }'
}

# fx_run GROUP_MAX: requests/s of wrk against a fresh core + bridge.
fx_run() {
    local rpc feed port
    rpc="tcp://127.0.0.1:$(fx_pick_free_port 25655)"
    feed="tcp://127.0.0.1:$(fx_pick_free_port 25656)"
    port=$(fx_pick_free_port 28000)
    FX_RPC_URL=$rpc FX_FEED_URL=$feed INGEST_ENABLED=0 FX_GROUP_COMMIT_MAX=$1 LOG_LEVEL=warn \
        "$bin/fx-core" >>"$work/core.log" 2>&1 &
    pids+=($!)
    FX_RPC_URL=$rpc FX_FEED_URL=$feed BRIDGE_PORT=$port LOG_LEVEL=warn "$bin/fx-bridge" >>"$work/bridge.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    wrk -t2 -c64 -d"${secs}s" -s "$root/bench/post_tick.lua" "http://127.0.0.1:$port" >"$work/wrk.txt" 2>&1 || true
    fx_bench_stop
    if grep -q "Non-2xx" "$work/wrk.txt"; then
        echo "warning: $(grep Non-2xx "$work/wrk.txt")" >&2
    fi
    awk '/^Requests\/sec:/ { printf "%d\n", $2 }' "$work/wrk.txt"
}

declare -a ceil off on
for ((r = 1; r <= runs; r++)); do
    ceil+=("$(ceiling_run)")
    off+=("$(fx_run 0)")
    on+=("$(fx_run 256)")
    echo "run $r: ceiling ${ceil[-1]}/s, POST /ticks/ alone ${off[-1]}/s, with group commit ${on[-1]}/s"
done
mc=$(printf '%s\n' "${ceil[@]}" | fx_bench_median)
moff=$(printf '%s\n' "${off[@]}" | fx_bench_median)
mon=$(printf '%s\n' "${on[@]}" | fx_bench_median)
printf '\n| work (64 clients, %d s, medians of %d runs) | /s | ratio to ceiling |\n|---|---|---|\n' "$secs" "$runs"
printf '| ceiling: pgbench, one INSERT per transaction, plain table | %s | 1 |\n' "$mc"
printf '| POST /ticks/, each write its own transaction (FX_GROUP_COMMIT_MAX=0) | %s | %.2f× |\n' "$moff" \
    "$(echo "$moff / $mc" | bc -l)"
printf '| POST /ticks/, group commit (FX_GROUP_COMMIT_MAX=256) | %s | %.2f× |\n' "$mon" "$(echo "$mon / $mc" | bc -l)"
