#!/usr/bin/env bash
# A private PostgreSQL/PostGIS cluster for this checkout: start | stop | status | url.
# PostgreSQL refuses to run as root, so its binaries run as the `postgres` OS user; when the
# checkout is not reachable by that user (e.g. under root's 0700 home), the data lives under
# /var/lib/gridmap and .pgdata links to it. GRIDMAP_PGPORT and GRIDMAP_PGDATA choose another
# cluster (a test's own primary beside the shared one).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

start() {
  local dir; dir=$(data_folder "$PGDATA_LINK")
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    chmod 700 "$dir"
    as_pg "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 $NOSYNC_FLAG >/dev/null
    cat >> "$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $GRIDMAP_PGPORT
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
jit = off
# Re-assigning a million enterprises writes about 2 GB of WAL: room for it between
# checkpoints instead of a forced one in the middle.
max_wal_size = 4GB
checkpoint_timeout = 15min
# Streaming replicas (scripts/replica.sh, make replica): WAL kept for a standby that falls
# behind for a while, so it catches up by streaming instead of a new base backup.
wal_keep_size = 1GB
CONF
    if [ -n "$NOSYNC_FLAG" ]; then
      printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 128MB\n' >> "$dir/postgresql.conf"
    fi
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$GRIDMAP_PGPORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='gridmap'" | grep -q 1 ||
    as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$GRIDMAP_PGPORT" -U postgres gridmap
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$GRIDMAP_PGPORT" -U postgres -d gridmap -qc \
    "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
  echo "PostGIS 已启动: 127.0.0.1:$GRIDMAP_PGPORT (数据目录 $dir)"
}

stop() {
  local dir; dir=$(data_folder "$PGDATA_LINK")
  if [ -f "$dir/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    echo "PostGIS 已停止"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) as_pg "$PGBIN/pg_ctl" -D "$(data_folder "$PGDATA_LINK")" status ;;
  url) echo "$LOCAL_DATABASE_URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
