"""Small helpers shared by the scope, patrol and workspace tests."""

from __future__ import annotations

import io
import struct
import zlib

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from gridmap.grids.models import Grid, GridAssignment


def officer_of(code: str):
    return GridAssignment.objects.filter(grid__code=code, role="cell_officer").select_related("user").first().user


def inside(code: str) -> tuple[float, float]:
    """A WGS84 point surely inside a grid (PostGIS's point on surface)."""
    point = Grid.objects.get(code=code).geom.point_on_surface
    return point.x, point.y


def png_bytes(width: int = 24, height: int = 16, colour=(200, 80, 40)) -> bytes:
    raw = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def make_user(username: str, *groups: str, **fields):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create(username=username, **fields)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user
