import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gridmap.geo.coords import CRS_NAMES_TEXT
from gridmap.geo.readers import ImportRefused
from gridmap.grids.loader import import_grids


class Command(BaseCommand):
    help = "导入网格（Shapefile / GeoPackage / GeoJSON）：校验拓扑，一个事务，失败则不写入任何数据"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--encoding", help="属性编码，如 UTF-8、GBK（默认读 .cpg，没有则 UTF-8）")
        parser.add_argument("--source-crs", help=f"源坐标系：EPSG 代码、{CRS_NAMES_TEXT}（默认读 .prj）")
        parser.add_argument("--layer", help="GeoPackage 中的图层名")
        parser.add_argument("--level", type=int, help="文件没有 level 字段时，所有要素的级别")
        parser.add_argument("--parent", help="文件没有 parent 字段时，所有要素的上级网格编码")
        parser.add_argument("--field", action="append", default=[], metavar="NAME=COLUMN",
                            help="字段映射，如 --field code=XZDM --field name=XZMC")
        parser.add_argument("--dry-run", action="store_true", help="只报告将要发生的变化，不写入")
        parser.add_argument("--repair", action="store_true", help="修复无效几何（ST_MakeValid）后导入")
        parser.add_argument("--tolerance", type=float, help="拓扑容差（平方米）")
        parser.add_argument("--valid-from", help="新边界的生效日期 YYYY-MM-DD（默认今天）；"
                                                 "边界变化的旧网格于前一天关闭")

    def handle(self, *args, **options):
        field_map = {}
        for item in options["field"]:
            name, _, column = item.partition("=")
            if not column:
                raise CommandError(f"--field 需要 NAME=COLUMN 形式，收到 {item!r}")
            field_map[name.strip()] = column.strip()
        valid_from = None
        if options["valid_from"]:
            try:
                valid_from = dt.date.fromisoformat(options["valid_from"])
            except ValueError:
                raise CommandError(f"--valid-from 需要 YYYY-MM-DD 形式的日期，收到 {options['valid_from']!r}") from None
        try:
            report = import_grids(
                options["path"], encoding=options["encoding"], source_crs=options["source_crs"],
                layer=options["layer"], field_map=field_map, level=options["level"],
                parent=options["parent"], dry_run=options["dry_run"], repair=options["repair"],
                tolerance_m2=options["tolerance"], valid_from=valid_from,
            )
        except ImportRefused as refused:
            raise CommandError("导入被拒绝，数据库未改变：\n" + str(refused)) from None
        for line in report.repaired + report.warnings[:50]:
            self.stdout.write(self.style.WARNING(line))
        if options["verbosity"] > 1:
            for code in report.created:
                self.stdout.write(f"+ {code}")
            for code in report.updated:
                self.stdout.write(f"~ {code}")
        for code in report.closed:
            self.stdout.write(f"关闭 {code}（至 {report.valid_from - dt.timedelta(days=1):%Y-%m-%d}）")
        for code in report.opened if report.closed else ():
            self.stdout.write(f"启用 {code}（自 {report.valid_from:%Y-%m-%d}）")
        self.stdout.write(self.style.SUCCESS(report.summary()))
