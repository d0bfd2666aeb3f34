#!/usr/bin/env bash
# The run command: install packages, build (build/, no sanitizers), then run
# PostgreSQL, Redis and fx-core on 127.0.0.1, everything under ./.data:
#   .data/pg      PostgreSQL cluster (kept across runs) and pg.log
#   .data/redis   Redis (append-only file, so queued ticks survive a restart)
#   .data/logs    one log per program      .data/run   pidfiles
#   .data/env     the URLs in use, to source
# Safe to re-run: running servers are reused, programs are restarted on the
# fresh build. Stop with ./scripts/down.sh.
# FX_DATA_DIR moves .data; FX_SKIP_DEPS=1 skips the package check;
# FX_RPC_URL / FX_FEED_URL / LOG_LEVEL are passed to fx-core if set.
# FX_CORES=2 (up to 9) runs that many fx-core processes, sharing the Redis
# Stream; fx-bridge and the printed FX_RPC_URL / FX_FEED_URL list them all.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
# shellcheck source=lib/deps.sh
. "$root/scripts/lib/deps.sh"
# shellcheck source=lib/services.sh
. "$root/scripts/lib/services.sh"
# shellcheck source=lib/web.sh
. "$root/scripts/lib/web.sh"

step() { printf '==> %s\n' "$*"; }
rel() { echo "${1#"$root"/}"; } # shorter paths in messages

data=${FX_DATA_DIR:-$root/.data}
mkdir -p "$data"
data=$(cd "$data" && pwd)
export FX_RUN_DIR=$data/run FX_LOG_DIR=$data/logs
mkdir -p "$FX_RUN_DIR" "$FX_LOG_DIR"
# As root PostgreSQL runs as user fxpg, which must reach .data/pg.
((EUID == 0)) && chmod 755 "$data"

cores=${FX_CORES:-1}
if [[ ! $cores =~ ^[1-9]$ ]]; then
    echo "error: FX_CORES=$cores: expected a number of fx-core processes from 1 to 9" >&2
    exit 2
fi
if ((cores > 1)) && [[ -n ${FX_RPC_URL:-}${FX_FEED_URL:-} ]]; then
    echo "error: FX_CORES=$cores picks the cores' addresses itself: leave FX_RPC_URL and FX_FEED_URL unset" >&2
    exit 2
fi

step "installing packages"
fx_install_deps
step "installing web assets (npm, web/node_modules)"
fx_install_web

step "building (build/, no sanitizers)"
cmake -S . -B build -DFX_SANITIZE= -DFX_BUILD_TESTS=OFF
cmake --build build -j "$(nproc)"

if fx_pg_running "$data/pg"; then
    step "reusing the running PostgreSQL"
    fx_pg_start "$data/pg" 0
else
    port=$(fx_pick_free_port 5432)
    step "starting PostgreSQL on port $port (data in $(rel "$data/pg"))"
    fx_pg_start "$data/pg" "$port"
fi

if fx_redis_running "$data/redis"; then
    step "reusing the running Redis"
    fx_redis_start "$data/redis" 0
else
    port=$(fx_pick_free_port 6379)
    step "starting Redis on port $port"
    fx_redis_start "$data/redis" "$port" --appendonly yes
fi

# Programs are restarted on the fresh build. Stopping them first also frees
# their ports, so they do not count as taken below.
for f in "$FX_RUN_DIR"/*.pid; do
    if [[ -e $f ]]; then fx_stop_bg "$(basename "$f" .pid)"; fi
done

# start_service NAME CMD...: start one of our programs in the background with
# the environment exported below; log in .data/logs/NAME.log.
start_service() {
    step "starting $1"
    fx_start_bg "$@"
}

# nng addresses: the defaults, or the next free ports; with FX_CORES, one
# pair per core (core i from 5555 + 10 i on) and the lists of all of them.
core_rpc=() core_feed=()
if [[ -z ${FX_RPC_URL:-} ]]; then
    for ((i = 0; i < cores; i++)); do
        core_rpc+=("tcp://127.0.0.1:$(fx_pick_free_port $((5555 + 10 * i)))")
    done
    FX_RPC_URL=$(IFS=,; echo "${core_rpc[*]}")
else
    core_rpc=("$FX_RPC_URL")
fi
if [[ -z ${FX_FEED_URL:-} ]]; then
    for ((i = 0; i < cores; i++)); do
        port=$(fx_pick_free_port $((5556 + 10 * i)))
        [[ $FX_RPC_URL == *:"$port"* ]] && port=$(fx_pick_free_port $((port + 1)))
        core_feed+=("tcp://127.0.0.1:$port")
    done
    FX_FEED_URL=$(IFS=,; echo "${core_feed[*]}")
else
    core_feed=("$FX_FEED_URL")
fi
if [[ -z ${BRIDGE_PORT:-} ]]; then
    BRIDGE_PORT=$(fx_pick_free_port 8000)
fi
export FX_RPC_URL FX_FEED_URL BRIDGE_PORT LOG_LEVEL=${LOG_LEVEL:-info}
export BRIDGE_STATIC_DIR=$root/web/node_modules

envfile=$data/env
envshow=$(rel "$envfile")
{
    echo "# Written by scripts/up.sh; load with: . $envshow"
    for v in DATABASE_URL REDIS_URL FX_RPC_URL FX_FEED_URL BRIDGE_PORT; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
} >"$envfile"

if ((cores == 1)); then
    start_service fx-core "$root/build/bin/fx-core"
else
    # one consumer name each, stable across restarts: each finds its own
    # pending entries of the stream again
    for ((i = 0; i < cores; i++)); do
        name=fx-core; ((i > 0)) && name=fx-core-$i
        (
            export FX_RPC_URL=${core_rpc[i]} FX_FEED_URL=${core_feed[i]} REDIS_CONSUMER=$(hostname)-core-$i
            start_service "$name" "$root/build/bin/fx-core"
        )
    done
fi
start_service fx-bridge "$root/build/bin/fx-bridge"
# A demo feed: 1 tick/s for each of three pairs into the Redis Stream, which
# fx-core ingests (FX_TICKGEN_SYMBOLS / FX_TICKGEN_RATE change it).
start_service fx-tickgen "$root/build/bin/fx-tickgen" --symbols "${FX_TICKGEN_SYMBOLS:-EURUSD,GBPUSD,USDJPY}" \
    --rate "${FX_TICKGEN_RATE:-3}"
# More programs go here, one line each.

step "waiting for fx-core to answer on $FX_RPC_URL"
for ((i = 0; ; i++)); do
    if ! fx_bg_pid fx-core >/dev/null; then
        echo "error: fx-core exited; end of $(rel "$FX_LOG_DIR/fx-core.log"):" >&2
        tail -n 30 "$FX_LOG_DIR/fx-core.log" >&2
        exit 1
    fi
    timeout 5 build/bin/fxctl health >/dev/null 2>&1 && break
    if ((i >= 60)); then
        echo "error: fx-core did not answer within 30 s; see $(rel "$FX_LOG_DIR/fx-core.log")" >&2
        exit 1
    fi
    sleep 0.5
done

step "waiting for fx-bridge on http://127.0.0.1:$BRIDGE_PORT"
for ((i = 0; ; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$BRIDGE_PORT/health" && break
    if ! fx_bg_pid fx-bridge >/dev/null || ((i >= 60)); then
        echo "error: fx-bridge is not answering; end of $(rel "$FX_LOG_DIR/fx-bridge.log"):" >&2
        tail -n 30 "$FX_LOG_DIR/fx-bridge.log" >&2
        exit 1
    fi
    sleep 0.5
done

cat <<MSG

fxohlc is up:
  PostgreSQL  $DATABASE_URL   (log $(rel "$data/pg/pg.log"))
  Redis       $REDIS_URL   (log $(rel "$data/redis/redis.log"))
  fx-core     ${cores} process(es): rpc $FX_RPC_URL, feed $FX_FEED_URL   (logs $(rel "$FX_LOG_DIR")/fx-core*.log)
  fx-bridge   http://127.0.0.1:$BRIDGE_PORT  (API docs: http://127.0.0.1:$BRIDGE_PORT/docs)   (log $(rel "$FX_LOG_DIR/fx-bridge.log"))
  live demo   http://127.0.0.1:$BRIDGE_PORT/ws-test   (candles and ticks over WebSocket)
  fx-tickgen  EURUSD, GBPUSD, USDJPY at 1 tick/s each into the Redis Stream fx:ticks   (log $(rel "$FX_LOG_DIR/fx-tickgen.log"))

Use it from your shell:
  export FX_RPC_URL=$FX_RPC_URL      # or: . $envshow  (all URLs)
  build/bin/fxctl health
  build/bin/fxctl tick add EURUSD 2025-12-05T10:00:00Z 1.085
  build/bin/fxctl ticks EURUSD --start 2025-12-05 --end 2025-12-06
  curl -s 'http://127.0.0.1:$BRIDGE_PORT/ticks/?symbol=EURUSD&start=2025-12-05&end=2025-12-06'
  FX_FEED_URL=$FX_FEED_URL build/bin/fxctl tail '*'      # the live ticks of the demo feed

Stop everything:  ./scripts/down.sh   (PostgreSQL data stays in $(rel "$data/pg"))
MSG
