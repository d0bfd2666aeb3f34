#!/usr/bin/env bash
# The test command: install packages, build with ASan/UBSan into build-test/,
# run every ctest test against a throwaway PostgreSQL and Redis.
#   ./scripts/test.sh                 all tests
#   ./scripts/test.sh -L unit         extra arguments go to ctest
# Works as root (CI) and as a normal user (packages via sudo).
# FX_SKIP_DEPS=1 skips the package check; FX_KEEP_TMP=1 keeps the server
# directories (logs) after the run.
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
# shellcheck source=lib/kubectl.sh
. "$root/scripts/lib/kubectl.sh"

step() { printf '==> %s\n' "$*"; }

step "installing packages"
fx_install_deps test
step "installing web assets and tools (npm, web/node_modules)"
fx_install_web test

step "unpacking Debian's kubectl 1.20 (renders deploy/ in tests/deploy)"
FX_KUBECTL=$(fx_debian_kubectl "$root/build-test/tools/kubernetes-client")
export FX_KUBECTL

step "building (build-test/, sanitizers on, warnings are errors)"
cmake -S . -B build-test -DFX_SANITIZE=address,undefined -DFX_WERROR=ON
cmake --build build-test -j "$(nproc)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fxohlc-test.XXXXXX")
# As root PostgreSQL runs as another user, which must reach the directory.
chmod 755 "$tmp"

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    fx_redis_stop "$tmp/redis" || true
    fx_pg_stop "$tmp/pg" || true
    if [[ ${FX_KEEP_TMP:-0} == 1 ]]; then
        echo "==> kept $tmp (server logs)"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
# Exiting from a signal runs the EXIT trap, with the conventional status.
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(fx_pick_free_port)
step "starting PostgreSQL on port $port"
fx_pg_start "$tmp/pg" "$port"
port=$(fx_pick_free_port)
step "starting Redis on port $port"
# With the append-only file, as in production (scripts/up.sh): the stream,
# its consumer group and the delivered but unacknowledged entries survive a
# restart, which the ingest test does mid-stream. Without persistence a
# restart empties Redis (the stream and its pending entries vanish), and an
# RDB written by SHUTDOWN SAVE would keep them only through a clean shutdown.
fx_redis_start "$tmp/redis" "$port" --appendonly yes
echo "    DATABASE_URL=$DATABASE_URL"
echo "    REDIS_URL=$REDIS_URL"

# Shell commands (for /bin/sh -c) that restart these servers in place, same
# port and data: PostgreSQL as in a crash (-m immediate), Redis with SIGTERM.
# Tests that restart servers skip without them, never touching servers that
# are not their own.
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
services=$(shq "$root/scripts/lib/services.sh")
FX_TEST_PG_RESTART="bash $services fx_pg_restart $(shq "$tmp/pg") immediate"
FX_TEST_REDIS_RESTART="bash $services fx_redis_restart $(shq "$tmp/redis")"
export FX_TEST_PG_RESTART FX_TEST_REDIS_RESTART

# Leaks fail the run; any UB report stops the test with a stack trace.
# Options the caller already set come last, so they win.
# The cores the tests start compact nothing: tests share past days and
# count rows by SQL (the lifecycle tests set their own policies).
export COMPRESSION_AFTER_DAYS=0
export ASAN_OPTIONS="detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

step "running tests"
rc=0
ctest --test-dir build-test --output-on-failure "$@" || rc=$?
# The whole run (no ctest arguments) also fuzzes every parser for a while
# and runs the programs under ThreadSanitizer.
fuzz_rc=0
if [[ $# -eq 0 ]]; then
    step "fuzzing (scripts/fuzz.sh, ${FX_FUZZ_SECONDS:-20} s per harness)"
    ./scripts/fuzz.sh || fuzz_rc=$?
    step "ThreadSanitizer (scripts/tsan.sh: the programs under the system tests)"
    ./scripts/tsan.sh || fuzz_rc=$?
fi
if ((rc == 0 && fuzz_rc == 0)); then
    step "all tests passed"
else
    step "tests FAILED (ctest exit status $rc, fuzzers/ThreadSanitizer $fuzz_rc)"
fi
((rc != 0)) || rc=$fuzz_rc
exit "$rc"
