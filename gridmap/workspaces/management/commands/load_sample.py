from django.core.management.base import BaseCommand, CommandError

from gridmap.grids.readers import ImportRefused
from gridmap.workspaces.sample import DemoDataRefused, sample_load


class Command(BaseCommand):
    help = "加载静海区示例数据（真实区界与乡镇名称，生成的网格、网格员与演示账户）"

    def handle(self, *args, **options):
        try:
            sample_load(log=self.stdout.write)
        except (DemoDataRefused, ImportRefused) as exc:
            raise CommandError(str(exc)) from None
