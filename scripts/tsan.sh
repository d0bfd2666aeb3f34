#!/usr/bin/env bash
# ThreadSanitizer over the programs: builds fx-core, fx-bridge and
# fx-tickgen with -fsanitize=thread into build-tsan/ and runs the tests that
# drive them as processes (tests/system/, the ingest test's restarts)
# against those builds (FX_TEST_BIN_DIR). Any report fails the run and is
# printed; suppressions (tests/tsan/suppressions.txt) stay short and say why.
# The Criterion test binaries themselves cannot run under TSan (Criterion's
# inheritable arena fails to map: Snaipe/Criterion#274), so the in-process
# tests are covered by ASan/UBSan only.
# Needs what scripts/test.sh sets up: build-test/, DATABASE_URL, REDIS_URL.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=build-tsan
: "${DATABASE_URL:?run through scripts/test.sh (it starts PostgreSQL and Redis)}"

echo "==> building the programs with ThreadSanitizer ($build/)"
cmake -S . -B "$build" -DFX_SANITIZE=thread -DFX_WERROR=ON -DFX_BUILD_TESTS=OFF -DFX_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target fx-core fx-bridge fx-tickgen

reports=$(mktemp -d)
export FX_TEST_BIN_DIR="$root/$build/bin"
export TSAN_OPTIONS="log_path=$reports/tsan second_deadlock_stack=1 suppressions=$root/tests/tsan/suppressions.txt"
rc=0
ctest --test-dir build-test --output-on-failure -R '^(system_(process|leadership|maintenance_kill|topology)_test|server_ingest_test)$' \
    || rc=$?
if compgen -G "$reports/tsan.*" >/dev/null; then
    echo "FAIL ThreadSanitizer reports:"
    cat "$reports"/tsan.*
    rc=1
else
    echo "    no ThreadSanitizer report"
fi
rm -rf "$reports"
exit $rc
