import datetime as dt

from django.core.management.base import BaseCommand

from gridmap.inspections.services import hazards_escalate_overdue


class Command(BaseCommand):
    help = "逾期未整改的隐患转为挂牌督办（每日运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="按该日期判断逾期（默认今天，YYYY-MM-DD）")
        parser.add_argument("--days", type=int, default=None, help="督办期限天数（默认取设置）")

    def handle(self, *args, date=None, days=None, **options):
        ids = hazards_escalate_overdue(on=date, deadline_days=days)
        self.stdout.write(f"挂牌督办：{len(ids)} 项逾期隐患")
