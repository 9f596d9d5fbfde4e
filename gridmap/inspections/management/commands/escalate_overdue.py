import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from gridmap.inspections.services import hazards_escalate_overdue, overdue_general_hazards


class Command(BaseCommand):
    help = "重大隐患自判定之日起挂牌督办；逾期一般隐患列出待责令限期整改（每日运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="按该日期判断逾期（默认今天，YYYY-MM-DD）")
        parser.add_argument("--days", type=int, default=None,
                            help="整改期限已过的重大隐患的督办期限天数（默认取设置）")

    def handle(self, *args, date=None, days=None, **options):
        ids = hazards_escalate_overdue(on=date, deadline_days=days)
        self.stdout.write(f"挂牌督办：{len(ids)} 项重大隐患")
        late = overdue_general_hazards(date or timezone.localdate()).count()
        # 安全生产法 第一百零二条: an order to rectify within a time limit, then a penalty.
        self.stdout.write(f"逾期一般隐患：{late} 项，应制作责令限期整改指令书（安全生产法第一百零二条）")
