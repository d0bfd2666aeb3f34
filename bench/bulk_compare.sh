#!/usr/bin/env bash
# Bulk-insert rate of two fx-core builds, run in turn (A B A B ...) so that a
# drift of the machine hits both alike; every run gets a fresh database of its
# own (created in the cluster of DATABASE_URL, dropped after a CHECKPOINT), so
# the schemas of two releases never mix and no run inherits another's data.
#
#   bench/bulk_compare.sh BIN_A BIN_B [RUNS] [TICKS]     (defaults: 3 1000000)
#
# BIN_A and BIN_B are folders holding fx-core and bench-bulk-insert (Release
# builds). Prints each run's ticks/s and, per pair, B/A. Needs DATABASE_URL
# (after ./scripts/up.sh: . .data/env); psql creates and drops the databases.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib/services.sh
. "$root/scripts/lib/services.sh"

bin_a=${1:?BIN_A}
bin_b=${2:?BIN_B}
runs=${3:-3}
ticks=${4:-1000000}
: "${DATABASE_URL:?set DATABASE_URL (. .data/env)}"
tag=$$
pids=()

url_of() { echo "${DATABASE_URL%/*}/$1"; } # the same cluster, database $1
sql() { psql "$DATABASE_URL" -qAtc "$1"; }

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    sql "DROP DATABASE IF EXISTS bench_$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# one run: a core of `bin` on database `db`, bench-bulk-insert through it
run() {
    local bin=$1 db=bench_$tag rpc rate
    sql "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
    sql "CHECKPOINT" >/dev/null
    sql "CREATE DATABASE $db"
    rpc=tcp://127.0.0.1:$(fx_pick_free_port 15555)
    DATABASE_URL=$(url_of "$db") FX_RPC_URL=$rpc FX_FEED_URL=tcp://127.0.0.1:$(fx_pick_free_port 15655) \
        INGEST_ENABLED=0 LOG_LEVEL=warn "$bin/fx-core" >/dev/null 2>&1 &
    pids+=($!)
    local pid=$!
    rate=$(FX_RPC_URL=$rpc "$bin/bench-bulk-insert" "$ticks" 100000 | sed -n 's/.*= \([0-9]*\) ticks\/s.*/\1/p')
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$rate"
}

echo "bulk insert, $ticks ticks in batches of 100000, $runs pairs: A=$bin_a B=$bin_b"
for ((i = 1; i <= runs; i++)); do
    a=$(run "$bin_a")
    b=$(run "$bin_b")
    printf 'pair %d: A %s ticks/s, B %s ticks/s, B/A %s\n' "$i" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')"
done
