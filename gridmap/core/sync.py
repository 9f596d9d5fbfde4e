"""Records a phone makes (offline or not) carry a UUID of the phone's making, `client_id`:
sent twice, or twice at once, they are stored once.

A model taking part has `client_id` (UUID, null for records made otherwise), `client_digest`
(a digest of what was submitted) and a unique constraint on (owner, client_id). A retry with
the same content gets the first record back; the same `client_id` with other content is a
`Conflict` (HTTP 409), never an overwrite.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from rest_framework.exceptions import APIException

M = TypeVar("M", bound=models.Model)


class Conflict(Exception):
    """The same client_id was sent before with different content."""


class ConflictError(APIException):
    """A Conflict as the API answers it."""

    status_code = 409
    default_detail = "与先前提交的记录冲突"
    default_code = "conflict"


class Synced(NamedTuple):
    record: models.Model
    created: bool


def photo_sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def submission_digest(fields: Mapping[str, object], photos: Sequence[UploadedFile] = ()) -> str:
    """One digest of what was submitted: the fields as canonical JSON, photos by their bytes."""
    canonical = json.dumps({"fields": fields, "photos": [photo_sha256(p) for p in photos]},
                           sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def first_submission(mine: models.QuerySet, *, client_id: uuid.UUID | None, digest: str):
    """The caller's earlier record of this client_id, or None; a Conflict when its content
    differs. `mine` holds only the caller's own records: a UUID never reaches another user's."""
    if client_id is None:
        return None
    earlier = mine.filter(client_id=client_id).first()
    if earlier is not None and earlier.client_digest != digest:
        raise Conflict(f"client_id {client_id} 已用于另一条内容不同的{mine.model._meta.verbose_name}"
                       f"（编号 {earlier.pk}），未重复保存；请为新记录生成新的 client_id")
    return earlier


def created_once(create: Callable[[], M], *, mine: models.QuerySet, client_id: uuid.UUID | None,
                 digest: str, constraint: str) -> Synced:
    """Create in a savepoint; when a request with the same client_id committed first (the
    unique constraint refused this insert), answer with that record instead."""
    earlier = first_submission(mine, client_id=client_id, digest=digest)
    if earlier is not None:
        return Synced(earlier, False)
    try:
        with transaction.atomic():
            return Synced(create(), True)
    except IntegrityError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        if client_id is None or getattr(diag, "constraint_name", None) != constraint:
            raise
    earlier = first_submission(mine, client_id=client_id, digest=digest)
    if earlier is None:  # the other insert was rolled back after all: a plain retry will do
        raise Conflict(f"client_id {client_id} 正被另一请求同时提交，请稍后重试")
    return Synced(earlier, False)
