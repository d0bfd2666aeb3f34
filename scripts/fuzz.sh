#!/usr/bin/env bash
# Runs every libFuzzer harness of tests/fuzz for a bounded time each, from
# its committed seed corpus, with ASan and UBSan (clang). The test command
# runs it after ctest; a crash fails it and leaves the input that crashed in
# build-fuzz/crashes/ (replay: build-fuzz/bin/fuzz_NAME FILE).
#   ./scripts/fuzz.sh              every harness, FX_FUZZ_SECONDS (20) each
#   ./scripts/fuzz.sh time price   just these
# Packages: clang (scripts/lib/deps.sh installs it with the test set).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${FX_FUZZ_SECONDS:-20}
build=build-fuzz

echo "==> building the fuzzers ($build/, clang, ASan+UBSan)"
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DFX_FUZZ=ON -DFX_SANITIZE=address,undefined \
    -DFX_BUILD_TESTS=OFF -DFX_BUILD_BENCH=OFF -DFX_WERROR=ON >/dev/null
mapfile -t all < <(sed -n 's/^fx_add_fuzzer(\([a-z_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${all[@]}")
cmake --build "$build" -j "$(nproc)" --target "${names[@]/#/fuzz_}"

mkdir -p "$build/crashes"
status=0
for name in "${names[@]}"; do
    # a scratch copy: what the run adds to the corpus is not committed
    work=$(mktemp -d)
    cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null || true
    log="$build/fuzz_$name.log"
    if "$build/bin/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$build/crashes/$name-" -print_final_stats=1 "$work" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "    fuzz_$name: ${runs:-?} runs in ${seconds} s, no crash"
    else
        echo "FAIL fuzz_$name crashed: $(grep -m1 -E 'ERROR|runtime error|deadly signal' "$log" || tail -1 "$log")"
        echo "     reproducer: $(ls "$build/crashes/$name-"* 2>/dev/null | head -1); log: $log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
