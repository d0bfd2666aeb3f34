# shellcheck shell=bash
# fx_install_deps [test]: make sure the Debian packages fxohlc needs are
# installed; with "test", also what only the tests use. Sourced by
# scripts/test.sh and scripts/up.sh; set FX_SKIP_DEPS=1 to skip.

# Two lists; add a package to one and every script picks it up.
# To build and run the service (scripts/up.sh):
FX_DEB_PACKAGES=(
    build-essential cmake pkg-config git
    protobuf-c-compiler libprotobuf-c-dev
    libnng-dev libpq-dev libhiredis-dev
    libwslay-dev nettle-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev
    postgresql redis-server
    curl ca-certificates
)
# Only for the tests (scripts/test.sh): Criterion, the browser of the web
# tests, what builds and runs the container image (tests/deploy), clang and
# its libFuzzer for the fuzzers (tests/fuzz). (Debian's
# kubectl, which renders deploy/, is unpacked, not installed:
# scripts/lib/kubectl.sh.)
FX_DEB_TEST_PACKAGES=(
    libcriterion-dev
    chromium
    buildah podman debootstrap
    clang libclang-rt-14-dev # the libFuzzer harnesses (scripts/fuzz.sh)
)

# Prints the packages of "$@" that are not fully installed ("ii" = wanted
# install, status installed; a half-configured package counts as missing).
fx_missing_packages() {
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
        [[ $status == ii* ]] || printf '%s\n' "$p"
    done
}

fx_install_deps() {
    local -a wanted=("${FX_DEB_PACKAGES[@]}")
    [[ ${1:-} == test ]] && wanted+=("${FX_DEB_TEST_PACKAGES[@]}")
    if [[ ${FX_SKIP_DEPS:-0} == 1 ]]; then
        echo "    FX_SKIP_DEPS=1: not checking packages"
        return 0
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "    not a Debian system: install these yourself: ${FX_DEB_PACKAGES[*]}" >&2
        return 0
    fi

    local missing
    mapfile -t missing < <(fx_missing_packages "${wanted[@]}")
    if ((${#missing[@]} == 0)); then
        echo "    all ${#wanted[@]} packages already installed"
        return 0
    fi
    echo "    missing: ${missing[*]}"

    local -a sudo=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: not root and no sudo; as root run:" >&2
            echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
    fi

    # DPkg::Lock::Timeout: on a freshly booted VM unattended-upgrades may hold
    # the dpkg lock for a while; wait for it instead of failing at once.
    local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive
        apt-get -q -o DPkg::Lock::Timeout=300)
    "${apt[@]}" update
    # postgresql/redis-server try to start their system services on install;
    # where that cannot work (containers) apt may exit non-zero although the
    # packages are in place. So judge by the package state, not by apt's status.
    if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}"; then
        echo "    warning: apt-get install reported an error; checking package state" >&2
    fi
    mapfile -t missing < <(fx_missing_packages "${missing[@]}")
    # Without systemd the postinst of postgresql/redis-server runs
    # `invoke-rc.d ... start || exit 1`: if that start fails, the package is
    # left unconfigured. We never use those services, so finish configuring
    # with a temporary policy-rc.d that denies service starts (only when the
    # system has none of its own).
    local policy=${FX_POLICY_RC_D:-/usr/sbin/policy-rc.d}
    if ((${#missing[@]} > 0)) && [[ ! -e $policy ]]; then
        echo "    configuring again without starting system services" >&2
        printf '#!/bin/sh\n# temporary, scripts/lib/deps.sh\nexit 101\n' |
            "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive dpkg --configure -a || true
        "${sudo[@]}" rm -f "$policy"
        mapfile -t missing < <(fx_missing_packages "${missing[@]}")
    fi
    if ((${#missing[@]} > 0)); then
        echo "error: still not installed: ${missing[*]}" >&2
        return 1
    fi
    echo "    packages installed"
}
