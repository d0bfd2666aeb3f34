#!/usr/bin/env bash
# libfxclient as people outside this tree use it: `cmake --install` into a
# temporary prefix, then examples/ built against the installed files, once
# with pkg-config (the shared library) and once as a CMake project
# (find_package(fxclient): the static library), and run against a real
# fx-core of this build: bulk_load stores a file's ticks (and finds them
# there the second time), live_candles receives the candle of a new tick.
#   install_test.sh SOURCE_DIR BUILD_DIR [SANITIZERS]
# SANITIZERS: the build's -fsanitize list, which the examples must link too.
set -euo pipefail
src=$1 build=$2 san=${3:-}
: "${DATABASE_URL:?run through scripts/test.sh, which starts PostgreSQL}"
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL $*"
    exit 1
}
flags=()
[[ -n $san ]] && flags=("-fsanitize=$san")

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name fxclient.pc)
[[ -n $pc ]] || fail "no fxclient.pc installed"
for f in include/fx/client.h include/fx/tick.h include/fx/limits.h bin/fx-core bin/fx-bridge bin/fxctl bin/fx-tickgen; do
    [[ -e $tmp/prefix/$f ]] || fail "$f not installed"
done
libdir=$(dirname "$(dirname "$pc")")

# pkg-config: the shared library
export PKG_CONFIG_PATH=$(dirname "$pc")
read -r -a pcflags <<<"$(pkg-config --cflags --libs fxclient)"
for ex in live_candles bulk_load; do
    cc -std=c11 -Wall -Wextra -Werror "${flags[@]}" "$src/examples/$ex.c" "${pcflags[@]}" -Wl,-rpath,"$libdir" \
        -o "$tmp/$ex-pc" || fail "$ex does not build with pkg-config"
done
ldd "$tmp/live_candles-pc" | grep -q "libfxclient.so.0 => $libdir/" || fail "live_candles-pc does not use the installed shared library"

# CMake: find_package(fxclient), the static library
cmake -S "$src/examples" -B "$tmp/examples" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="${flags[*]:-}" \
    >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "examples/ does not configure with find_package(fxclient)"; }
cmake --build "$tmp/examples" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "examples/ does not build"; }
if ldd "$tmp/examples/bulk_load" | grep -q libfxclient; then fail "bulk_load (CMake) is not linked statically"; fi

# Run them against an fx-core of this build.
. "$src/scripts/lib/services.sh"
rpc=$(fx_pick_free_port) feed=$(fx_pick_free_port $((rpc + 1)))
export FX_RPC_URL=tcp://127.0.0.1:$rpc FX_FEED_URL=tcp://127.0.0.1:$feed
INGEST_ENABLED=0 LOG_LEVEL=warn "$build/bin/fx-core" >"$tmp/core.log" 2>&1 &
pids+=($!)
sym=EX$$
sym=${sym:0:12}
for i in $(seq 0 99); do printf '%s,2025-03-01T00:%02d:%02dZ,1.%05d\n' "$sym" $((i / 60)) $((i % 60)) "$i"; done >"$tmp/ticks.csv"
out=$("$tmp/examples/bulk_load" "$tmp/ticks.csv") || fail "bulk_load: $out $(cat "$tmp/core.log")"
[[ $out == "100 ticks stored, 0 already there" ]] || fail "bulk_load said: $out"
out=$("$tmp/bulk_load-pc" "$tmp/ticks.csv") || fail "bulk_load-pc: $out"
[[ $out == "0 ticks stored, 100 already there" ]] || fail "bulk_load-pc, the second time, said: $out"

"$tmp/examples/live_candles" "$sym" 1 >"$tmp/live.txt" 2>&1 &
live=$!
pids+=($live)
sleep 0.5 # subscribed
printf '%s,%s,1.5\n' "$sym" "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)" | "$tmp/bulk_load-pc" - >/dev/null ||
    fail "bulk_load-pc of a live tick"
for _ in $(seq 1 100); do grep -q "^$sym " "$tmp/live.txt" && break; sleep 0.1; done
grep -q "^$sym .* close 1.50000 ticks 1" "$tmp/live.txt" || fail "live_candles printed: $(cat "$tmp/live.txt")"
# It exits after its one candle; Debian's nng 1.5 can hang in closing a SUB
# socket (README, known issues): that is reported, not taken for a failure
# of the library as installed.
for _ in $(seq 1 50); do kill -0 "$live" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$live" 2>/dev/null; then
    echo "note: live_candles printed its candle but had not exited after 5 s (nng_close of a SUB socket)"
    kill -9 "$live" 2>/dev/null || true
elif ! wait "$live"; then
    fail "live_candles failed: $(cat "$tmp/live.txt")"
fi
psql "$DATABASE_URL" -qAtc "DELETE FROM ticks WHERE symbol = '$sym'; DELETE FROM candles_1m WHERE symbol = '$sym';
    DELETE FROM candles_1h WHERE symbol = '$sym'; DELETE FROM candles_1d WHERE symbol = '$sym'" >/dev/null
echo "installed libfxclient: examples built with pkg-config (shared) and CMake (static), and served"
