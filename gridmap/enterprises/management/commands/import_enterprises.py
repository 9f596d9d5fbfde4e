import time

from django.core.management.base import BaseCommand, CommandError

from gridmap.enterprises.importer import enterprises_import, risk_points_import
from gridmap.geo.coords import CRS_NAMES_TEXT, DEFAULT_CRS
from gridmap.geo.readers import ImportRefused


class Command(BaseCommand):
    help = "导入企业（CSV / Excel / Shapefile / GeoPackage）或其风险点：一个事务，任一行有误则不写入"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--risk-points", action="store_true",
                            help="文件是风险点（按统一社会信用代码关联企业，替换这些企业原有风险点）")
        parser.add_argument("--encoding", help="文件编码，如 UTF-8、GBK（CSV 默认 UTF-8；Shapefile 默认读 .cpg）")
        parser.add_argument("--source-crs", help=f"源坐标系：{CRS_NAMES_TEXT} 或 EPSG 代码"
                                                 f"（CSV/Excel 默认 {DEFAULT_CRS}；Shapefile 默认读 .prj）")
        parser.add_argument("--layer", help="GeoPackage 中的图层名")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告将要发生的变化")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            if options["risk_points"]:
                report = risk_points_import(path=options["path"], encoding=options["encoding"],
                                            source_crs=options["source_crs"],
                                            dry_run=options["dry_run"])
            else:
                report = enterprises_import(path=options["path"], encoding=options["encoding"],
                                            source_crs=options["source_crs"],
                                            layer=options["layer"], dry_run=options["dry_run"])
        except ImportRefused as refused:
            raise CommandError("导入被拒绝，数据库未改变：\n" + str(refused)) from None
        for line in report.outside_cells[:50]:
            self.stdout.write(self.style.WARNING(f"不在任何二级网格内：{line}"))
        self.stdout.write(self.style.SUCCESS(
            f"{report.summary()}（{time.perf_counter() - started:.2f} s）"))
