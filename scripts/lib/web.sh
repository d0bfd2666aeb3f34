# shellcheck shell=bash
# Web assets and browser-side tools from the npm registry, into web/node_modules
# (never committed): Swagger UI and ReDoc for fx-bridge's /docs and /redoc,
# lightweight-charts for the /ws-test demo page, the OpenAPI validator the
# tests run and playwright-core, which drives Debian's chromium (deps.sh) in
# tests/web. Needs Node.js and npm: Debian's nodejs/npm packages are
# installed when no node is on the PATH.

fx_install_web() {
    local root web
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    web=$root/web
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        # a local copy of the package list: fx_install_deps reads it by name
        local -a FX_DEB_PACKAGES=(nodejs npm)
        fx_install_deps
    fi
    # Re-install only when package.json changed since the last install.
    if [[ -f $web/node_modules/.fx-installed && $web/node_modules/.fx-installed -nt $web/package.json ]]; then
        return 0
    fi
    (cd "$web" && npm install --no-audit --no-fund --loglevel=error) || {
        echo "error: npm install in web/ failed (the npm registry must be reachable)" >&2
        return 1
    }
    touch "$web/node_modules/.fx-installed"
}
