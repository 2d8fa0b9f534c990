#!/usr/bin/env bash
# Make sure PostgreSQL and RabbitMQ are reachable; start them on a development machine if they
# are installed locally but stopped. Quiet on success (one line), exit 1 with advice otherwise.
#
# Environment:
#   PGHOST, PGPORT            PostgreSQL address (default 127.0.0.1:5432)
#   AMQP_HOST, AMQP_PORT      RabbitMQ address (default: taken from AMQP_URL, else 127.0.0.1:5672)
#   CHECK_SERVICES_TIMEOUT    seconds to wait for a service we started (default 60)
#
# Only a server installed on this machine for that very port is started (pg_lsclusters decides
# which PostgreSQL cluster; RabbitMQ only on its node port); anything else is reported.
set -euo pipefail

PG_HOST="${PGHOST:-127.0.0.1}"
PG_PORT="${PGPORT:-5432}"
# AMQP_URL = amqp://user:pass@host:port/vhost -> host, port (no URL: the local default).
_amqp_authority="${AMQP_URL:-amqp://127.0.0.1:5672/}"
_amqp_authority="${_amqp_authority#*://}"
_amqp_authority="${_amqp_authority%%/*}"
_amqp_authority="${_amqp_authority##*@}"
_amqp_url_host="${_amqp_authority%%:*}"
_amqp_url_port=5672
[[ "$_amqp_authority" == *:* ]] && _amqp_url_port="${_amqp_authority##*:}"
MQ_HOST="${AMQP_HOST:-${_amqp_url_host:-127.0.0.1}}"
MQ_PORT="${AMQP_PORT:-$_amqp_url_port}"
TIMEOUT="${CHECK_SERVICES_TIMEOUT:-60}"
COMPOSE_HINT="or, with Docker: docker compose -f deploy/docker-compose.yml up -d postgres rabbitmq"

say() { printf 'check_services: %s\n' "$*" >&2; }

die() {
    say "$*"
    exit 1
}

is_local() {
    case "$1" in
        127.* | localhost | ::1 | "") return 0 ;;
        *) return 1 ;;
    esac
}

tcp_open() { # host port
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
    else
        tcp_open "$PG_HOST" "$PG_PORT"
    fi
}

# A broker whose port is open may still be booting; one that answers the AMQP 0-9-1 protocol
# header with a Connection.Start frame (frame type 1) accepts clients.
amqp_ready() {
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        printf "AMQP\x00\x00\x09\x01" >&3
        frame_type=$(head -c 1 <&3 | od -An -tx1 | tr -d " \n")
        [ "$frame_type" = "01" ]' "$MQ_HOST" "$MQ_PORT" 2>/dev/null
}

as_root() { # run a command as root when we are not (sudo without a password prompt only)
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        return 1
    fi
}

wait_for() { # name probe log
    local name="$1" probe="$2" log="$3" waited=0
    until "$probe"; do
        if ((waited >= TIMEOUT)); then
            die "$name did not become ready within ${TIMEOUT}s; see $log"
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

start_postgres() {
    command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    local version="" cluster="main"
    if command -v pg_lsclusters >/dev/null 2>&1; then
        # The cluster that listens on our port: "15 main 5432 down postgres ...".
        read -r version cluster < <(
            pg_lsclusters -h | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}'
        ) || true
    fi
    if [[ -z "$version" ]] && ! command -v pg_lsclusters >/dev/null 2>&1; then
        version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    fi
    [[ -n "$version" ]] || return 1
    say "PostgreSQL is down; starting cluster $version/$cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >&2
}

start_rabbitmq() {
    command -v rabbitmq-server >/dev/null 2>&1 || return 1
    # The local node listens on RABBITMQ_NODE_PORT; starting it cannot help another port.
    [[ "$MQ_PORT" == "${RABBITMQ_NODE_PORT:-5672}" ]] || return 1
    say "RabbitMQ is down; starting rabbitmq-server"
    as_root rabbitmq-server -detached >&2
}

ensure_postgres() {
    pg_ready && return 0
    if is_local "$PG_HOST" && start_postgres; then
        wait_for "PostgreSQL on $PG_HOST:$PG_PORT" pg_ready /var/log/postgresql/
        return 0
    fi
    if is_local "$PG_HOST" && ! command -v pg_ctlcluster >/dev/null 2>&1; then
        die "PostgreSQL is not reachable on $PG_HOST:$PG_PORT and not installed here. Install it" \
            "(sudo apt-get install postgresql; trust auth for user postgres on 127.0.0.1)" \
            "$COMPOSE_HINT"
    fi
    die "PostgreSQL is not reachable on $PG_HOST:$PG_PORT. Start it, e.g." \
        "sudo pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start;" \
        "$COMPOSE_HINT"
}

ensure_rabbitmq() {
    amqp_ready && return 0
    if tcp_open "$MQ_HOST" "$MQ_PORT"; then
        # Listening but not answering AMQP yet: booting. Wait rather than start a second one.
        wait_for "RabbitMQ on $MQ_HOST:$MQ_PORT" amqp_ready /var/log/rabbitmq/
        return 0
    fi
    if is_local "$MQ_HOST" && start_rabbitmq; then
        wait_for "RabbitMQ on $MQ_HOST:$MQ_PORT" amqp_ready /var/log/rabbitmq/
        return 0
    fi
    if is_local "$MQ_HOST" && ! command -v rabbitmq-server >/dev/null 2>&1; then
        die "RabbitMQ is not reachable on $MQ_HOST:$MQ_PORT and not installed here. Install it" \
            "(sudo apt-get install rabbitmq-server)" "$COMPOSE_HINT"
    fi
    die "RabbitMQ is not reachable on $MQ_HOST:$MQ_PORT. Start it, e.g." \
        "sudo rabbitmq-server -detached;" "$COMPOSE_HINT"
}

ensure_postgres
ensure_rabbitmq
echo "services ok: PostgreSQL $PG_HOST:$PG_PORT, RabbitMQ $MQ_HOST:$MQ_PORT"
