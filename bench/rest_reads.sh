#!/usr/bin/env bash
# REST reads under 64 keep-alive clients: `GET /ticks/?…&limit=1` through
# fx-bridge and fx-core, next to its two ceilings measured in the same run:
# bench-mhd-ceiling with a trivial handler, and with one nng round trip to
# an echo REP per request (--nng-echo: what any request that reaches fx-core
# costs at least). wrk -t2 -c64.
#
#   bench/rest_reads.sh [SECONDS] [RUNS]        (defaults: 8 3)
#
# Needs DATABASE_URL (after ./scripts/up.sh: . .data/env), wrk, and a build
# in BIN (default build/bin; a Release build for figures). BRIDGE_BIN, when
# set, names another folder whose fx-bridge is measured too (before/after).
# Prints each run and the medians with their ratios; deletes its tick.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/services.sh
. "$root/scripts/lib/services.sh"
# shellcheck source=lib.sh
. "$root/bench/lib.sh"

secs=${1:-8}
runs=${2:-3}
bin=${BIN:-$root/build/bin}
other=${BRIDGE_BIN:-}
: "${DATABASE_URL:?set DATABASE_URL (. .data/env)}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fx-bench-reads.XXXXXX")
symbol=WRKREAD
pids=()
sql() { psql "$DATABASE_URL" -qAtc "$1"; }

cleanup() {
    fx_bench_stop
    for t in ticks candles_1m candles_1h candles_1d; do sql "DELETE FROM $t WHERE symbol = '$symbol'" || true; done
    rm -rf "$work"
}
trap cleanup EXIT


wait_http() {
    for _ in $(seq 100); do
        curl -fs "http://127.0.0.1:$1$2" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    return 1
}

# wrk_rate URL: requests/s (warns about non-2xx answers).
wrk_rate() {
    wrk -t2 -c64 -d"${secs}s" "$1" >"$work/wrk.txt" 2>&1 || true
    if grep -q "Non-2xx" "$work/wrk.txt"; then echo "warning: $(grep Non-2xx "$work/wrk.txt")" >&2; fi
    awk '/^Requests\/sec:/ { printf "%d\n", $2 }' "$work/wrk.txt"
}

# ceiling_run [--nng-echo]
ceiling_run() {
    local port
    port=$(fx_pick_free_port 29000)
    "$bin/bench-mhd-ceiling" "$port" "$@" >>"$work/ceiling.log" 2>&1 &
    pids+=($!)
    wait_http "$port" /
    wrk_rate "http://127.0.0.1:$port/"
    fx_bench_stop
}

# fx_run BRIDGE_FOLDER: GET /ticks/ of one tick through a fresh core + bridge.
fx_run() {
    local rpc feed port
    rpc="tcp://127.0.0.1:$(fx_pick_free_port 25755)"
    feed="tcp://127.0.0.1:$(fx_pick_free_port 25756)"
    port=$(fx_pick_free_port 28100)
    FX_RPC_URL=$rpc FX_FEED_URL=$feed INGEST_ENABLED=0 LOG_LEVEL=warn "$bin/fx-core" >>"$work/core.log" 2>&1 &
    pids+=($!)
    FX_RPC_URL=$rpc FX_FEED_URL=$feed BRIDGE_PORT=$port LOG_LEVEL=warn "$1/fx-bridge" >>"$work/bridge.log" 2>&1 &
    pids+=($!)
    wait_http "$port" /health
    curl -fs -o /dev/null -X POST "http://127.0.0.1:$port/ticks/" -H 'Content-Type: application/json' \
        -d "{\"symbol\":\"$symbol\",\"time\":\"2025-12-05T10:00:00Z\",\"price\":1.085}" || true
    wrk_rate "http://127.0.0.1:$port/ticks/?symbol=$symbol&start=2025-12-05T00:00:00Z&end=2025-12-06T00:00:00Z&limit=1"
    fx_bench_stop
}

declare -a trivial nngecho fx old
for ((r = 1; r <= runs; r++)); do
    trivial+=("$(ceiling_run)")
    nngecho+=("$(ceiling_run --nng-echo)")
    fx+=("$(fx_run "$bin")")
    line="run $r: trivial ${trivial[-1]}/s, MHD+nng echo ${nngecho[-1]}/s, GET /ticks/ ${fx[-1]}/s"
    if [[ -n $other ]]; then
        old+=("$(fx_run "$other")")
        line+=", with $other/fx-bridge ${old[-1]}/s"
    fi
    echo "$line"
done
mt=$(printf '%s\n' "${trivial[@]}" | fx_bench_median)
me=$(printf '%s\n' "${nngecho[@]}" | fx_bench_median)
mf=$(printf '%s\n' "${fx[@]}" | fx_bench_median)
ratio() { printf '%.2f×' "$(echo "$1 / $2" | bc -l)"; }
printf '\n| work (wrk -t2 -c64, %d s, medians of %d runs) | req/s | ratio to MHD+nng echo | to trivial |\n' "$secs" "$runs"
printf '|---|---|---|---|\n'
printf '| ceiling: trivial libmicrohttpd handler | %s | %s | 1 |\n' "$mt" "$(ratio "$mt" "$me")"
printf '| ceiling: libmicrohttpd handler + one nng round trip (--nng-echo) | %s | 1 | %s |\n' "$me" "$(ratio "$me" "$mt")"
printf '| GET /ticks/?…&limit=1 (%s) | %s | %s | %s |\n' "$bin" "$mf" "$(ratio "$mf" "$me")" "$(ratio "$mf" "$mt")"
if [[ -n $other ]]; then
    mo=$(printf '%s\n' "${old[@]}" | fx_bench_median)
    printf '| GET /ticks/?…&limit=1 (%s/fx-bridge) | %s | %s | %s |\n' "$other" "$mo" "$(ratio "$mo" "$me")" \
        "$(ratio "$mo" "$mt")"
fi
