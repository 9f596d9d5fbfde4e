from django.core.management.base import BaseCommand, CommandError

from gridmap.geo.readers import ImportRefused
from gridmap.grids.roster import import_roster


class Command(BaseCommand):
    help = "导入网格员名册（CSV / Excel）：username,name,phone,grid_code,role[,valid_from,valid_to]"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            report = import_roster(options["path"], dry_run=options["dry_run"])
        except ImportRefused as refused:
            raise CommandError("导入被拒绝，数据库未改变：\n" + str(refused)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
