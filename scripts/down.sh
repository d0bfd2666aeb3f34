#!/usr/bin/env bash
# Stop what scripts/up.sh started: every program with a pidfile in
# .data/run (fx-core, ...), then Redis and PostgreSQL. Data stays in .data;
# delete that directory to start from scratch.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/services.sh
. "$root/scripts/lib/services.sh"

data=${FX_DATA_DIR:-$root/.data}
if [[ ! -d $data ]]; then
    echo "nothing to stop: no $data"
    exit 0
fi
data=$(cd "$data" && pwd)
export FX_RUN_DIR=$data/run FX_LOG_DIR=$data/logs

# Newest pidfile first = reverse start order, so programs that talk to
# fx-core stop before it does.
mapfile -t pidfiles < <(ls -1t "$FX_RUN_DIR"/*.pid 2>/dev/null || true)
for f in "${pidfiles[@]}"; do
    name=$(basename "$f" .pid)
    fx_stop_bg "$name"
done

if fx_redis_running "$data/redis"; then
    echo "==> stopping Redis"
    fx_redis_stop "$data/redis"
fi
if fx_pg_running "$data/pg"; then
    echo "==> stopping PostgreSQL (data kept in $data/pg)"
    fx_pg_stop "$data/pg"
fi
# The URLs in it are no longer served.
rm -f "$data/env"
echo "==> stopped"
