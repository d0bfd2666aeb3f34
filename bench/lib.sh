# shellcheck shell=bash
# What the bench scripts share. Source it after setting `pids=()`: the
# processes a run started, which fx_bench_stop kills and waits for.

# Kills and reaps every process in `pids`, then empties it.
fx_bench_stop() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    pids=()
}

# The median of the numbers on stdin, one a line (the upper one of an even count).
fx_bench_median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
