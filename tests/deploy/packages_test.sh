#!/usr/bin/env bash
# The Debian packages (cmake/package.cmake): a Release build with prefix
# /usr, `cpack -G DEB`, then the five packages installed with apt-get into a
# fresh Debian 12 root (debootstrap minbase, apt's own mirror; chroot), which
# pulls their runtime dependencies from the mirror; there the programs start
# (--help) and the library is known to the dynamic linker. As root only
# (chroot); otherwise skipped (77). Label "package".
#   packages_test.sh SOURCE_DIR
set -euo pipefail
src=$1
if ((EUID != 0)); then
    echo "SKIPPED: installing packages into a chroot needs root"
    exit 77
fi
for tool in debootstrap dpkg-shlibdeps cpack; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL $*"
    exit 1
}
step() { printf '==> %s (%ds)\n' "$*" "$SECONDS"; }

step "Release build with prefix /usr"
cmake -S "$src" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DFX_BUILD_TESTS=OFF \
    -DFX_BUILD_BENCH=OFF -DFX_SANITIZE= >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; fail "configure"; }
cmake --build "$tmp/build" -j "$(nproc)" >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail "build"; }
step "cpack -G DEB"
(cd "$tmp/build" && cpack -G DEB >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; fail "cpack"; }
debs=()
for p in fx-core fx-bridge fx-tools libfxclient0 libfxclient-dev; do
    f=$(ls "$tmp/build/${p}_"*.deb 2>/dev/null | head -1)
    [[ -n $f ]] || fail "no package $p"
    debs+=("$f")
done
dpkg-deb -f "$tmp/build/fx-core_"*.deb Depends | grep -q 'libpq5' || fail "fx-core does not depend on libpq5"

mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[[ -n $mirror ]] || mirror=$(awk '/^deb .*debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
step "a fresh Debian 12 root (debootstrap minbase, $mirror)"
root=$tmp/root
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
    tail -20 "$tmp/debootstrap.log"
    fail "debootstrap"
}
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
# no services start inside the chroot
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

step "apt-get install ./*.deb in the root"
in_root apt-get -q update >"$tmp/apt.log" 2>&1 || { tail -20 "$tmp/apt.log"; fail "apt-get update in the root"; }
names=()
for f in "${debs[@]}"; do names+=("/tmp/debs/$(basename "$f")"); done
in_root apt-get install -y --no-install-recommends "${names[@]}" >>"$tmp/apt.log" 2>&1 || {
    tail -30 "$tmp/apt.log"
    fail "the packages do not install"
}
for prog in fx-core fx-bridge fxctl fx-tickgen; do
    in_root "$prog" --help >/dev/null 2>"$tmp/help.err" || fail "$prog --help in the root: $(cat "$tmp/help.err")"
done
in_root ldconfig -p | grep -q 'libfxclient.so.0 ' || fail "libfxclient.so.0 is not in the linker cache"
for f in /usr/include/fx/client.h /usr/lib/x86_64-linux-gnu/pkgconfig/fxclient.pc /usr/lib/x86_64-linux-gnu/libfxclient.a; do
    [[ -e $root$f ]] || fail "$f not installed by libfxclient-dev"
done
step "the five packages install into a fresh Debian 12 and their programs run"
