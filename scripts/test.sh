#!/usr/bin/env bash
# The whole suite: PostgreSQL and Redis must answer (started here if they are installed but down),
# then the unit and integration tests, then the browser tests in their own pytest process, then the
# several-instances test (two app instances behind a proxy; a browser too) in another.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

status=0
echo "== unit and integration tests"
$PY -m pytest -q --ignore=tests/e2e --ignore=tests/instances "$@" || status=$?
echo "== end-to-end tests (real browser)"
$PY -m pytest -q tests/e2e -p no:asyncio "$@" || status=$((status ? status : $?))
echo "== several app instances behind a proxy, sharing Redis and PostgreSQL (real browser)"
$PY -m pytest -q tests/instances -p no:asyncio "$@" || status=$((status ? status : $?))
exit $status
