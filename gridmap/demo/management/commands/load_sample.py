import hashlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridmap.demo.sample import SAMPLE_DIR, DemoDataRefused, sample_load
from gridmap.geo.readers import ImportRefused
from gridmap.grids.models import Grid


def sample_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in SAMPLE_DIR.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(SAMPLE_DIR)).encode())
        digest.update(path.read_bytes())
    # Samples generated in code (the storm season) change with their modules.
    for path in sorted(Path(__file__).resolve().parents[2].glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "加载静海区示例数据（真实区界与乡镇名称，生成的网格、网格员与演示账户）"

    def add_arguments(self, parser):
        parser.add_argument("--if-changed", action="store_true",
                            help="样例文件与上次加载相同且数据库中已有网格时跳过（make run 使用）")

    def handle(self, *args, **options):
        # The marker names the database, so another database (or a recreated one) reloads.
        marker = settings.BASE_DIR / ".run" / f"sample-{connection.settings_dict['NAME']}.sha256"
        digest = sample_digest()
        if (options["if_changed"] and marker.exists() and marker.read_text() == digest
                and Grid.objects.filter(level=Grid.Level.LEVEL_2).exists()):
            self.stdout.write("示例数据未变化，跳过加载")
            return
        try:
            sample_load(log=self.stdout.write)
        except (DemoDataRefused, ImportRefused) as exc:
            raise CommandError(str(exc)) from None
        marker.parent.mkdir(exist_ok=True)
        marker.write_text(digest)
