# shellcheck shell=bash
# Throwaway PostgreSQL and Redis on 127.0.0.1, each in a directory of its own,
# plus a tiny pidfile-based supervisor for our own programs (fx_start_bg).
# Sourced by scripts/test.sh, scripts/up.sh and scripts/down.sh; run as
# `bash services.sh FUNCTION ARGS...` it calls one function (the tests restart
# the servers that way).
#
#   fx_pick_free_port [FIRST]      print a free loopback TCP port
#   fx_pg_start DIR PORT           initdb (once) + start; exports DATABASE_URL
#   fx_pg_start_tls DIR PORT       the same with TLS (ssl=on, a CA and a server
#                                  certificate for 127.0.0.1/localhost in DIR/tls);
#                                  exports DATABASE_URL with sslmode=verify-full
#   fx_pg_stop DIR
#   fx_pg_restart DIR [MODE]       stop (-m MODE, default immediate) + start
#   fx_redis_start DIR PORT [ARG]  start; exports REDIS_URL
#   fx_redis_stop DIR
#   fx_redis_restart DIR           stop (SIGTERM) + start, same port and ARGs
#   fx_start_bg NAME CMD...        needs FX_RUN_DIR and FX_LOG_DIR
#   fx_stop_bg NAME

# PostgreSQL refuses to run as root, so as root we run it as this system user.
FX_PG_USER=${FX_PG_USER:-fxpg}

# True if PID exists and is not a zombie (an exited child of this shell that
# was not reaped still passes kill -0).
_fx_pid_alive() {
    local s
    kill -0 "$1" 2>/dev/null || return 1
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    [[ ${s:0:1} != Z ]]
}

# ---------------------------------------------------------------- ports ----

# True when something listens on 127.0.0.1:PORT. ss (iproute2) is not always
# installed, so fall back to a bash /dev/tcp connect, which sees any listener
# that would clash with ours (loopback or wildcard).
fx_port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1 &&
        [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]; then
        return 0
    fi
    # shellcheck disable=SC2016 # $0 is expanded by the inner bash
    timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$port" 2>/dev/null
}

# Lowest port the kernel uses as an ephemeral (client source) port.
fx_ephemeral_low() {
    local low _high
    read -r low _high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
    echo "${low:-32768}"
}

# fx_pick_free_port [FIRST]: FIRST or the next free port after it; without
# FIRST, a random port just below the ephemeral range, so concurrent test runs
# rarely collide and no client dialing it before its server listens can take
# it with its own source port (TCP simultaneous open).
# shellcheck disable=SC2120 # FIRST is optional
fx_pick_free_port() {
    local low
    low=$(fx_ephemeral_low)
    local first=$((low - 12000 < 1024 ? 1024 : low - 12000))
    local port=${1:-$((first + RANDOM % (low - first - 200)))} i
    for ((i = 0; i < 200; i++, port++)); do
        if ! fx_port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "error: no free port in $((port - 200))..$((port - 1))" >&2
    return 1
}

# ------------------------------------------------------------ PostgreSQL ----

# Highest installed server version (Debian installs them side by side).
fx_pg_bindir() {
    local d
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [[ ! -x $d/initdb ]]; then
        echo "error: no PostgreSQL server found under /usr/lib/postgresql/*/bin" >&2
        return 1
    fi
    echo "$d"
}

_fx_pg_ensure_user() {
    getent passwd "$FX_PG_USER" >/dev/null && return 0
    echo "    creating system user $FX_PG_USER (PostgreSQL will not run as root)"
    # `|| getent` tolerates a concurrent run creating it first.
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$FX_PG_USER" ||
        getent passwd "$FX_PG_USER" >/dev/null
}

# Run a PostgreSQL tool as the owner of DIR (root → that owner), from inside
# DIR so the tool never trips over an unreadable working directory.
_fx_pg_as() {
    local dir=$1
    shift
    if ((EUID == 0)); then
        local owner
        owner=$(stat -c %U "$dir")
        (cd "$dir" && runuser -u "$owner" -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

fx_pg_running() {
    local dir=$1 bindir
    [[ -f $dir/data/PG_VERSION ]] || return 1
    bindir=$(fx_pg_bindir) || return 1
    _fx_pg_as "$dir" "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# fx_pg_start DIR PORT: cluster in DIR/data (initdb only if absent, so data
# persists), log DIR/pg.log, Unix socket in DIR, TCP on 127.0.0.1:PORT only,
# trust auth, superuser fx, database fx. Exports DATABASE_URL.
fx_pg_start() {
    local dir=$1 port=$2 bindir data
    bindir=$(fx_pg_bindir) || return 1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    data=$dir/data

    if fx_pg_running "$dir"; then
        port=$(cat "$dir/port")
        echo "    PostgreSQL already running on port $port"
        export DATABASE_URL="postgresql://fx@127.0.0.1:$port/fx"
        return 0
    fi

    if ((EUID == 0)); then
        _fx_pg_ensure_user || return 1
        chown "$FX_PG_USER:" "$dir"
        # Every parent of DIR must be searchable by that user.
        if ! runuser -u "$FX_PG_USER" -- test -w "$dir"; then
            echo "error: user $FX_PG_USER cannot reach $dir (a parent directory is not" >&2
            echo "       world-searchable, e.g. /root). Use a directory elsewhere." >&2
            return 1
        fi
    fi
    # 755: other local users may use the socket; initdb makes data/ 0700.
    chmod 755 "$dir"

    if [[ ! -f $data/PG_VERSION ]]; then
        if ! _fx_pg_as "$dir" "$bindir/initdb" -D "$data" -U fx -A trust \
            -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
            echo "error: initdb failed:" >&2
            cat "$dir/initdb.log" >&2
            return 1
        fi
        # Settings that change per start (port) live in their own file.
        echo "include_if_exists = 'fx-runtime.conf'" >>"$data/postgresql.conf"
    fi

    # Unix socket paths are limited to ~107 bytes; with a deep DIR go TCP-only.
    local sockdir=$dir
    ((${#dir} > 80)) && sockdir=
    cat >"$data/fx-runtime.conf" <<CONF
# Written by scripts/lib/services.sh on every start.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${sockdir//\'/\'\'}'
CONF
    ((EUID == 0)) && chown "$FX_PG_USER:" "$data/fx-runtime.conf"

    if ! _fx_pg_as "$dir" "$bindir/pg_ctl" -D "$data" -l "$dir/pg.log" \
        -w -t 60 -s start; then
        echo "error: PostgreSQL did not start; end of $dir/pg.log:" >&2
        tail -n 30 "$dir/pg.log" >&2 || true
        return 1
    fi
    echo "$port" >"$dir/port"

    local -a conn=(-h 127.0.0.1 -p "$port" -U fx)
    if [[ -z $("$bindir/psql" -X "${conn[@]}" -d postgres -tAc \
        "select 1 from pg_database where datname = 'fx'") ]]; then
        "$bindir/createdb" "${conn[@]}" fx || return 1
    fi
    export DATABASE_URL="postgresql://fx@127.0.0.1:$port/fx"
}

# fx_pg_start_tls DIR PORT: fx_pg_start, then ssl=on with a CA (DIR/tls/ca.crt)
# and a server certificate for localhost and 127.0.0.1 made with openssl; the
# key is the PostgreSQL user's, mode 0600 (PostgreSQL refuses anything looser).
# Exports DATABASE_URL=postgresql://fx@localhost:PORT/fx?sslmode=verify-full&sslrootcert=DIR/tls/ca.crt
# (localhost: libpq matches the host name to the certificate).
fx_pg_start_tls() {
    local dir=$1 port=$2 bindir tls data
    fx_pg_start "$dir" "$port" >/dev/null || return 1
    dir=$(cd "$dir" && pwd)
    tls=$dir/tls data=$dir/data
    bindir=$(fx_pg_bindir) || return 1
    if [[ ! -f $data/server.key ]]; then
        mkdir -p "$tls"
        (
            cd "$tls" &&
                openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
                openssl req -x509 -new -key ca.key -subj "/CN=fx test PostgreSQL CA" -days 2 -out ca.crt &&
                openssl ecparam -name prime256v1 -genkey -noout -out server.key &&
                openssl req -new -key server.key -subj "/CN=localhost" -out server.csr &&
                printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >server.ext &&
                openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
                    -extfile server.ext -out server.crt
        ) >"$dir/tls.log" 2>&1 || {
            echo "error: openssl failed (see $dir/tls.log)" >&2
            return 1
        }
        cp "$tls/server.crt" "$tls/server.key" "$data/"
        chmod 600 "$data/server.key"
        ((EUID == 0)) && chown "$(stat -c %U "$data"):" "$data/server.crt" "$data/server.key"
        chmod 644 "$tls/ca.crt"
    fi
    printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$data/fx-runtime.conf"
    _fx_pg_as "$dir" "$bindir/pg_ctl" -D "$data" -w -s reload || return 1
    sleep 0.5
    export DATABASE_URL="postgresql://fx@localhost:$port/fx?sslmode=verify-full&sslrootcert=$tls/ca.crt"
}

fx_pg_stop() {
    local dir=$1 bindir
    fx_pg_running "$dir" || return 0
    bindir=$(fx_pg_bindir) || return 1
    _fx_pg_as "$dir" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -s stop
}

# fx_pg_restart DIR [MODE]: stop with pg_ctl -m MODE and start again on the
# same port. The default, immediate, is a crash as far as clients can tell:
# sessions are cut off mid-transaction and the start runs crash recovery.
fx_pg_restart() {
    local dir=$1 mode=${2:-immediate} bindir port
    dir=$(cd "$dir" && pwd) || return 1 # _fx_pg_as runs pg_ctl from inside DIR
    bindir=$(fx_pg_bindir) || return 1
    port=$(cat "$dir/port") || return 1
    if fx_pg_running "$dir"; then
        _fx_pg_as "$dir" "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -s stop || return 1
    fi
    fx_pg_start "$dir" "$port"
}

# ----------------------------------------------------------------- Redis ----

fx_redis_running() {
    local pid
    pid=$(cat "$1/redis.pid" 2>/dev/null) && [[ -n $pid ]] && _fx_pid_alive "$pid"
}

# fx_redis_start DIR PORT [EXTRA redis-server ARGS...]: no snapshots and no
# AOF unless EXTRA says otherwise. Exports REDIS_URL. EXTRA is kept in
# DIR/args for fx_redis_restart.
fx_redis_start() {
    local dir=$1 port=$2 pid i
    shift 2
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)

    if fx_redis_running "$dir"; then
        port=$(cat "$dir/port")
        echo "    Redis already running on port $port"
        export REDIS_URL="redis://127.0.0.1:$port"
        return 0
    fi
    rm -f "$dir/redis.pid"

    # Not --daemonize: as our own background job its pid is known at once, so
    # we notice at once when it dies (port taken, bad argument...) and never
    # mistake another server's PONG for ours. setsid: keep it out of reach of
    # a Ctrl-C in the terminal.
    setsid redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
        --daemonize no --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        --save "" --appendonly no "$@" >"$dir/redis.out" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/redis.pid"
    local arg
    for arg in "$@"; do printf '%s\0' "$arg"; done >"$dir/args"

    # Ready when the server on PORT is this very process (not one that
    # already held the port while ours is still failing to bind) and has
    # loaded its data: until then it answers INFO but fails most commands
    # with LOADING. A large append-only file takes seconds.
    local info
    for ((i = 0; i < 600; i++)); do
        _fx_pid_alive "$pid" || break
        info=$(redis-cli -p "$port" info 2>/dev/null | tr -d '\r') || info=
        if grep -qx "process_id:$pid" <<<"$info" && grep -qx "loading:0" <<<"$info"; then
            echo "$port" >"$dir/port"
            export REDIS_URL="redis://127.0.0.1:$port"
            return 0
        fi
        sleep 0.1
    done
    echo "error: Redis did not start:" >&2
    tail -n 20 "$dir/redis.out" "$dir/redis.log" >&2 || true
    return 1
}

fx_redis_stop() {
    local dir=$1 pid i
    fx_redis_running "$dir" || return 0
    pid=$(cat "$dir/redis.pid")
    kill -TERM "$pid" # Redis treats SIGTERM as SHUTDOWN (flushes AOF if on)
    for ((i = 0; i < 100; i++)); do
        _fx_pid_alive "$pid" || return 0
        sleep 0.1
    done
    echo "    Redis (pid $pid) ignored SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

# fx_redis_restart DIR: SIGTERM (a clean SHUTDOWN) and start again with the
# port and EXTRA arguments of the last fx_redis_start. What survives is what
# those arguments persist: with --appendonly yes, everything.
fx_redis_restart() {
    local dir=$1 port
    local -a args=()
    port=$(cat "$dir/port") || return 1
    if [[ ! -f $dir/args ]]; then
        # started before DIR/args existed: its arguments are unknown
        echo "error: no $dir/args; restart Redis with fx_redis_stop + fx_redis_start" >&2
        return 1
    fi
    mapfile -d '' -t args <"$dir/args"
    fx_redis_stop "$dir" || return 1
    fx_redis_start "$dir" "$port" "${args[@]}"
}

# ------------------------------------------------- background programs ----
# FX_RUN_DIR/NAME.pid and NAME.exe, FX_LOG_DIR/NAME.log.

# Print NAME's pid if it runs. The recorded executable is compared with
# /proc/PID/exe so a pid reused after a reboot is never taken for ours.
fx_bg_pid() {
    local name=$1 pid exe cur
    pid=$(cat "$FX_RUN_DIR/$name.pid" 2>/dev/null) || return 1
    exe=$(cat "$FX_RUN_DIR/$name.exe" 2>/dev/null) || return 1
    [[ -n $pid ]] && _fx_pid_alive "$pid" || return 1
    cur=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    # A rebuilt binary shows as "PATH (deleted)" in a running process.
    [[ ${cur% (deleted)} == "$exe" ]] || return 1
    echo "$pid"
}

# fx_start_bg NAME CMD...: start CMD detached (own session, so a Ctrl-C in
# the terminal does not reach it), output appended to FX_LOG_DIR/NAME.log.
fx_start_bg() {
    local name=$1 pid exe
    shift
    mkdir -p "$FX_RUN_DIR" "$FX_LOG_DIR"
    if pid=$(fx_bg_pid "$name"); then
        echo "    $name already running (pid $pid)"
        return 0
    fi
    exe=$(command -v "$1") || {
        echo "error: $name: command not found: $1" >&2
        return 1
    }
    readlink -f "$exe" >"$FX_RUN_DIR/$name.exe"
    # setsid does not fork here (a background job is no group leader), so $!
    # is the program itself.
    setsid "$@" >>"$FX_LOG_DIR/$name.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$FX_RUN_DIR/$name.pid"
}

# fx_stop_bg NAME: SIGTERM, wait up to FX_STOP_TIMEOUT seconds, then SIGKILL.
fx_stop_bg() {
    local name=$1 pid i
    if pid=$(fx_bg_pid "$name"); then
        echo "==> stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < ${FX_STOP_TIMEOUT:-15} * 10; i++)); do
            _fx_pid_alive "$pid" || break
            sleep 0.1
        done
        if _fx_pid_alive "$pid"; then
            echo "    $name did not exit on SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$FX_RUN_DIR/$name.pid" "$FX_RUN_DIR/$name.exe"
}

# ---------------------------------------------------------- as a program ----

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1-} in
    fx_*) "$@" ;;
    *)
        echo "usage: bash $0 FUNCTION ARGS... (a fx_* function of this file)" >&2
        exit 2
        ;;
    esac
fi
