#!/usr/bin/env bash
# Start a loopback PostgreSQL for the store tests and print its URL on stdout.
#
#   export TEST_DATABASE_URL="$(tools/ci_postgres.sh)"
#
# Needs root: installs Debian's postgresql when missing, creates and starts a
# cluster listening on 127.0.0.1 only, and (re)creates the role and database
# planner_test with a fresh random password each run. Progress goes to stderr;
# the URL (with that throwaway password) only to stdout, for the caller to capture.
set -euo pipefail
log() { echo "ci_postgres: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  log "must run as root (installs and starts PostgreSQL)"; exit 1
fi
if ! command -v pg_ctlcluster >/dev/null; then
  log "installing postgresql from Debian"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $version/main"
  pg_createcluster "$version" main -- --auth-local=peer --auth-host=scram-sha-256 >&2
fi
echo "listen_addresses = '127.0.0.1'" > "/etc/postgresql/$version/main/conf.d/planner_ci.conf"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" && $4 == "online"' \
    | grep -q .; then
  log "starting cluster $version/main"
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# SQL on stdin, so the password never appears in a process list or a log.
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
SELECT 'CREATE ROLE planner_test LOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'planner_test') \gexec
ALTER ROLE planner_test WITH LOGIN PASSWORD '$password';
SELECT 'CREATE DATABASE planner_test OWNER planner_test'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'planner_test') \gexec
SQL
log "PostgreSQL $version on 127.0.0.1:$port, database planner_test ready"
echo "postgresql+psycopg://planner_test:$password@127.0.0.1:$port/planner_test"
