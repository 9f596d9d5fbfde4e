from django.core.management.base import BaseCommand

from gridmap.demo.conf import app_settings
from gridmap.grids.models import GridAssignment


class Command(BaseCommand):
    help = "列出演示账户"

    def handle(self, *args, **options):
        if not app_settings.ALLOW_DEMO_DATA:
            return
        example = (GridAssignment.objects.filter(role=GridAssignment.Duty.CELL_OFFICER).select_related("user", "grid")
                   .order_by("user__username").first())
        password = app_settings.DEMO_PASSWORD
        self.stdout.write(f"演示账户（密码均为 {password}）：")
        self.stdout.write("  admin       系统管理员")
        self.stdout.write("  supervisor  区监管人员（全区）")
        self.stdout.write("  flood       防汛指挥（全区）")
        self.stdout.write("  head01…head23  一级网格安全监管责任人")
        if example:
            self.stdout.write(f"  officer0001…officer0719  网格员（例：{example.user.username} "
                              f"{example.user.full_name}，{example.grid.name} {example.grid.code}）")
