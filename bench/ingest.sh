#!/usr/bin/env bash
# Sustained Redis Stream -> PostgreSQL ingestion, with rollups, fsync on.
#
#   bench/ingest.sh [TICKS] [WS_CLIENTS]      (defaults: 1000000 0)
#
# Fills a fresh stream with TICKS entries from fx-tickgen (4 symbols, times
# of now), then starts an fx-core that drains it (INGEST_BATCH, default 5000)
# and times it until the consumer group has nothing left to read or
# acknowledge. With WS_CLIENTS > 0 an fx-bridge runs too, and that many
# WebSocket clients (bench-ws-latency --listen-only) follow the minute candles
# of the 4 symbols meanwhile. Checks every tick was stored once and counted
# once in the minute candles, then deletes the benchmark's ticks and stream.
# CORES=2 drains with two fx-core processes in the one consumer group (the
# bridge, if any, lists both). Needs DATABASE_URL and REDIS_URL (after
# ./scripts/up.sh: . .data/env) and a build in BIN (default build/bin; a
# Release build for figures).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/services.sh
. "$root/scripts/lib/services.sh"

ticks=${1:-1000000}
clients=${2:-0}
bin=${BIN:-$root/build/bin}
: "${DATABASE_URL:?set DATABASE_URL (. .data/env)}" "${REDIS_URL:?set REDIS_URL (. .data/env)}"
tag=$$
symbols="BENCHA$tag,BENCHB$tag,BENCHC$tag,BENCHD$tag"
stream="bench:ingest:$tag"
work=$(mktemp -d "${TMPDIR:-/tmp}/fx-bench-ingest.XXXXXX")
pids=()

redis() { redis-cli -u "$REDIS_URL" "$@"; }
sql() { psql "$DATABASE_URL" -qAtc "$1"; }

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    redis DEL "$stream" "$stream:dead" >/dev/null || true
    local list="'${symbols//,/\',\'}'"
    sql "DELETE FROM ticks WHERE symbol IN ($list); DELETE FROM candles_1m WHERE symbol IN ($list);
         DELETE FROM candles_1h WHERE symbol IN ($list); DELETE FROM candles_1d WHERE symbol IN ($list)" || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "==> filling $stream with $ticks entries (fx-tickgen, 4 symbols)"
secs=$(((ticks + 99999) / 100000))
"$bin/fx-tickgen" --stream "$stream" --symbols "$symbols" --rate "$((ticks / secs))" --duration "$secs" \
    2>"$work/tickgen.log"
tail -1 "$work/tickgen.log"
entries=$(redis XLEN "$stream")

cores=${CORES:-1}
rpcs=() feeds=()
for ((i = 0; i < cores; i++)); do
    rpcs+=("tcp://127.0.0.1:$(fx_pick_free_port $((25555 + 10 * i)))")
    feeds+=("tcp://127.0.0.1:$(fx_pick_free_port $((25556 + 10 * i)))")
done
rpc_list=$(IFS=,; echo "${rpcs[*]}")
feed_list=$(IFS=,; echo "${feeds[*]}")
if ((clients > 0)); then
    port=$(fx_pick_free_port)
    FX_RPC_URL=$rpc_list FX_FEED_URL=$feed_list BRIDGE_PORT=$port BRIDGE_WS_MAX_CLIENTS=$((clients + 10)) \
        "$bin/fx-bridge" >"$work/bridge.log" 2>&1 &
    pids+=($!)
fi

with=""
((clients > 0)) && with=", $clients WebSocket clients listening"
echo "==> draining with $cores fx-core (INGEST_BATCH=${INGEST_BATCH:-5000}$with)"
start=$(date +%s.%N)
for ((i = 0; i < cores; i++)); do
    FX_RPC_URL=${rpcs[i]} FX_FEED_URL=${feeds[i]} REDIS_STREAM=$stream REDIS_GROUP=bench REDIS_CONSUMER=bench-$i \
        REDIS_DEAD_LETTER_STREAM=$stream:dead INGEST_BATCH=${INGEST_BATCH:-5000} "$bin/fx-core" >"$work/core$i.log" 2>&1 &
    pids+=($!)
done
if ((clients > 0)); then
    sleep 0.5 # the bridge connects to the core's feed
    "$bin/bench-ws-latency" --listen-only --clients "$clients" --symbols "$symbols" --port "$port" \
        --seconds 3600 >"$work/clients.log" 2>&1 &
    clients_pid=$!
    pids+=("$clients_pid")
fi

# Done when the group has read everything and nothing is pending.
while :; do
    sleep 0.2
    info=$(redis XINFO GROUPS "$stream" 2>/dev/null | tr '\n' ' ')
    lag=$(sed -n 's/.* lag \([0-9]*\).*/\1/p' <<<" $info")
    pending=$(sed -n 's/.* pending \([0-9]*\).*/\1/p' <<<" $info")
    [[ $lag == 0 && $pending == 0 ]] && break
done
end=$(date +%s.%N)

list="'${symbols//,/\',\'}'"
stored=$(sql "SELECT count(*) FROM ticks WHERE symbol IN ($list)")
counted=$(sql "SELECT coalesce(sum(tick_count), 0) FROM candles_1m WHERE symbol IN ($list)")
awk -v n="$entries" -v s="$start" -v e="$end" \
    'BEGIN { printf "ingested %d entries in %.2f s = %.0f ticks/s\n", n, e - s, n / (e - s) }'
echo "stored $stored ticks, minute candles count $counted"
if ((clients > 0)); then
    kill -INT "$clients_pid" 2>/dev/null || true
    curl -s "http://127.0.0.1:$port/ws/stats"
    echo
fi
[[ $stored == "$entries" && $counted == "$entries" ]] || {
    echo "MISMATCH: $entries entries, $stored stored, $counted counted" >&2
    exit 1
}
