"""Media in an S3-compatible object store (GRIDMAP_S3_BUCKET), through Django's storage API:
an export built by the worker lands in the bucket, not on the disk, and downloads through the
API; `make backup` (scripts/backup.sh) archives the bucket's objects and restores them.

The store is moto's S3 server on loopback (an S3 API over HTTP, as boto3 talks to MinIO or
AWS); docker-compose.yml runs MinIO itself."""

import os
import subprocess
import tarfile

import boto3
import pytest
from django.conf import settings as django_settings
from moto.server import ThreadedMotoServer
from rest_framework.test import APIClient

from gridmap.core.storage import object_store
from gridmap.jobs.models import Export
from gridmap.jobs.services import export_build, export_request

from ..live import REPO, database_url, free_port

BUCKET = "gridmap-media"


@pytest.fixture
def store(settings, tmp_path):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"GRIDMAP_S3_BUCKET": BUCKET, "GRIDMAP_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "GRIDMAP_S3_ACCESS_KEY": "gridmap", "GRIDMAP_S3_SECRET_KEY": "gridmap-secret-key",
           "GRIDMAP_S3_REGION": "us-east-1", "GRIDMAP_S3_PREFIX": "media"}
    client = boto3.client("s3", endpoint_url=env["GRIDMAP_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="gridmap", aws_secret_access_key="gridmap-secret-key")
    client.create_bucket(Bucket=BUCKET)
    # The settings switch as the environment sets it; the local media folder is left empty.
    settings.STORAGES = {**settings.STORAGES, "default": object_store(env)}
    settings.MEDIA_ROOT = tmp_path / "local-media"
    yield env, client
    server.stop()


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


@pytest.mark.django_db
def test_exports_go_to_the_bucket_and_make_backup_covers_it(store, supervisor, tmp_path):
    env, client = store
    export = export_request(requester=supervisor, kind="enterprises", fmt="csv")
    export = export_build(export_id=export.pk)
    assert export.status == Export.Status.DONE
    assert keys(client) == [f"media/{export.file.name}"]
    assert not (tmp_path / "local-media").exists()
    api = APIClient()
    api.force_authenticate(supervisor)
    download = api.get(f"/api/exports/{export.pk}/download/")
    body = b"".join(download.streaming_content)
    stored = client.get_object(Bucket=BUCKET, Key=f"media/{export.file.name}")["Body"].read()
    assert download.status_code == 200 and body == stored and body.decode("utf-8-sig").count("\n") == export.rows + 1

    # make backup: the database and every object of the bucket; a restore brings them back.
    backups = tmp_path / "backups"
    run_env = {**os.environ, **env, "DATABASE_URL": database_url(django_settings.DATABASES["default"]),
               "DJANGO_SETTINGS_MODULE": "gridmap.settings.test"}
    done = subprocess.run([str(REPO / "scripts/backup.sh"), "backup", str(backups)], env=run_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    folder = backups / done.stdout.strip().splitlines()[-1].rsplit("/", 1)[-1]
    with tarfile.open(folder / "media.tar.gz") as tar:
        assert tar.getnames() == [export.file.name]
        assert tar.extractfile(export.file.name).read() == stored
    client.delete_object(Bucket=BUCKET, Key=f"media/{export.file.name}")
    client.put_object(Bucket=BUCKET, Key="media/exports/stray.csv", Body=b"not in the backup")
    restored = subprocess.run([str(REPO / ".venv/bin/python"), "manage.py", "media_archive", "restore",
                               str(folder / "media.tar.gz")], cwd=REPO, env=run_env, capture_output=True,
                              text=True, timeout=60)
    assert restored.returncode == 0, restored.stderr
    assert keys(client) == [f"media/{export.file.name}"]
    assert client.get_object(Bucket=BUCKET, Key=f"media/{export.file.name}")["Body"].read() == stored
