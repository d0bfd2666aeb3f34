#!/usr/bin/env bash
# The demo page end to end: fx-core, fx-bridge and fx-tickgen from BINDIR on
# free loopback ports, then demo_page_test.js opens /ws-test in headless
# Chromium and waits for live ticks and candles; then, against the same
# fx-bridge, docs_pages_test.js checks that /docs (Swagger UI) and /redoc
# (ReDoc) render the API of /openapi.json.
#
#   tests/web/run_demo_test.sh BINDIR [SCREENSHOT]
#
# BINDIR      folder of fx-core, fx-bridge and fx-tickgen (e.g. build-test/bin)
# SCREENSHOT  PNG of the demo page, also on failure (default:
#             BINDIR/../demo_page.png); those of the docs pages go next to it,
#             docs_page.png (Swagger UI) and redoc_page.png (ReDoc)
# Needs DATABASE_URL and REDIS_URL (scripts/test.sh starts throwaway servers
# and exports them), node, web/node_modules (scripts/lib/web.sh) and
# /usr/bin/chromium (scripts/lib/deps.sh).
# Optional: DEMO_SYMBOL (default: a fresh symbol per run, so other tests' data
# and streams never mix in), DEMO_TICK_RATE (ticks/s, default 20),
# DEMO_TIMEOUT_MS (browser waits, default 30000; DOCS_TIMEOUT_MS, default the
# same, for the docs pages), DEMO_KEEP_LOGS=1 (keep the programs' logs and
# print where).
# Both browser tests run, also when the first fails.
# Exit status: 0 passed, 1 failed (the reason and the programs' logs are printed), 2 bad usage.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/services.sh
. "$root/scripts/lib/services.sh"

say() { printf 'demo_page: %s\n' "$*"; }
die() {
    printf 'demo_page: FAIL: %s\n' "$*" >&2
    exit "${rc_usage:-1}"
}

rc_usage=2
(($# >= 1 && $# <= 2)) || die "usage: $0 BINDIR [SCREENSHOT]"
bindir=$(cd "$1" 2>/dev/null && pwd) || die "no such folder: $1"
shot=${2:-$(dirname "$bindir")/demo_page.png}
docs_shot=$(dirname "$shot")/docs_page.png
redoc_shot=$(dirname "$shot")/redoc_page.png
for prog in fx-core fx-bridge fx-tickgen; do
    [[ -x $bindir/$prog ]] || die "$bindir/$prog is missing: build first"
done
[[ -n ${DATABASE_URL:-} && -n ${REDIS_URL:-} ]] ||
    die "DATABASE_URL and REDIS_URL must be set: run under ./scripts/test.sh, which starts throwaway servers"
command -v node >/dev/null || die "node is not installed (scripts/lib/web.sh installs it)"
command -v curl >/dev/null || die "curl is not installed (scripts/lib/deps.sh installs it)"
for pkg in playwright-core lightweight-charts swagger-ui-dist redoc; do
    [[ -f $root/web/node_modules/$pkg/package.json ]] ||
        die "web/node_modules lacks $pkg: run npm install in web/ (scripts/lib/web.sh)"
done
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] ||
    die "no ${CHROMIUM:-/usr/bin/chromium}: apt-get install chromium (scripts/lib/deps.sh lists it)"
rc_usage=1

# A symbol and streams of this run's own: 1-16 characters of A-Z 0-9.
symbol=${DEMO_SYMBOL:-$(printf 'DEMO%X%04X' "$$" "$RANDOM" | cut -c1-16)}
stream="fx:demo-test:$symbol"
rate=${DEMO_TICK_RATE:-20}

# Three distinct free ports (they are not taken until the programs start).
rpc_port=$(fx_pick_free_port)
feed_port=$(fx_pick_free_port $((rpc_port + 1)))
bridge_port=$(fx_pick_free_port $((feed_port + 1)))

logs=$(mktemp -d "${TMPDIR:-/tmp}/fxohlc-demo-test.XXXXXX")
declare -A pids=()

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
    local rc=$? name pid i
    trap - EXIT INT TERM
    if [[ -n ${watchdog:-} ]]; then
        kill "$watchdog" 2>/dev/null || true
        wait "$watchdog" 2>/dev/null || true
    fi
    # the browser test, when a signal stopped this script (Playwright closes Chromium)
    if [[ -n ${browser_test:-} ]] && _fx_pid_alive "$browser_test"; then
        kill -TERM "$browser_test" 2>/dev/null || true
        wait "$browser_test" 2>/dev/null || true
    fi
    # the feed first, so the core is not busy ingesting while it stops
    for name in fx-tickgen fx-bridge fx-core; do
        pid=${pids[$name]:-}
        if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    for name in fx-tickgen fx-bridge fx-core; do
        pid=${pids[$name]:-}
        [[ -n $pid ]] || continue
        for ((i = 0; i < 100; i++)); do
            _fx_pid_alive "$pid" || break
            sleep 0.1
        done
        if _fx_pid_alive "$pid"; then
            say "$name (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            rc=1
        fi
        wait "$pid" 2>/dev/null || {
            local st=$?
            # A sanitizer report at exit (leaks) shows as a non-zero status.
            say "$name exited with status $st after SIGTERM; end of its log:" >&2
            tail -n 40 "$logs/$name.log" >&2 || true
            rc=1
        }
    done
    if command -v redis-cli >/dev/null; then
        redis-cli -u "$REDIS_URL" DEL "$stream" "$stream:dead" >/dev/null 2>&1 || true
    fi
    if ((rc != 0)); then
        for name in fx-core fx-bridge fx-tickgen; do
            [[ -s $logs/$name.log ]] || continue
            echo "---- end of $name.log ----" >&2
            tail -n 25 "$logs/$name.log" >&2
        done
    fi
    if ((rc != 0)) || [[ ${DEMO_KEEP_LOGS:-0} == 1 ]]; then
        say "logs kept in $logs"
    else
        rm -rf "$logs"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME ARGS...: BINDIR/NAME in the background with the environment
# below, output in $logs/NAME.log.
start() {
    local name=$1
    shift
    "$bindir/$name" "$@" >"$logs/$name.log" 2>&1 </dev/null &
    pids[$name]=$!
    echo "$!" >>"$logs/pids"
}

# Should this script be killed by SIGKILL (no trap runs), the programs go too.
(
    trap - EXIT INT TERM
    while kill -0 $$ 2>/dev/null; do sleep 1; done
    # shellcheck disable=SC2046 # one pid a line
    kill -TERM $(cat "$logs/pids" 2>/dev/null) 2>/dev/null
) </dev/null >/dev/null 2>&1 &
watchdog=$!

export FX_RPC_URL=tcp://127.0.0.1:$rpc_port
export FX_FEED_URL=tcp://127.0.0.1:$feed_port
export BRIDGE_PORT=$bridge_port
export BRIDGE_STATIC_DIR=$root/web/node_modules
export REDIS_STREAM=$stream
export REDIS_DEAD_LETTER_STREAM=$stream:dead
export LOG_LEVEL=${LOG_LEVEL:-info}
# With API keys, as in production: the page must send its key (from the URL
# fragment) on its fetches and WebSockets, or it shows nothing.
read_key=demo$RANDOM$RANDOM$RANDOM$RANDOM
printf 'demo-reader:read:%s\n' "$(printf %s "$read_key" | sha256sum | cut -d' ' -f1)" >"$logs/api-keys"
export BRIDGE_API_KEYS_FILE=$logs/api-keys

say "symbol $symbol, stream $stream, rpc $FX_RPC_URL, feed $FX_FEED_URL, bridge port $BRIDGE_PORT"
start fx-core
start fx-bridge

url=http://127.0.0.1:$bridge_port
for ((i = 0; ; i++)); do
    status=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/health" || true)
    [[ $status == 200 ]] && break
    for name in fx-core fx-bridge; do
        _fx_pid_alive "${pids[$name]}" || die "$name exited during start-up"
    done
    ((i < 120)) || die "fx-bridge /health did not answer 200 within 60 s (last status $status)"
    sleep 0.5
done
say "fx-bridge is healthy at $url"
status=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/ws/stats" || true)
[[ $status == 401 ]] || die "GET /ws/stats without a key answered $status, not 401: are the API keys on?"

# --duration: stops by itself should this script be killed without its trap.
start fx-tickgen --redis-url "$REDIS_URL" --stream "$stream" --symbols "$symbol" \
    --rate "$rate" --duration 300

# run_browser_test SCRIPT ARGS...: node SCRIPT in the background, so that a
# signal reaches the trap at once; returns its exit status.
run_browser_test() {
    local st=0
    BRIDGE_URL=$url node "$@" </dev/null &
    browser_test=$!
    echo "$browser_test" >>"$logs/pids"
    wait "$browser_test" || st=$?
    browser_test=
    return "$st"
}

rc=0
DEMO_SYMBOL=$symbol DEMO_API_KEY=$read_key run_browser_test "$root/tests/web/demo_page_test.js" "$shot" || rc=$?
# The docs pages need no ticks: the same fx-bridge, whatever the demo showed.
docs_rc=0
DOCS_TIMEOUT_MS=${DOCS_TIMEOUT_MS:-${DEMO_TIMEOUT_MS:-30000}} \
    run_browser_test "$root/tests/web/docs_pages_test.js" "$docs_shot" "$redoc_shot" || docs_rc=$?
((rc != 0)) || rc=$docs_rc
exit "$rc"
