"""Photos sent with a patrol, a hazard or a report: how many, how big, which formats, checked
by decoding the file (not by its name or the browser's content type)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from PIL import Image, ImageOps

MAX_PHOTOS = 6
MAX_BYTES = 10 * 1024 * 1024
# A phone camera takes at most about 50 megapixels; a larger image is a decompression bomb
# (a small file that takes gigabytes once decoded), refused from its header before decoding.
MAX_PIXELS = 40_000_000
# Format found by decoding -> file extension it is stored under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
LIMITS_TEXT = f"JPEG/PNG/WebP，每张不超过 {MAX_BYTES // (1024 * 1024)} MB，最多 {MAX_PHOTOS} 张"


def check_photo(upload: UploadedFile, *, field: str = "photos") -> str:
    """The image format found by decoding the file; refuse anything else or anything too big."""
    name = upload.name or "照片"
    if upload.size > MAX_BYTES:
        raise ValidationError({field: f"{name}：超过 {MAX_BYTES // (1024 * 1024)} MB"})
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # A decompression bomb is an error here, not a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                found = image.format
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationError({field: (
                        f"{name}：{width}×{height} 像素，超过 {MAX_PIXELS // 1_000_000} 百万像素")})
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise ValidationError({field: f"{name}：不是可识别的图片（{type(exc).__name__}）"}) from exc
    finally:
        upload.seek(0)
    if found not in FORMATS:
        raise ValidationError({field: f"{name}：格式 {found} 不支持（可用 {'、'.join(FORMATS)}）"})
    return found


def check_photos(photos: Sequence[UploadedFile], *, field: str = "photos") -> list[str]:
    """The formats of the photos of one record, in order; refuse too many or any bad one."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({field: f"每条记录最多 {MAX_PHOTOS} 张照片"})
    return [check_photo(photo, field=field) for photo in photos]


METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop")


def without_metadata(data: bytes) -> bytes:
    """The image re-encoded without its EXIF (GPS position, camera, time) and other metadata,
    turned upright first (the orientation is EXIF too); as it was if it carries none."""
    with Image.open(io.BytesIO(data)) as image:
        if not image.getexif() and not any(key in image.info for key in METADATA_KEYS):
            return data
        found = image.format
        clean = ImageOps.exif_transpose(image)
    clean.info = {}
    out = io.BytesIO()
    options = {"quality": 90} if found in ("JPEG", "WEBP") else {}
    clean.save(out, format=found, **options)
    return out.getvalue()


def photo_response(image: FieldFile, content_type: str, *, keep_metadata: bool) -> FileResponse:
    """A stored photo as served: the original (with its EXIF GPS position, kept for the
    record) to the bureau, a copy without metadata to anyone else."""
    if keep_metadata:
        response = FileResponse(image.open("rb"), content_type=content_type)
    else:
        with image.open("rb") as handle:
            response = FileResponse(io.BytesIO(without_metadata(handle.read())), content_type=content_type)
    # The type was checked when it was uploaded; the browser must not guess another.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
