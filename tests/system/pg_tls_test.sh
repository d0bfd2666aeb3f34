#!/usr/bin/env bash
# PostgreSQL over TLS with sslmode=verify-full: a throwaway cluster with ssl=on
# (scripts/lib/services.sh fx_pg_start_tls); fx-core with DATABASE_URL
# ...?sslmode=verify-full&sslrootcert=CA migrates and serves through it; with
# another CA as sslrootcert it fails at start, saying why. Also REDIS_URL
# rediss:// is refused at start with the stunnel advice.
#   pg_tls_test.sh SOURCE_ROOT BIN_DIR
set -euo pipefail
src=$1 bin=$2
. "$src/scripts/lib/services.sh"
work=$(mktemp -d /tmp/fx-pg-tls-XXXXXX)
chmod 755 "$work"
cleanup() { fx_redis_stop "$work/redis" >/dev/null 2>&1 || true; fx_pg_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(fx_pick_free_port)
fx_pg_start_tls "$work/pg" "$port"
echo "DATABASE_URL=$DATABASE_URL"
status=0
if INGEST_ENABLED=0 "$bin/fx-core" migrate >"$work/ok.log" 2>&1; then
    echo "ok: fx-core migrate over verify-full"
else
    echo "FAIL fx-core migrate over verify-full:"; cat "$work/ok.log"; status=1
fi
# the server really speaks TLS to it: the same URL with sslmode=disable is not what we tested
psql "$DATABASE_URL" -XtAc "select ssl from pg_stat_ssl where pid = pg_backend_pid()" | grep -qx t || {
    echo "FAIL the connection is not TLS"; status=1
}
# another CA: refused at start, naming the certificate problem
mkdir "$work/other" && (cd "$work/other" && openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
    openssl req -x509 -new -key ca.key -subj "/CN=other" -days 2 -out ca.crt) >/dev/null 2>&1
bad=${DATABASE_URL%sslrootcert=*}sslrootcert=$work/other/ca.crt
if DATABASE_URL=$bad INGEST_ENABLED=0 "$bin/fx-core" migrate >"$work/bad.log" 2>&1; then
    echo "FAIL fx-core accepted a server certificate of another CA"; status=1
elif grep -qi "certificate verify failed" "$work/bad.log"; then
    echo "ok: another root certificate is refused: $(grep -i -m1 certificate "$work/bad.log")"
else
    echo "FAIL unclear error:"; cat "$work/bad.log"; status=1
fi
# 127.0.0.1 in the URL: verify-full checks the name against the certificate (it has IP:127.0.0.1)
# rediss:// is refused at start
if REDIS_URL=rediss://127.0.0.1:6380 "$bin/fx-core" >"$work/rediss.log" 2>&1; then
    echo "FAIL rediss:// accepted"; status=1
elif grep -q stunnel "$work/rediss.log"; then
    echo "ok: rediss:// refused: $(cat "$work/rediss.log")"
else
    echo "FAIL rediss:// unclear:"; cat "$work/rediss.log"; status=1
fi
# a Redis ACL user: right password ingests, a wrong one stops fx-core at start, saying so
rport=$(fx_pick_free_port)
fx_redis_start "$work/redis" "$rport" --user fxing on '>s3cret' '~*' '&*' '+@all' >/dev/null
pgurl=$DATABASE_URL
fport=$(fx_pick_free_port $((rport + 1)))
DATABASE_URL=$pgurl REDIS_URL="redis://fxing:s3cret@127.0.0.1:$rport" FX_RPC_URL=tcp://127.0.0.1:$fport \
    FX_FEED_URL=tcp://127.0.0.1:$((fport + 1)) "$bin/fx-core" >"$work/acl.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "reading fx:ticks as" "$work/acl.log" && break; sleep 0.1; done
if grep -q "reading fx:ticks as" "$work/acl.log"; then
    echo "ok: ingest reads the stream as ACL user fxing"
else
    echo "FAIL ingest with an ACL user:"; cat "$work/acl.log"; status=1
fi
kill -TERM $pid; wait $pid || { echo "FAIL fx-core exit status $?"; status=1; }
if REDIS_URL="redis://fxing:wrong@127.0.0.1:$rport" FX_RPC_URL=tcp://127.0.0.1:$fport \
    FX_FEED_URL=tcp://127.0.0.1:$((fport + 1)) timeout 30 "$bin/fx-core" >"$work/wrong.log" 2>&1; then
    echo "FAIL a wrong Redis password was accepted"; status=1
elif grep -q "refused the credentials" "$work/wrong.log"; then
    echo "ok: wrong password: $(grep -m1 credentials "$work/wrong.log")"
else
    echo "FAIL wrong password unclear:"; cat "$work/wrong.log"; status=1
fi
fx_redis_stop "$work/redis"
exit $status
