#!/usr/bin/env bash
# RabbitMQ and PostgreSQL from Debian's packages, on loopback, ready for Cerebro and its tests.
#
#   scripts/services.sh [start]   install what is missing, start what is stopped, ensure the `cerebro` role
#   scripts/services.sh stop      stop both
#   scripts/services.sh status    report both; exit 0 only when both are up
#
# Idempotent and safe to run as root on a fresh Debian 12 machine: what already runs is left alone.
# No systemd on these machines, so the services are started by hand the way ../shared/ENVIRONMENT.md describes.
# Overrides (for a private instance): the usual RABBITMQ_* variables (RABBITMQ_NODENAME, RABBITMQ_NODE_PORT, ...),
# CEREBRO_RABBITMQ_MANAGEMENT_PORT (15672), CEREBRO_PG_VERSION (15), CEREBRO_PG_CLUSTER (main).
set -euo pipefail

readonly PACKAGES=(rabbitmq-server postgresql python3-pika python3-jsonschema)
readonly MGMT_PORT=${CEREBRO_RABBITMQ_MANAGEMENT_PORT:-15672}
readonly PG_VERSION=${CEREBRO_PG_VERSION:-15}
readonly PG_CLUSTER=${CEREBRO_PG_CLUSTER:-main}
readonly ROLE=cerebro
readonly PASSWORD=cerebro
readonly SELF=$(readlink -f "$0")

log() { printf 'services: %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,11p' "$SELF" | sed 's/^# \{0,1\}//'
  exit 0
fi

# rabbitmq-server, rabbitmqctl and pg_ctlcluster switch to their service users themselves, but only from root.
[[ $(id -u) -eq 0 ]] || die "run as root (the RabbitMQ and PostgreSQL tools switch to their service users from root)"

# Run from a directory every service user can read, so psql and friends do not warn about the cwd.
cd /

# Two runs at once (say, two test suites) must not both start a node.
exec 9>"${TMPDIR:-/tmp}/cerebro-services.lock"
flock 9

ensure_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "packages: installed"
    return
  fi
  log "packages: installing ${missing[*]} (apt-get update + install)"
  apt-get update -qq
  # The image's policy-rc.d keeps apt from starting the services; they are started below either way.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  log "packages: installed ${missing[*]}"
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND every half second until it succeeds or SECONDS pass.
wait_until() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || die "$what: not ready after ${seconds}s"
    sleep 0.5
  done
}

# ---- RabbitMQ -------------------------------------------------------------------------------------------------

rabbit_up() { rabbitmq-diagnostics -q ping >/dev/null 2>&1; }
management_up() { rabbitmq-diagnostics -q check_port_listener "$MGMT_PORT" >/dev/null 2>&1; }

start_rabbitmq() {
  if rabbit_up; then
    rabbitmqctl -q await_startup >/dev/null
    log "rabbitmq: already running"
  else
    log "rabbitmq: starting"
    # The management listener is pinned to loopback too (its default is every interface).
    # 9>&-: the daemon must not inherit the lock, or it would hold it for its whole life.
    RABBITMQ_NODE_IP_ADDRESS=${RABBITMQ_NODE_IP_ADDRESS:-127.0.0.1} \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="${RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS:-} -rabbitmq_management tcp_config [{ip,\"127.0.0.1\"},{port,$MGMT_PORT}]" \
      rabbitmq-server -detached 9>&-
    # await_startup gives up at once while the node is not yet reachable, so wait for that first.
    wait_until 60 "rabbitmq node" rabbit_up
    rabbitmqctl -q await_startup --timeout 120 >/dev/null
    log "rabbitmq: started"
  fi
  if management_up; then
    log "rabbitmq: management already running on port $MGMT_PORT"
  else
    log "rabbitmq: enabling rabbitmq_management"
    rabbitmq-plugins -q enable rabbitmq_management >/dev/null
    management_up || die "rabbitmq_management is enabled but nothing listens on port $MGMT_PORT"
    log "rabbitmq: management running on port $MGMT_PORT"
  fi
}

stop_rabbitmq() {
  if rabbit_up; then
    rabbitmqctl -q shutdown >/dev/null
    log "rabbitmq: stopped"
  else
    log "rabbitmq: not running"
  fi
}

# ---- PostgreSQL -----------------------------------------------------------------------------------------------

pg_exists() { pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" >/dev/null 2>&1; }
pg_up() { pg_exists && pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" status >/dev/null 2>&1; }
pg_port() { pg_lsclusters -h "$PG_VERSION" "$PG_CLUSTER" | awk '{ print $3 }'; }
as_postgres() { runuser -u postgres -- "$@"; }

start_postgres() {
  if ! pg_exists; then
    # Debian's package creates the cluster on install; this covers a machine where it was dropped or never made.
    log "postgres: creating cluster $PG_VERSION/$PG_CLUSTER"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >/dev/null
  fi
  if pg_up; then
    log "postgres: already running ($PG_VERSION/$PG_CLUSTER)"
  else
    log "postgres: starting $PG_VERSION/$PG_CLUSTER"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start 9>&-
  fi
  local port
  port=$(pg_port)
  pg_isready -q -h 127.0.0.1 -p "$port" -t 60 || die "postgres does not accept connections on 127.0.0.1:$port"

  # Checked the way the tests connect: over TCP with the password.
  if PGPASSWORD=$PASSWORD psql -X -q -h 127.0.0.1 -p "$port" -U "$ROLE" -d postgres -tAc \
    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user" 2>/dev/null | grep -qx t; then
    log "postgres: role $ROLE already exists (superuser) on 127.0.0.1:$port"
    return
  fi
  local exists
  exists=$(as_postgres psql -X -q -p "$port" -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")
  if [[ $exists == 1 ]]; then
    as_postgres psql -X -q -p "$port" -d postgres -c "ALTER ROLE $ROLE WITH LOGIN SUPERUSER PASSWORD '$PASSWORD'"
    log "postgres: role $ROLE updated to a superuser with the password '$PASSWORD'"
  else
    as_postgres psql -X -q -p "$port" -d postgres -c "CREATE ROLE $ROLE WITH LOGIN SUPERUSER PASSWORD '$PASSWORD'"
    log "postgres: role $ROLE created (superuser, password '$PASSWORD') on 127.0.0.1:$port"
  fi
}

stop_postgres() {
  if pg_up; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop
    log "postgres: stopped"
  else
    log "postgres: not running"
  fi
}

# ---- commands -------------------------------------------------------------------------------------------------

status() {
  local rc=0
  if rabbit_up; then
    log "rabbitmq: running (management: $(management_up && echo "port $MGMT_PORT" || echo "not running"))"
  else
    log "rabbitmq: not running"
    rc=3
  fi
  if pg_up; then
    log "postgres: running ($PG_VERSION/$PG_CLUSTER on port $(pg_port))"
  else
    log "postgres: not running"
    rc=3
  fi
  return $rc
}

case "${1:-start}" in
  start)
    ensure_packages
    start_rabbitmq
    start_postgres
    ;;
  stop)
    stop_rabbitmq
    stop_postgres
    ;;
  status)
    status
    ;;
  *)
    die "unknown command '$1' (start, stop, status)"
    ;;
esac
