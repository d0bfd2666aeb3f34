# shellcheck shell=bash
# Web assets and browser-side tools from the npm registry, into web/node_modules
# (never committed): Swagger UI and ReDoc for fx-bridge's /docs and /redoc,
# lightweight-charts for the /ws-test demo page; with "test" also the
# devDependencies the tests use (the OpenAPI validator, playwright-core, which
# drives Debian's chromium in tests/web, and the Kubernetes schemas that
# tests/deploy checks deploy/ against). Needs Node.js and npm: Debian's
# nodejs/npm packages are installed when no node is on the PATH.

fx_install_web() {
    local root web kind=${1:-run}
    local -a omit=(--omit=dev)
    [[ $kind == test ]] && omit=()
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    web=$root/web
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        # a local copy of the package list: fx_install_deps reads it by name
        local -a FX_DEB_PACKAGES=(nodejs npm)
        fx_install_deps
    fi
    # Re-install only when package.json changed since the last install of
    # this kind (a test install has everything a run install has).
    local mark=$web/node_modules/.fx-installed-$kind
    [[ $kind == run && -f $web/node_modules/.fx-installed-test ]] && mark=$web/node_modules/.fx-installed-test
    if [[ -f $mark && $mark -nt $web/package.json ]]; then
        return 0
    fi
    (cd "$web" && npm install "${omit[@]}" --no-audit --no-fund --loglevel=error) || {
        echo "error: npm install in web/ failed (the npm registry must be reachable)" >&2
        return 1
    }
    touch "$web/node_modules/.fx-installed-$kind"
}
