#!/usr/bin/env bash
# A hot standby of the private cluster: start | stop | status | url.
#
# start: a base backup of the primary (pg_basebackup -R: it writes standby.signal and the
# primary's address), started on GRIDMAP_REPLICA_PORT (54330), streaming WAL from the primary
# on GRIDMAP_PGPORT (54329). Returns once the primary's pg_stat_replication shows it
# `streaming`, and prints the DATABASE_REPLICA_URL to give the application (reads then go to
# it: gridmap.core.dbrouting). stop: stops it (its data stays, and the next start catches up
# by streaming from where it stopped, within the primary's wal_keep_size).
#
# GRIDMAP_PGPORT, GRIDMAP_PGDATA, GRIDMAP_REPLICA_PORT and GRIDMAP_REPLICA_PGDATA choose
# other clusters: a test starts its own primary and standby on free ports in a temporary folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# The standby's name on the primary (its walreceiver's application_name).
NAME="gridmap_replica_${GRIDMAP_REPLICA_PORT}"
URL="postgis://postgres@127.0.0.1:${GRIDMAP_REPLICA_PORT}/gridmap"
WAIT_SECONDS="${GRIDMAP_REPLICA_WAIT_SECONDS:-60}"

primary_sql() {
  as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$GRIDMAP_PGPORT" -U postgres -d postgres -tAXc "$1"
}

start() {
  local dir; dir=$(data_folder "$REPLICA_LINK")
  if ! primary_sql "SELECT 1" >/dev/null 2>&1; then
    echo "主库未运行（127.0.0.1:$GRIDMAP_PGPORT）：先运行 scripts/db.sh start" >&2
    exit 1
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    chmod 700 "$dir"
    # -X stream: the WAL written during the copy comes along; -c fast: no wait for a checkpoint.
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$GRIDMAP_PGPORT" -U postgres -D "$dir" \
      -R -X stream -c fast $NOSYNC_FLAG 2> >(grep -v 'skipping special file' >&2)
    # The copied postgresql.conf is the primary's: the standby's own port and socket folder
    # (postgresql.auto.conf is read last and wins), and a name the primary shows it by.
    cat >> "$dir/postgresql.auto.conf" <<CONF
port = $GRIDMAP_REPLICA_PORT
unix_socket_directories = '$dir'
cluster_name = '$NAME'
hot_standby = on
# Long reads on the standby are not cancelled by the primary's vacuum of rows they still see.
hot_standby_feedback = on
shared_buffers = 256MB
CONF
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
  fi
  local deadline=$((SECONDS + WAIT_SECONDS))
  until [ "$(primary_sql "SELECT state FROM pg_stat_replication WHERE application_name = '$NAME'")" = "streaming" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "备库 127.0.0.1:$GRIDMAP_REPLICA_PORT 在 ${WAIT_SECONDS} 秒内未开始流复制（见 $dir/server.log）" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "只读备库已启动（流复制）: 127.0.0.1:$GRIDMAP_REPLICA_PORT (数据目录 $dir)"
  echo "DATABASE_REPLICA_URL=$URL"
}

stop() {
  local dir; dir=$(data_folder "$REPLICA_LINK")
  if [ -f "$dir/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    echo "只读备库已停止"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) primary_sql "SELECT application_name, state, replay_lag FROM pg_stat_replication WHERE application_name = '$NAME'" ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
