#!/usr/bin/env bash
# The image of deploy/Containerfile, built and run as a cluster would run it
# (here with Buildah: no container engine runs on these machines). No
# registry is reachable, so the Debian 12 base is made with debootstrap
# (minbase, apt's own mirror) and imported with podman; later runs on the
# same machine reuse it. The image's fx-core and fx-bridge then serve
# against the test's PostgreSQL and Redis (host network): /health, and a
# tick written and read back through REST. Slow (a full build): ctest label
# "image". As root only (buildah's chroot isolation); otherwise skipped (77).
#   image_test.sh SOURCE_DIR
set -euo pipefail
src=$1
if ((EUID != 0)); then
    echo "SKIPPED: building the image needs root (buildah --isolation chroot)"
    exit 77
fi
: "${DATABASE_URL:?run through scripts/test.sh, which starts PostgreSQL}" "${REDIS_URL:?and Redis}"
for tool in buildah podman debootstrap curl; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing (scripts/lib/deps.sh installs it)" >&2; exit 1; }
done
tmp=$(mktemp -d)
image=localhost/fxohlc:image-test-$$
base=localhost/fxohlc-base:bookworm
pids=()
ctrs=()
# The programs run inside `buildah run`, which does not pass a signal on:
# they are found by the marker in their environment and stopped themselves.
marker=FX_IMAGE_TEST=$$
stop_marked() {
    local d
    for d in /proc/[0-9]*; do
        if grep -qaz "^$marker\$" "$d/environ" 2>/dev/null; then kill "${d#/proc/}" 2>/dev/null || true; fi
    done
}
cleanup() {
    local p c
    stop_marked
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for c in "${ctrs[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
    buildah rmi "$image" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
# Buildah's default ulimits cannot be set inside this machine's sandbox.
printf '[containers]\ndefault_ulimits = []\n' >"$tmp/containers.conf"
export CONTAINERS_CONF=$tmp/containers.conf

step() { printf '==> %s (%ds)\n' "$*" "$SECONDS"; }

if ! podman image exists "$base"; then
    mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [[ -n $mirror ]] || mirror=$(awk '/^deb .*debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    mirror=${mirror:-http://deb.debian.org/debian}
    step "making the base image $base (debootstrap minbase bookworm from $mirror)"
    debootstrap --variant=minbase bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
        tail -20 "$tmp/debootstrap.log"
        exit 1
    }
    rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
    tar -C "$tmp/root" -c . | podman import - "$base" >/dev/null
    rm -rf "$tmp/root"
fi

step "building $image from deploy/Containerfile"
# This machine's CAs (with those of any TLS-inspecting egress proxy) for the
# npm step, as the Containerfile documents.
mounts=()
[[ -s /etc/ssl/certs/ca-certificates.crt ]] && mounts=(-v /etc/ssl/certs/ca-certificates.crt:/run/fx-build-ca.crt:ro)
if ! buildah bud --isolation chroot "${mounts[@]}" --build-arg BASE="$base" -f "$src/deploy/Containerfile" \
    -t "$image" "$src" >"$tmp/build.log" 2>&1; then
    tail -40 "$tmp/build.log"
    echo "FAIL the image does not build"
    exit 1
fi

fail() {
    echo "FAIL $*"
    exit 1
}
user=$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$image")
[[ $user == 10001:10001 ]] || fail "the image runs as '$user', not the non-root 10001"

ctr=$(buildah from "$image")
ctrs+=("$ctr")
in_image() { buildah run --isolation chroot --network host "$ctr" -- "$@"; }
for prog in fx-core fx-bridge fxctl fx-tickgen; do
    in_image "$prog" --help >/dev/null 2>&1 || fail "$prog --help does not run in the image"
done
in_image sh -c 'test ! -e /usr/bin/cc && test ! -e /usr/bin/cmake' || fail "build tools in the final image"
in_image test -s /usr/share/fxohlc/web/swagger-ui-dist/swagger-ui-bundle.js || fail "no web assets"

# shellcheck source=../../scripts/lib/services.sh
. "$src/scripts/lib/services.sh"
rpc=$(fx_pick_free_port) feed=$(fx_pick_free_port $((rpc + 1))) http=$(fx_pick_free_port $((feed + 1)))
bridge=$(fx_pick_free_port $((http + 1)))
step "running fx-core and fx-bridge from the image"
in_image env "$marker" DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" REDIS_STREAM="fx:image-test:$$" \
    FX_RPC_URL="tcp://127.0.0.1:$rpc" FX_FEED_URL="tcp://127.0.0.1:$feed" FX_HTTP_PORT="$http" LOG_FORMAT=json \
    fx-core >"$tmp/core.log" 2>&1 &
pids+=($!)
ctr2=$(buildah from "$image")
ctrs+=("$ctr2")
buildah run --isolation chroot --network host "$ctr2" -- env "$marker" FX_RPC_URL="tcp://127.0.0.1:$rpc" \
    FX_FEED_URL="tcp://127.0.0.1:$feed" BRIDGE_PORT="$bridge" fx-bridge >"$tmp/bridge.log" 2>&1 &
pids+=($!)

status=000
for _ in $(seq 1 150); do
    status=$(curl -s -o "$tmp/health.json" -w '%{http_code}' "http://127.0.0.1:$bridge/health" || true)
    [[ $status == 200 ]] && break
    sleep 0.2
done
[[ $status == 200 ]] || { cat "$tmp/core.log" "$tmp/bridge.log"; fail "/health answered $status: $(cat "$tmp/health.json" 2>/dev/null)"; }
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/readyz")
[[ $ready == 200 ]] || fail "fx-core /readyz answered $ready"
node -e 'const l = require("fs").readFileSync(0, "utf8").split("\n")[0]; if (JSON.parse(l).program !== "fx-core") process.exit(1)' \
    <"$tmp/core.log" ||
    fail "fx-core's LOG_FORMAT=json lines are not JSON: $(head -1 "$tmp/core.log")"

sym=IMG$$
sym=${sym:0:12}
when=2031-05-06T07:08:09.123456Z
code=$(curl -s -o "$tmp/post.json" -w '%{http_code}' -X POST "http://127.0.0.1:$bridge/ticks/" \
    -H 'Content-Type: application/json' -d "{\"symbol\":\"$sym\",\"time\":\"$when\",\"price\":1.23456}")
[[ $code == 201 ]] || fail "POST /ticks/ answered $code: $(cat "$tmp/post.json")"
got=$(curl -s "http://127.0.0.1:$bridge/ticks/?symbol=$sym&start=2031-05-06T00:00:00Z&end=2031-05-07T00:00:00Z")
[[ $got == *"\"time\":\"$when\""*"\"price\":1.23456"* ]] || fail "the tick did not come back: $got"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$bridge/static/swagger-ui-dist/swagger-ui.css")
[[ $code == 200 ]] || fail "the bridge does not serve the image's web assets ($code)"
curl -s -X DELETE "http://127.0.0.1:$bridge/ticks/?symbol=$sym&start=2031-05-06T00:00:00Z&end=2031-05-07T00:00:00Z" >/dev/null
redis-cli -u "$REDIS_URL" DEL "fx:image-test:$$" >/dev/null || true
step "the image builds, runs as 10001, and serves a tick round trip"
