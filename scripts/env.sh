# Shared settings for the scripts: sourced, not run.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
GRIDMAP_PGPORT="${GRIDMAP_PGPORT:-54329}"
# The private cluster's data folder; another one (GRIDMAP_PGDATA, with another GRIDMAP_PGPORT)
# runs a second cluster beside it, e.g. a test's own primary for a streaming replica.
PGDATA_LINK="${GRIDMAP_PGDATA:-$REPO_ROOT/.pgdata}"
# GRIDMAP_PG_NOSYNC=1: a throwaway cluster (a test's): nothing waits for the disk (initdb and
# pg_basebackup --no-sync, fsync off). Never for data that matters.
NOSYNC_FLAG=""
[ "${GRIDMAP_PG_NOSYNC:-0}" = "1" ] && NOSYNC_FLAG="--no-sync"
# The hot standby of `make replica` (scripts/replica.sh): its port and data folder.
GRIDMAP_REPLICA_PORT="${GRIDMAP_REPLICA_PORT:-54330}"
REPLICA_LINK="${GRIDMAP_REPLICA_PGDATA:-$REPO_ROOT/.pgdata-replica}"
LOCAL_DATABASE_URL="postgis://postgres@127.0.0.1:${GRIDMAP_PGPORT}/gridmap"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The real folder of a cluster's data given its link or path: PostgreSQL refuses to run as root,
# so as root the binaries run as `postgres`; a folder that user cannot reach (under root's
# 0700 home) moves to /var/lib/gridmap and the link points there.
data_folder() {
  local link="$1"
  if [ -L "$link" ] || [ -d "$link" ]; then readlink -f "$link"; return; fi
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$(dirname "$link")"; then
    local key; key=$(printf '%s' "$link" | sha1sum | cut -c1-12)
    local target="/var/lib/gridmap/pg-$key"
    mkdir -p /var/lib/gridmap && chmod 755 /var/lib/gridmap
    ln -sfn "$target" "$link"
    echo "$target"
  else
    echo "$link"
  fi
}
