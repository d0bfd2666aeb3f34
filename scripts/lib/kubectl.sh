# shellcheck shell=bash
# fx_debian_kubectl DIR: prints the path of Debian 12's kubectl (package
# kubernetes-client: kubectl 1.20 with kustomize v2.0.3, the oldest renderer
# deploy/ is written for), downloaded with apt-get and unpacked into DIR on
# first use. Unpacked, not installed: other kubectl packages (e.g. Google
# Cloud SDK's) own /usr/bin/kubectl on some machines.
fx_debian_kubectl() {
    local dir=$1 bin=$1/root/usr/bin/kubectl
    if [[ ! -x $bin ]]; then
        mkdir -p "$dir"
        chmod 777 "$dir" # apt-get download runs as _apt where it can
        (cd "$dir" && apt-get download -q kubernetes-client >/dev/null 2>"$dir/download.log") || {
            echo "error: apt-get download kubernetes-client failed (see $dir/download.log)" >&2
            return 1
        }
        dpkg-deb -x "$dir"/kubernetes-client_*.deb "$dir/root"
    fi
    printf '%s\n' "$bin"
}
