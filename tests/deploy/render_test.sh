#!/usr/bin/env bash
# deploy/ renders offline with Debian's kubectl 1.20 (kustomize v2.0.3; path
# in FX_KUBECTL, set by scripts/test.sh) and with a newer kubectl when one is
# on the PATH, and every rendered object passes tests/deploy/validate.mjs:
# the Kubernetes schemas and fxohlc's own invariants.
#   render_test.sh SOURCE_DIR
set -euo pipefail
src=$1
: "${FX_KUBECTL:?FX_KUBECTL must name the Debian kubectl 1.20 (scripts/test.sh sets it)}"
modules=$src/web/node_modules
[[ -d $modules/kubernetes-models ]] || { echo "error: $modules lacks kubernetes-models (npm install in web/)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

renderers=("$FX_KUBECTL")
if newer=$(command -v kubectl) && [[ $newer != "$FX_KUBECTL" ]] && ! "$newer" version --client 2>/dev/null | grep -q 'v1\.20\.'; then
    renderers+=("$newer")
fi
"$FX_KUBECTL" version --client 2>/dev/null | grep -q 'v1\.20\.' || { echo "error: $FX_KUBECTL is not kubectl 1.20" >&2; exit 1; }

status=0
for kubectl in "${renderers[@]}"; do
    for dir in deploy/overlays/dev deploy/overlays/production tests/deploy/production-with-keda; do
        name=$(basename "$dir")
        kind=$name
        [[ $name == production-with-keda ]] && kind=production
        out=$tmp/$name.yaml
        if ! "$kubectl" kustomize "$src/$dir" >"$out" 2>"$tmp/err"; then
            echo "FAIL $dir does not render with $kubectl: $(cat "$tmp/err")"
            status=1
            continue
        fi
        printf '%s (%s): ' "$dir" "$("$kubectl" version --client --short 2>/dev/null | head -1 || echo "$kubectl")"
        node "$src/tests/deploy/validate.mjs" "$modules" "$kind" "$out" || status=1
    done
done
# The production overlay runs nng over TLS: cores listen on tls+tcp://, bridges
# dial dns+tls+tcp://, both read FX_TLS_* from the Secret fx-tls at
# /etc/fx-tls, and the pods' fsGroup lets the non-root user read the key.
prod=$("$FX_KUBECTL" kustomize "$src/deploy/overlays/production")
for want in 'value: tls+tcp://0.0.0.0:5555' 'value: tls+tcp://0.0.0.0:5556' 'value: dns+tls+tcp://fx-core:5555' \
    'value: dns+tls+tcp://fx-core:5556' 'secretName: fx-tls' 'mountPath: /etc/fx-tls' 'fsGroup: 10001' \
    'value: /etc/fx-tls/tls.key'; do
    n=$(grep -cF -- "$want" <<<"$prod" || true)
    min=1
    [[ $want == secretName* || $want == mountPath* || $want == fsGroup* || $want == *tls.key ]] && min=2 # core and bridge
    if ((n < min)); then
        echo "FAIL production overlay: \"$want\" found $n times, expected at least $min"
        status=1
    fi
done
# and its bridges require API keys, read from the Secret fx-bridge-api-keys.
for want in 'value: /etc/fx-bridge-keys/keys' 'secretName: fx-bridge-api-keys'; do
    if ! grep -qF -- "$want" <<<"$prod"; then
        echo "FAIL production overlay: no \"$want\" (fx-bridge's BRIDGE_API_KEYS_FILE from a Secret)"
        status=1
    fi
done
if grep -q 'value: tcp://0.0.0.0:555' <<<"$prod"; then
    echo "FAIL production overlay: a core still listens on plain tcp://"
    status=1
fi
# The KEDA overlay really adds the scaler.
"$FX_KUBECTL" kustomize "$src/tests/deploy/production-with-keda" | grep -q '^kind: ScaledObject' || {
    echo "FAIL the KEDA overlay has no ScaledObject"
    status=1
}
exit $status
