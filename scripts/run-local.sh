#!/usr/bin/env bash
# Cerebro and the three demo agents as background processes on this machine's RabbitMQ and PostgreSQL.
#
#   ./scripts/run-local.sh [start]   services, a Release build, then cerebro, task-server-a, task-server-b, task-server-py
#   ./scripts/run-local.sh stop      stop the four (SIGTERM: agents drain; then SIGKILL after a grace period)
#   ./scripts/run-local.sh status    which of them run
#
# Overrides: CEREBRO_URL (default http://127.0.0.1:5080), CEREBRO_RABBITMQ (amqp://guest:guest@127.0.0.1:5672/%2F),
# CEREBRO_POSTGRES (Host=127.0.0.1;Port=5432;Database=cerebro;Username=cerebro;Password=cerebro).
# Logs: .artifacts/logs/<name>.log; process ids: .artifacts/run-local/<name>.pid.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

readonly URL=${CEREBRO_URL:-http://127.0.0.1:5080}
readonly RABBITMQ=${CEREBRO_RABBITMQ:-amqp://guest:guest@127.0.0.1:5672/%2F}
readonly POSTGRES=${CEREBRO_POSTGRES:-Host=127.0.0.1;Port=5432;Database=cerebro;Username=cerebro;Password=cerebro}
readonly CONFIGURATION=Release
readonly LOGS=$root/.artifacts/logs
readonly PIDS=$root/.artifacts/run-local
readonly AGENTS=(task-server-a task-server-b task-server-py)
# Agents drain running tasks on SIGTERM (the .NET hosts allow 45 s); cerebro stops quickly.
readonly STOP_GRACE_SECONDS=50

log() { printf 'run-local: %s\n' "$*"; }
die() { printf 'run-local: error: %s\n' "$*" >&2; exit 1; }

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; }

# launch NAME DIRECTORY COMMAND...: start COMMAND in DIRECTORY in its own session, so it outlives this script
# and a Ctrl-C in the terminal, with its output in the log.
launch() {
  local name=$1 dir=$2
  shift 2
  if running "$name"; then
    log "$name: already running (pid $(pid_of "$name"))"
    return
  fi
  [[ -e $dir ]] || die "$name: $dir is missing (did the build fail?)"
  (cd "$dir" && exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null) &
  echo $! >"$PIDS/$name.pid"
  log "$name: started (pid $!, log .artifacts/logs/$name.log)"
}

# wait_until SECONDS WHAT COMMAND...: poll COMMAND every half second until it succeeds or SECONDS pass.
wait_until() {
  local seconds=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

healthy() { curl -fs -o /dev/null --max-time 2 "$URL/health"; }
agent_known() { curl -fs --max-time 2 "$URL/api/agents" | grep -q "\"name\":\"$1\""; }

ensure_database() {
  # The role from services.sh may create databases; Cerebro creates its schema itself.
  local conn=${POSTGRES//;/ } host port user password
  host=$(sed -n 's/.*\bHost=\([^ ]*\).*/\1/p' <<<"$conn")
  port=$(sed -n 's/.*\bPort=\([^ ]*\).*/\1/p' <<<"$conn")
  user=$(sed -n 's/.*\bUsername=\([^ ]*\).*/\1/p' <<<"$conn")
  password=$(sed -n 's/.*\bPassword=\([^ ]*\).*/\1/p' <<<"$conn")
  local database
  database=$(sed -n 's/.*\bDatabase=\([^ ]*\).*/\1/p' <<<"$conn")
  local psql=(psql -X -q -h "${host:-127.0.0.1}" -p "${port:-5432}" -U "${user:-cerebro}" -d postgres -tA)
  if [[ $(PGPASSWORD=$password "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$database'") == 1 ]]; then
    log "postgres: database $database exists"
  else
    PGPASSWORD=$password "${psql[@]}" -c "CREATE DATABASE \"$database\""
    log "postgres: database $database created"
  fi
}

start() {
  mkdir -p "$LOGS" "$PIDS"
  if [[ $(id -u) -eq 0 ]]; then
    ./scripts/services.sh
  else
    log "not root: leaving services alone; RabbitMQ and PostgreSQL must already be reachable"
  fi
  ensure_database

  log "building ($CONFIGURATION, output in .artifacts/logs/build.log)"
  local project
  : >"$LOGS/build.log"
  for project in Cerebro.Server TaskServerA TaskServerB; do
    if ! dotnet build "src/$project" -c "$CONFIGURATION" -nologo >>"$LOGS/build.log" 2>&1; then
      grep -E ': (error|warning) ' "$LOGS/build.log" | sort -u >&2 || tail -n 30 "$LOGS/build.log" >&2
      die "the build of src/$project failed (.artifacts/logs/build.log)"
    fi
  done

  local out=bin/$CONFIGURATION/net10.0
  launch cerebro "src/Cerebro.Server/$out" env \
    ASPNETCORE_URLS="$URL" ConnectionStrings__RabbitMq="$RABBITMQ" ConnectionStrings__Cerebro="$POSTGRES" \
    dotnet Cerebro.Server.dll
  # Agents announce themselves once Cerebro's queue exists, so cerebro goes first.
  wait_until 60 "cerebro" healthy || die "cerebro did not answer $URL/health within 60 s; see .artifacts/logs/cerebro.log"
  log "cerebro: healthy at $URL"

  launch task-server-a "src/TaskServerA/$out" env ConnectionStrings__RabbitMq="$RABBITMQ" dotnet TaskServerA.dll
  launch task-server-b "src/TaskServerB/$out" env ConnectionStrings__RabbitMq="$RABBITMQ" dotnet TaskServerB.dll
  launch task-server-py src/TaskServerPy env ConnectionStrings__RabbitMq="$RABBITMQ" PYTHONUNBUFFERED=1 \
    /usr/bin/python3 agent.py

  local agent
  for agent in "${AGENTS[@]}"; do
    if wait_until 30 "$agent" agent_known "$agent"; then
      log "$agent: known to cerebro"
    else
      log "warning: cerebro has not heard from $agent within 30 s; see .artifacts/logs/$agent.log"
    fi
  done
  log "Cerebro: $URL (API under $URL/api, e.g. $URL/api/agents); stop with ./scripts/run-local.sh stop"
}

stop_one() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if ! running "$name"; then
    log "$name: not running"
    rm -f "$PIDS/$name.pid"
    return
  fi
  kill -TERM "$pid"
  if wait_until "$STOP_GRACE_SECONDS" "$name" bash -c "! kill -0 $pid 2>/dev/null"; then
    log "$name: stopped"
  else
    kill -KILL "$pid" 2>/dev/null || true
    log "$name: killed (still running ${STOP_GRACE_SECONDS} s after SIGTERM)"
  fi
  rm -f "$PIDS/$name.pid"
}

stop() {
  # Agents first, in parallel (each may drain), so cerebro hears their server.stopping.
  local agent
  for agent in "${AGENTS[@]}"; do stop_one "$agent" & done
  wait
  stop_one cerebro
}

status() {
  local name rc=0
  for name in cerebro "${AGENTS[@]}"; do
    if running "$name"; then log "$name: running (pid $(pid_of "$name"))"; else log "$name: not running"; rc=3; fi
  done
  return $rc
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h | --help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (start, stop, status)" ;;
esac
