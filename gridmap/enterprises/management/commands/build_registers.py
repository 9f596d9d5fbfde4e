import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gridmap.enterprises.conf import app_settings
from gridmap.enterprises.register import write_register
from gridmap.enterprises.selectors import enterprises_for_user, risk_points_for_user
from gridmap.grids.models import Grid


class Command(BaseCommand):
    help = "批量生成一企一册 PDF：一个网格（一级或二级）或全区，写入目录，按网格分子目录"

    def add_arguments(self, parser):
        parser.add_argument("--grid", help="网格编码（一级或二级）；不给则为全区")
        parser.add_argument("--out", help=f"输出目录（默认 {app_settings.REGISTER_DIR}）")
        parser.add_argument("--user", help="按此用户的查看范围生成（默认第一个超级用户）")
        parser.add_argument("--limit", type=int, help="最多生成多少份（试运行用）")

    def handle(self, *args, **options):
        users = get_user_model().objects.filter(is_active=True)
        user = (users.filter(username=options["user"]).first() if options["user"]
                else users.filter(is_superuser=True).order_by("id").first())
        if user is None:
            raise CommandError("找不到可用的用户（--user）")
        filters = {}
        if options["grid"]:
            if not Grid.objects.filter(code=options["grid"]).exists():
                raise CommandError(f"网格 {options['grid']} 不存在")
            filters["grid"] = options["grid"]
        enterprises = enterprises_for_user(user, filters=filters).select_related(
            "cell", "cell__parent").order_by("cell__code", "name")
        if options["limit"]:
            enterprises = enterprises[: options["limit"]]
        enterprises = list(enterprises)
        out = Path(options["out"] or app_settings.REGISTER_DIR)
        started = time.perf_counter()
        for enterprise in tqdm(enterprises, desc="一企一册", unit="份", file=self.stderr._out):
            points = list(risk_points_for_user(user, enterprise=enterprise))
            folder = out / (enterprise.cell.code if enterprise.cell else "未落入网格")
            write_register(enterprise, points, folder)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {len(enterprises)} 份一企一册，写入 {out}（{elapsed:.1f} s）"))
