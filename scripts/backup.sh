#!/usr/bin/env bash
# backup [DIR] | restore FILE: the database (pg_dump custom format) and the media.
# Uses DATABASE_URL (postgis:// or postgres://) and, for the media, whichever storage the
# application uses:
# - the local folder GRIDMAP_MEDIA_ROOT (default ./media): tar of the folder;
# - an S3-compatible object store (GRIDMAP_S3_BUCKET set, with GRIDMAP_S3_ENDPOINT_URL etc.):
#   every object under the deployment's prefix is downloaded through Django's storage API
#   (manage.py media_archive) into the same media.tar.gz, and a restore uploads them back and
#   removes the objects the backup does not hold. This is a full copy at each backup: for a
#   large bucket, keep the store's own versioning or replication (MinIO: `mc mirror`,
#   bucket versioning) as well, and this archive as the copy that travels with the database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
url="${DATABASE_URL:-$LOCAL_DATABASE_URL}"
url="postgresql://${url#*://}"
media="${GRIDMAP_MEDIA_ROOT:-$REPO_ROOT/media}"

case "${1:-}" in
  backup)
    dir="${2:-$REPO_ROOT/backups}"
    stamp=$(date +%Y%m%d-%H%M%S)
    mkdir -p "$dir/$stamp"
    "$PGBIN/pg_dump" --format=custom --no-owner --file="$dir/$stamp/database.dump" "$url"
    if [ -n "${GRIDMAP_S3_BUCKET:-}" ]; then
      "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/manage.py" media_archive backup "$dir/$stamp/media.tar.gz" >&2
    elif [ -d "$media" ]; then tar -C "$media" -czf "$dir/$stamp/media.tar.gz" .
    else tar -czf "$dir/$stamp/media.tar.gz" -T /dev/null; fi
    ( cd "$dir/$stamp" && sha256sum database.dump media.tar.gz > SHA256SUMS )
    echo "$dir/$stamp"
    ;;
  restore)
    src="${2:?usage: backup.sh restore BACKUP_DIR}"
    ( cd "$src" && sha256sum --check --quiet SHA256SUMS )
    # The application's trigger definitions are left out and installed again by it: pg_restore
    # runs with an empty search_path, where the audit triggers' geometry comparisons do not
    # resolve ("operator is not unique: geometry = geometry"). The job queue's own triggers
    # (Procrastinate's) are not the application's to install, and are restored as dumped.
    list=$(mktemp)
    "$PGBIN/pg_restore" --list "$src/database.dump" | awk '!/ TRIGGER / || /procrastinate_/' > "$list"
    "$PGBIN/pg_restore" --clean --if-exists --no-owner --single-transaction --exit-on-error \
      --use-list="$list" --dbname="$url" "$src/database.dump"
    rm -f "$list"
    DATABASE_URL="$url" "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/manage.py" pgtrigger install >/dev/null 2>&1
    if [ -n "${GRIDMAP_S3_BUCKET:-}" ]; then
      "$REPO_ROOT/.venv/bin/python" "$REPO_ROOT/manage.py" media_archive restore "$src/media.tar.gz" >&2
    else
      mkdir -p "$media"
      find "$media" -mindepth 1 -delete
      tar -C "$media" -xzf "$src/media.tar.gz"
    fi
    echo "已恢复 $src"
    ;;
  *) echo "usage: $0 backup [DIR] | restore BACKUP_DIR" >&2; exit 2 ;;
esac
