#!/bin/sh
# Makes sure the PostgreSQL server that `make test` uses is running: starts the
# local Debian cluster if it is installed but stopped, and fails with a clear
# message otherwise, so PostgreSQL tests never skip silently.
set -eu
url="${WAYMARK_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
if pg_isready -q -d "$url" 2>/dev/null; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
	for v in $(ls /etc/postgresql); do
		pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		pg_isready -q -d "$url" 2>/dev/null && exit 0
		sleep 1
	done
fi
echo "PostgreSQL is not reachable at $url." >&2
echo "Start it, or point WAYMARK_TEST_POSTGRES at a server where you may create schemas." >&2
exit 1
