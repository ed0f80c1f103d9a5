#!/bin/sh
# Load test of the public search page: starts the server on the 100,000-service
# benchmark databases built by `make bench` (SQLite file and PostgreSQL schema
# bench_100k) and drives it with wrk on loopback. Bounded: 15 s per run.
set -eu
command -v wrk >/dev/null 2>&1 || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "install Debian's wrk" >&2; exit 1; }; }
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/waymark" ./cmd/waymark
cache="${XDG_CACHE_HOME:-$HOME/.cache}/waymark/bench-100000.db"
pg="${WAYMARK_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}&search_path=bench_100k"
url='http://127.0.0.1:18080/?q=walking&postcode=M1+1AE&radius=10&category=physical-activity'
for db in "$cache" "$pg"; do
	DATABASE_URL="$db" ADDR=127.0.0.1:18080 LOG_LEVEL=warn "$tmp/waymark" serve >/dev/null 2>"$tmp/log" &
	pid=$!
	for i in $(seq 1 60); do curl -sf http://127.0.0.1:18080/healthz >/dev/null 2>&1 && break; sleep 0.5; done
	case "$db" in postgres*) echo "== PostgreSQL ==";; *) echo "== SQLite ==";; esac
	wrk -t2 -c16 -d15s --latency "$url"
	kill $pid; wait $pid 2>/dev/null || true
done
