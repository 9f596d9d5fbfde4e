"""The default storage for media (photos, export files) in an S3-compatible object store.

Read from the environment by the settings: GRIDMAP_S3_BUCKET switches the media from the
local folder (GRIDMAP_MEDIA_ROOT) to the bucket, through django-storages' S3 backend (the
one Django projects use for S3 and MinIO). Files stay private: the application serves them
after its own permission check, reading them through the storage API.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def object_store(environ: Mapping[str, str] = os.environ) -> dict | None:
    """STORAGES["default"] for the bucket named by GRIDMAP_S3_BUCKET, or None without one."""
    bucket = environ.get("GRIDMAP_S3_BUCKET", "")
    if not bucket:
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            # MinIO's address, e.g. http://minio:9000 (none: AWS itself).
            "endpoint_url": environ.get("GRIDMAP_S3_ENDPOINT_URL") or None,
            "access_key": environ.get("GRIDMAP_S3_ACCESS_KEY") or None,
            "secret_key": environ.get("GRIDMAP_S3_SECRET_KEY") or None,
            "region_name": environ.get("GRIDMAP_S3_REGION") or None,
            # A folder inside the bucket (several deployments may share one).
            "location": environ.get("GRIDMAP_S3_PREFIX", ""),
            "addressing_style": "path",  # MinIO serves buckets under its own host name
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,  # two uploads of one name keep both, as on the local disk
            "querystring_auth": True,
        },
    }
