#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that the tests use are reachable.
#
# The tests read DATABASE_URL and REDIS_URL (defaults in csp_portal/settings/test.py:
# postgres://postgres@127.0.0.1:5432/csp_portal and redis://127.0.0.1:6379/15). When a server on
# this machine's default port is down and can be started here (pg_ctlcluster, redis-server), this
# starts it; a server elsewhere is only waited for. Exits 1 with a clear message if one stays down.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/csp_portal}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
WAIT_SECONDS="${SERVICES_WAIT_SECONDS:-30}"
PYTHON="${PYTHON:-python3}"

# host_port URL DEFAULT_PORT -> "host port" (host empty for a Unix socket URL)
host_port() {
  local rest="${1#*://}"
  rest="${rest%%/*}"          # drop the path
  rest="${rest##*@}"          # drop user:password@
  local host port
  if [[ "$rest" =~ ^\[([^]]*)\](:([0-9]+))?$ ]]; then
    host="${BASH_REMATCH[1]}"; port="${BASH_REMATCH[3]}"
  else
    host="${rest%%:*}"
    port=""; [[ "$rest" == *:* ]] && port="${rest##*:}"
  fi
  echo "${host}" "${port:-$2}"
}

is_local() { [[ -z "$1" || "$1" == "127.0.0.1" || "$1" == "localhost" || "$1" == "::1" ]]; }

tcp_open() {
  "$PYTHON" - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
EOF
}

postgres_up() {
  local host="$1" port="$2"
  if command -v pg_isready >/dev/null 2>&1; then
    if [[ -n "$host" ]]; then pg_isready -q -h "$host" -p "$port"; else pg_isready -q -p "$port"; fi
  else
    tcp_open "${host:-127.0.0.1}" "$port"
  fi
}

redis_up() {
  local host="${1:-127.0.0.1}" port="$2"
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" == "PONG" ]]
  else
    tcp_open "$host" "$port"
  fi
}

start_postgres() {
  command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]] || return 0
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  [[ -n "$version" ]] || return 0
  echo "ensure_services: starting PostgreSQL $version (pg_ctlcluster)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || return 0
  echo "ensure_services: starting Redis (redis-server --daemonize yes)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
}

wait_for() {  # wait_for CHECK HOST PORT
  local waited=0
  until "$1" "$2" "$3"; do
    (( waited >= WAIT_SECONDS )) && return 1
    sleep 1; waited=$((waited + 1))
  done
}

read -r pg_host pg_port <<<"$(host_port "$DATABASE_URL" 5432)"
read -r redis_host redis_port <<<"$(host_port "$REDIS_URL" 6379)"
status=0

if ! postgres_up "$pg_host" "$pg_port"; then
  if is_local "$pg_host" && [[ "$pg_port" == 5432 ]]; then start_postgres; fi
  if ! wait_for postgres_up "$pg_host" "$pg_port"; then
    cat >&2 <<EOF
ensure_services: PostgreSQL is not reachable at ${pg_host:-local socket}:${pg_port} (waited ${WAIT_SECONDS}s).
  Start a PostgreSQL server there (e.g. 'pg_ctlcluster <version> main start' or your package's
  service), or set DATABASE_URL=postgres://USER:PASSWORD@HOST:PORT/DBNAME to one the tests may use
  (the user must be allowed to create the test database).
EOF
    status=1
  fi
fi

if ! redis_up "$redis_host" "$redis_port"; then
  if is_local "$redis_host" && [[ "$redis_port" == 6379 ]]; then start_redis; fi
  if ! wait_for redis_up "$redis_host" "$redis_port"; then
    cat >&2 <<EOF
ensure_services: Redis is not reachable at ${redis_host:-127.0.0.1}:${redis_port} (waited ${WAIT_SECONDS}s).
  Start a Redis server there (e.g. 'redis-server --daemonize yes'), or set
  REDIS_URL=redis://HOST:PORT/DB to one the tests may use (the tests flush that database).
EOF
    status=1
  fi
fi

if (( status == 0 )); then
  echo "ensure_services: PostgreSQL ${pg_host:-socket}:${pg_port} and Redis ${redis_host:-127.0.0.1}:${redis_port} are up."
fi
exit "$status"
