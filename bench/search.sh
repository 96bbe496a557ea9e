#!/usr/bin/env bash
# make search-bench: forensic search latency (tools/searchbench) on SEARCH_TRACKS synthetic
# tracks, on an SQLite store and on a throwaway PostgreSQL 15 cluster. The stores are
# filled once (minutes) and reused: out/search-bench.db and out/search-bench-pg/.
set -euo pipefail
BUILD=${1:-build}
TRACKS=${SEARCH_TRACKS:-10000000}
OUT=out
BENCH="$BUILD/vigie-search-bench"
mkdir -p "$OUT"

echo "SQLite:"
"$BENCH" --store "$OUT/search-bench.db" --tracks "$TRACKS"

PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ]; then echo "PostgreSQL 15 is not installed: skipped"; exit 0; fi
# initdb refuses root: the cluster runs as postgres then, in a folder it can reach.
as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
PGDIR=$(pwd)/$OUT/search-bench-pg
[ "$(id -u)" = 0 ] && PGDIR=/tmp/vigie-search-bench-pg
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ ! -d "$PGDIR/data" ]; then
  mkdir -p "$PGDIR"; [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  "${as[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --no-sync > /dev/null
fi
"${as[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=8GB" start > /dev/null
trap '"${as[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop > /dev/null' EXIT
psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'search'" | grep -q 1 ||
  psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE search"
echo "PostgreSQL 15:"
"$BENCH" --store "postgresql://postgres@127.0.0.1:$PORT/search" --tracks "$TRACKS"
