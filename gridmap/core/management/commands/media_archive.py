"""`manage.py media_archive backup FILE | restore FILE`: every media file (photos, exports)
of the default storage into one tar.gz, and back, through Django's storage API: the same for
the local folder and for an S3-compatible object store (GRIDMAP_S3_BUCKET). scripts/backup.sh
uses it when the media are in an object store (`make backup`)."""

from __future__ import annotations

import tarfile
import tempfile
import time

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError


def walk(storage, folder: str = ""):
    """Every file's name in the storage, folder by folder."""
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from walk(storage, f"{folder}/{sub}" if folder else sub)


class Command(BaseCommand):
    help = "媒体文件（照片、导出文件）备份为一个 tar.gz，或从中恢复（本地目录或对象存储均可）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["backup", "restore"])
        parser.add_argument("archive")

    def handle(self, *args, action: str, archive: str, **options):
        if action == "backup":
            count = self.backup(archive)
            self.stdout.write(f"已备份 {count} 个媒体文件到 {archive}")
        else:
            count = self.restore(archive)
            self.stdout.write(f"已恢复 {count} 个媒体文件")

    def backup(self, archive: str) -> int:
        count = 0
        with tarfile.open(archive, "w:gz") as tar:
            for name in walk(default_storage):
                # Copied to a local file first: the archive needs each member's size up front.
                with default_storage.open(name, "rb") as source, tempfile.TemporaryFile() as copy:
                    size = 0
                    while chunk := source.read(1 << 20):
                        copy.write(chunk)
                        size += len(chunk)
                    copy.seek(0)
                    info = tarfile.TarInfo(name)
                    info.size, info.mtime = size, int(time.time())
                    tar.addfile(info, copy)
                count += 1
        return count

    def restore(self, archive: str) -> int:
        """The archive's files replace the storage's: what is not in the archive is removed."""
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            for member in members:
                if member.name.startswith("/") or ".." in member.name.split("/"):
                    raise CommandError(f"备份中的文件名不安全：{member.name}")
            keep = {member.name.removeprefix("./") for member in members}
            for name in list(walk(default_storage)):
                if name not in keep:
                    default_storage.delete(name)
            for member in members:
                name = member.name.removeprefix("./")
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, File(tar.extractfile(member), name=name))
                if saved != name:
                    raise CommandError(f"媒体文件 {name} 恢复后名为 {saved}")
        return len(members)
