# Shared settings for the scripts: sourced, not run.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
GRIDMAP_PGPORT="${GRIDMAP_PGPORT:-54329}"
PGDATA_LINK="$REPO_ROOT/.pgdata"
LOCAL_DATABASE_URL="postgis://postgres@127.0.0.1:${GRIDMAP_PGPORT}/gridmap"
