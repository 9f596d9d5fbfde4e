"""make backup / make restore round trip: every row and every media file comes back."""

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db

SCRIPT = settings.BASE_DIR / "scripts" / "backup.sh"


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def table_digests(url: str) -> dict[str, tuple]:
    import psycopg

    with psycopg.connect(url.replace("postgis://", "postgresql://")) as conn, conn.cursor() as cursor:
        cursor.execute("""SELECT tablename FROM pg_tables WHERE schemaname = 'public'
                          AND tablename <> 'spatial_ref_sys' ORDER BY tablename""")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal")
        digests = {"triggers": cursor.fetchone()}
        for table in tables:
            cursor.execute(f"SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) "
                           f'FROM "{table}" t')
            digests[table] = cursor.fetchone()
    return digests


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres").replace("postgis://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def run(*args, **env):
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=True,
                          env={**os.environ, **env}).stdout


def test_backup_wipe_restore_finds_every_record_and_file(tmp_path):
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore"
    media = tmp_path / "media"
    (media / "patrols" / "2026").mkdir(parents=True)
    photo = media / "patrols" / "2026" / "现场.jpg"
    photo.write_bytes(os.urandom(4096))
    # The backup reads what is committed: the sample district loaded for the session.
    out = run("backup", str(tmp_path / "backups"), DATABASE_URL=database_url(source), GRIDMAP_MEDIA_ROOT=str(media))
    backup_dir = Path(out.strip().splitlines()[-1])
    assert (backup_dir / "database.dump").stat().st_size > 100_000

    admin(f'DROP DATABASE IF EXISTS "{target}"')
    admin(f'CREATE DATABASE "{target}"')
    try:
        wiped_media = tmp_path / "restored-media"
        run("restore", str(backup_dir), DATABASE_URL=database_url(target), GRIDMAP_MEDIA_ROOT=str(wiped_media))
        original, restored = table_digests(database_url(source)), table_digests(database_url(target))
        assert original == restored
        assert original["grids_grid"][0] == 456
        assert (wiped_media / "patrols" / "2026" / "现场.jpg").read_bytes() == photo.read_bytes()
    finally:
        admin(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_restore_refuses_a_damaged_backup(tmp_path):
    source = connection.settings_dict["NAME"]
    out = run("backup", str(tmp_path / "b"), DATABASE_URL=database_url(source),
              GRIDMAP_MEDIA_ROOT=str(tmp_path / "none"))
    backup_dir = Path(out.strip().splitlines()[-1])
    with open(backup_dir / "database.dump", "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00" * 64)
    with pytest.raises(subprocess.CalledProcessError):
        run("restore", str(backup_dir), DATABASE_URL=database_url(f"{source}_never"),
            GRIDMAP_MEDIA_ROOT=str(tmp_path / "m"))
