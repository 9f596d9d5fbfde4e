import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from gridmap.inspections.planning import plan_tasks_open


class Command(BaseCommand):
    help = "已批准年度计划中检查窗口已开始的计划检查生成检查任务（每日运行，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="按该日期判断窗口是否已开始（默认今天，YYYY-MM-DD）")

    def handle(self, *args, date=None, **options):
        count = plan_tasks_open(on=date or timezone.localdate())
        self.stdout.write(f"计划检查任务：新生成 {count} 项")
