"""Enterprise and risk-point importers: a file in, rows in PostGIS, or nothing at all.

Every row is checked in Python (codes, choices, coordinates) and then in PostGIS (inside the
district, risk point near its site); any problem refuses the whole file and names the row and
the field. Coordinates are converted from the declared source CRS (GCJ-02 and BD-09 included)
before anything is compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.db import connection, transaction

from gridmap.geo.coords import (
    CoordinateError,
    CRSError,
    geometries_to_wgs84,
    lonlat_problem,
    normalise_crs_name,
    to_wgs84_arrays,
)
from gridmap.geo.readers import ImportRefused, Problem, feature_label, looks_like_formula, read_vector
from gridmap.geo.tables import TABLE_FORMATS, read_table, row_label
from gridmap.grids.conf import app_settings as grid_settings

from .conf import app_settings
from .credit_code import credit_code_problem, normalise_credit_code
from .industries import industry_name, industry_problem
from .models import Enterprise
from .risk import ScoringError, score
from .services import enterprises_assign_cells, enterprises_refresh_risk_level

# Column names accepted for each field: the English name first, then common Chinese headers.
ENTERPRISE_COLUMNS = {
    "name": ("name", "企业名称", "单位名称"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "address": ("address", "地址", "注册地址"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "site_wkt": ("site_wkt", "厂区范围"),
    "industry_code": ("industry_code", "行业代码"),
    "industry_name": ("industry_name", "行业名称"),
    "hazardous_chemicals": ("hazardous_chemicals", "涉及危险化学品", "危化品"),
    "dust_explosion": ("dust_explosion", "涉及粉尘爆炸", "粉尘涉爆"),
    "confined_space": ("confined_space", "涉及有限空间", "有限空间"),
    "ammonia": ("ammonia", "涉氨制冷", "涉氨"),
    "scale": ("scale", "规模"),
    "legal_representative": ("legal_representative", "法定代表人"),
    "safety_contact": ("safety_contact", "安全负责人"),
    "safety_phone": ("safety_phone", "安全负责人电话", "联系电话"),
    "supervision_class": ("supervision_class", "检查类别"),
    "status": ("status", "状态", "经营状态"),
}
RISK_POINT_COLUMNS = {
    "credit_code": ("credit_code", "统一社会信用代码"),
    "number": ("number", "序号"),
    "name": ("name", "风险点名称"),
    "place": ("place", "场所", "部位"),
    "activity": ("activity", "作业活动或设施"),
    "hazard_source": ("hazard_source", "危险源"),
    "accident_types": ("accident_types", "事故类型"),
    "method": ("method", "评价方法"),
    "L": ("L", "l"), "E": ("E", "e"), "C": ("C", "c"), "S": ("S", "s"),
    "responsible_unit": ("responsible_unit", "责任单位"),
    "responsible_person": ("responsible_person", "责任人"),
    "measures_engineering": ("measures_engineering", "工程技术措施"),
    "measures_management": ("measures_management", "管理措施"),
    "measures_training": ("measures_training", "培训教育措施"),
    "measures_ppe": ("measures_ppe", "个体防护措施"),
    "measures_emergency": ("measures_emergency", "应急处置措施"),
    "location_wkt": ("location_wkt", "位置"),
    "lon": ("lon", "经度"), "lat": ("lat", "纬度"),
}
TRUE_TEXT = {"1", "true", "t", "yes", "y", "是", "有", "√"}
FALSE_TEXT = {"", "0", "false", "f", "no", "n", "否", "无"}


def _choice_map(choices) -> dict[str, str]:
    mapping = {}
    for value, label in choices:
        mapping[value] = value
        mapping[label] = value
        mapping[label.replace("检查企业", "")] = value
    return mapping


SCALES = _choice_map(Enterprise.Scale.choices)
CLASSES = _choice_map(Enterprise.SupervisionClass.choices)
STATUSES = {**_choice_map(Enterprise.Status.choices), "营业": "operating", "存续": "operating"}


@dataclass
class ImportReport:
    kind: str
    read: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    outside_cells: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        text = f"{self.kind}：读取 {self.read} 行，{verb}新增 {self.created}，{verb}更新 {self.updated}"
        if self.deleted:
            text += f"，{verb}替换原有 {self.deleted}"
        if self.outside_cells:
            text += f"；{len(self.outside_cells)} 家企业不在任何二级网格内（见警告）"
        return text


def _resolve_columns(path: Path, columns: list[str], wanted: dict[str, tuple[str, ...]],
                     required: tuple[str, ...]) -> dict[str, str]:
    present = {c.strip().lower(): c for c in columns}
    resolved = {}
    for name, aliases in wanted.items():
        # DBF field names are cut to 10 characters (credit_code -> credit_cod).
        for alias in (*aliases, *(a[:10] for a in aliases)):
            if alias.lower() in present:
                resolved[name] = present[alias.lower()]
                break
    missing = [n for n in required if n not in resolved]
    if missing:
        raise ImportRefused([Problem(path.name, n, f"缺少字段（现有字段：{', '.join(columns)}）")
                             for n in missing])
    return resolved


def _source_crs(path: Path, source_crs: str | None) -> str:
    try:
        return normalise_crs_name(source_crs) or "EPSG:4326"
    except CRSError as exc:
        raise ImportRefused([Problem(path.name, "--source-crs", str(exc))]) from exc


def _flag(text: str) -> bool | None:
    lowered = text.strip().lower()
    if lowered in TRUE_TEXT:
        return True
    if lowered in FALSE_TEXT:
        return False
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None


# --- enterprises -----------------------------------------------------------------------------

@dataclass
class _EnterpriseRow:
    label: str
    values: dict
    lon: float | None = None
    lat: float | None = None
    site: object = None  # shapely polygon, source CRS until converted


# Text columns and the lengths the table holds: a longer value is a row error, not a crash.
TEXT_LIMITS = {f.name: f.max_length for f in Enterprise._meta.get_fields()
               if getattr(f, "max_length", None) and f.get_internal_type() == "CharField"}


def _enterprise_rows(path: Path, *, encoding: str | None, source_crs: str | None,
                     layer: str | None) -> list[_EnterpriseRow]:
    suffix = path.suffix.lower()
    if suffix in TABLE_FORMATS:
        crs = _source_crs(path, source_crs)
        table = read_table(path, encoding=encoding)
        columns = _resolve_columns(path, table.columns, ENTERPRISE_COLUMNS,
                                   ("name", "credit_code", "industry_code", "lon", "lat"))
        records = [(row_label(path, n), {k: row.get(c, "") for k, c in columns.items()}, None)
                   for n, row in table.rows]
    else:
        data = read_vector(path, encoding=encoding, source_crs=source_crs, layer=layer)
        crs = "EPSG:4326"  # read_vector has converted the geometries already
        frame = data.frame
        columns = _resolve_columns(path, [c for c in frame.columns if c != "geometry"],
                                   ENTERPRISE_COLUMNS, ("name", "credit_code", "industry_code"))
        records = []
        for position, (_, row) in enumerate(frame.iterrows(), start=1):
            values = {}
            for key, column in columns.items():
                value = row[column]
                missing = value is None or (isinstance(value, float) and np.isnan(value))
                values[key] = "" if missing else (
                    str(int(value)) if isinstance(value, float) and value.is_integer()
                    else str(value).strip())
            records.append((feature_label(path, position), values, row.geometry))
    if not records:
        raise ImportRefused([Problem(path.name, "-", "文件中没有数据行")])

    problems: list[Problem] = []
    rows: list[_EnterpriseRow] = []
    seen: dict[str, str] = {}
    for label, values, geometry in records:
        out = _EnterpriseRow(label, {})
        for key, value in values.items():
            # Coordinates may be negative numbers; every other field is text.
            if key not in ("lon", "lat") and looks_like_formula(value):
                problems.append(Problem(label, key, f"以 {value[:1]!r} 开头，疑似电子表格公式，已拒绝"))
            limit = TEXT_LIMITS.get(key)
            if limit and len(value) > limit:
                problems.append(Problem(label, key, f"长度 {len(value)} 超过 {limit} 个字符"))
        code = normalise_credit_code(values.get("credit_code", ""))
        why = credit_code_problem(code) if code else "统一社会信用代码为空"
        if why:
            problems.append(Problem(label, "credit_code", why))
        elif code in seen:
            problems.append(Problem(label, "credit_code", f"与{seen[code]}重复"))
        seen.setdefault(code, label)
        name = values.get("name", "")
        if not name:
            problems.append(Problem(label, "name", "企业名称为空"))
        industry = values.get("industry_code", "")
        why = industry_problem(industry)
        if why:
            problems.append(Problem(label, "industry_code", why))
        out.values = {
            "credit_code": code, "name": name[:200], "address": values.get("address", "")[:300],
            "industry_code": industry,
            "industry_name": values.get("industry_name") or industry_name(industry) or "",
            "legal_representative": values.get("legal_representative", "")[:64],
            "safety_contact": values.get("safety_contact", "")[:64],
            "safety_phone": values.get("safety_phone", "")[:32],
        }
        for key in ("hazardous_chemicals", "dust_explosion", "confined_space", "ammonia"):
            flag = _flag(values.get(key, ""))
            if flag is None:
                problems.append(Problem(label, key, f"{values[key]!r} 不是 是/否"))
            out.values[key] = bool(flag)
        for key, mapping, default in (("scale", SCALES, ""), ("supervision_class", CLASSES, "general"),
                                      ("status", STATUSES, "operating")):
            text = values.get(key, "")
            if not text:
                out.values[key] = default
            elif text in mapping:
                out.values[key] = mapping[text]
            else:
                problems.append(Problem(label, key, f"{text!r} 不是可用值（{'、'.join(mapping)}）"))
        site_text = values.get("site_wkt", "")
        if site_text:
            try:
                out.site = shapely.from_wkt(site_text)
            except shapely.errors.GEOSException:
                problems.append(Problem(label, "site_wkt", "厂区范围不是有效的 WKT"))
            else:
                if out.site.geom_type != "Polygon":
                    problems.append(Problem(label, "site_wkt", f"厂区范围应为面，实为 {out.site.geom_type}"))
        if geometry is not None and not geometry.is_empty:
            if geometry.geom_type in ("Polygon", "MultiPolygon"):
                out.site = geometry if geometry.geom_type == "Polygon" else max(
                    geometry.geoms, key=lambda g: g.area)
                geometry = out.site.point_on_surface()
            if geometry.geom_type == "Point":
                out.lon, out.lat = geometry.x, geometry.y
        if out.lon is None:
            lon_text, lat_text = values.get("lon", ""), values.get("lat", "")
            if not lon_text or not lat_text:
                problems.append(Problem(label, "lon/lat", "缺少坐标（经度、纬度）"))
            else:
                out.lon, out.lat = _number(lon_text), _number(lat_text)
                for key, value, text in (("lon", out.lon, lon_text), ("lat", out.lat, lat_text)):
                    if value is None:
                        problems.append(Problem(label, key, f"坐标 {text!r} 不是数字"))
        rows.append(out)
        if len(problems) >= 200:
            break
    if problems:
        raise ImportRefused(problems)

    if crs != "EPSG:4326":
        sites = [i for i, r in enumerate(rows) if r.site is not None]
        try:
            lon, lat = to_wgs84_arrays([r.lon for r in rows], [r.lat for r in rows], crs)
        except CoordinateError as exc:
            raise ImportRefused([Problem(rows[exc.index].label, "lon/lat",
                                         f"{exc}；源坐标系 {crs} 是否正确？")]) from None
        try:
            converted = geometries_to_wgs84([rows[i].site for i in sites], crs) if sites else []
        except CoordinateError as exc:
            raise ImportRefused([Problem(rows[sites[exc.index]].label, "site_wkt", str(exc))]) from None
        for i, row in enumerate(rows):
            row.lon, row.lat = float(lon[i]), float(lat[i])
        for i, geom in zip(sites, converted, strict=True):
            rows[i].site = geom
    for row in rows:
        why = lonlat_problem(row.lon, row.lat)
        if why:
            problems.append(Problem(row.label, "lon/lat", f"{why}；源坐标系是否应为投影坐标？"))
    if problems:
        raise ImportRefused(problems)
    return rows


STAGE_COLUMNS = ("idx", "label", "credit_code", "name", "address", "industry_code",
                 "industry_name", "hazardous_chemicals", "dust_explosion", "confined_space",
                 "ammonia", "scale", "legal_representative", "safety_contact", "safety_phone",
                 "supervision_class", "status", "location", "site")
COPIED = STAGE_COLUMNS[2:]


def _stage_enterprises(cursor, rows: list[_EnterpriseRow]) -> None:
    cursor.execute("DROP TABLE IF EXISTS enterprise_staging")
    cursor.execute("""
        CREATE TEMP TABLE enterprise_staging (
            idx integer, label text, credit_code text, name text, address text,
            industry_code text, industry_name text, hazardous_chemicals boolean,
            dust_explosion boolean, confined_space boolean, ammonia boolean, scale text,
            legal_representative text, safety_contact text, safety_phone text,
            supervision_class text, status text, location geometry(Point, 4326),
            site geometry(Polygon, 4326)
        ) ON COMMIT DROP""")
    # COPY, not row inserts: one round trip for the whole file.
    with cursor.cursor.copy(f"COPY enterprise_staging ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
        for idx, row in enumerate(rows):
            v = row.values
            site = f"SRID=4326;{shapely.to_wkt(row.site, rounding_precision=8)}" if row.site else None
            copy.write_row((idx, row.label, *(v[c] for c in COPIED[:-2]),
                            f"SRID=4326;POINT({row.lon!r} {row.lat!r})", site))
    cursor.execute("CREATE INDEX ON enterprise_staging USING gist (location); ANALYZE enterprise_staging")


def _check_enterprises(cursor) -> list[Problem]:
    cursor.execute("SELECT count(*) FROM grids_grid WHERE level = 0")
    if cursor.fetchone()[0] == 0:
        return [Problem("网格", "-", "尚未导入区界（0 级网格），无法判断企业位置")]
    cursor.execute("""
        SELECT s.label, ST_X(s.location), ST_Y(s.location) FROM enterprise_staging s
        WHERE NOT EXISTS (SELECT 1 FROM grids_grid d WHERE d.level = 0
                          AND ST_Covers(d.geom, s.location))
        ORDER BY s.idx LIMIT 200""")
    problems = [Problem(label, "lon/lat", f"位置 ({x:.6f}, {y:.6f}) 不在本区范围内；"
                                          "坐标系是否应为 gcj02 / bd09？")
                for label, x, y in cursor.fetchall()]
    cursor.execute("""
        SELECT label, ST_IsValidReason(site) FROM enterprise_staging
        WHERE site IS NOT NULL AND NOT ST_IsValid(site) ORDER BY idx LIMIT 200""")
    problems += [Problem(label, "site_wkt", f"厂区范围几何无效：{reason}")
                 for label, reason in cursor.fetchall()]
    return problems


def enterprises_import(*, path: str | Path, encoding: str | None = None,
                       source_crs: str | None = None, layer: str | None = None,
                       dry_run: bool = False) -> ImportReport:
    """Load enterprises (upsert by credit code) in one transaction and assign their cells."""
    path = Path(path)
    rows = _enterprise_rows(path, encoding=encoding, source_crs=source_crs, layer=layer)
    report = ImportReport(kind="企业", read=len(rows), dry_run=dry_run)
    with transaction.atomic(), connection.cursor() as cursor:
        _stage_enterprises(cursor, rows)
        problems = _check_enterprises(cursor)
        if problems:
            raise ImportRefused(problems)
        cursor.execute("SELECT count(*) FROM enterprise_staging s JOIN enterprises_enterprise e "
                       "ON e.credit_code = s.credit_code")
        report.updated = cursor.fetchone()[0]
        report.created = report.read - report.updated
        if dry_run:
            transaction.set_rollback(True)
            return report
        names = ", ".join(COPIED)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COPIED if c != "credit_code")
        cursor.execute(f"""
            INSERT INTO enterprises_enterprise ({names}, risk_level, district_code,
                                                created_at, updated_at)
            SELECT {names}, '', %s, now(), now() FROM enterprise_staging ORDER BY idx
            ON CONFLICT (credit_code) DO UPDATE SET {updates}, updated_at = now()
            RETURNING id""", [grid_settings.DISTRICT_CODE])
        ids = [r[0] for r in cursor.fetchall()]
        cursor.execute("DROP TABLE enterprise_staging")
        assignment = enterprises_assign_cells(ids=ids)
        report.outside_cells = [f"{name}（{code}）" for _, code, name in assignment.outside]
    return report


# --- risk points -----------------------------------------------------------------------------

def risk_points_import(*, path: str | Path, encoding: str | None = None,
                       source_crs: str | None = None, dry_run: bool = False) -> ImportReport:
    """Load risk points (CSV/Excel); an enterprise named in the file has its points replaced,
    since the file is that enterprise's register."""
    path = Path(path)
    if path.suffix.lower() not in TABLE_FORMATS:
        raise ImportRefused([Problem(path.name, "-", "风险点只能从 CSV 或 Excel 导入")])
    crs = _source_crs(path, source_crs)
    table = read_table(path, encoding=encoding)
    columns = _resolve_columns(path, table.columns, RISK_POINT_COLUMNS,
                               ("credit_code", "name", "hazard_source", "method"))
    codes = {normalise_credit_code(row.get(columns["credit_code"], "")) for _, row in table.rows}
    known = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "id"))
    problems: list[Problem] = []
    records = []
    numbers: dict[int, set[int]] = {}
    for number, raw in table.rows:
        label = row_label(path, number)
        values = {k: raw.get(c, "") for k, c in columns.items()}
        code = normalise_credit_code(values["credit_code"])
        why = credit_code_problem(code) if code else "统一社会信用代码为空"
        if why:
            problems.append(Problem(label, "credit_code", why))
            continue
        if code not in known:
            problems.append(Problem(label, "credit_code", f"企业 {code} 不存在，请先导入企业"))
            continue
        enterprise_id = known[code]
        for key in ("name", "hazard_source"):
            if not values[key]:
                problems.append(Problem(label, key, "不能为空"))
        try:
            result = score(values["method"], {k: values.get(k) for k in ("L", "E", "C", "S")})
        except ScoringError as exc:
            problems.append(Problem(label, exc.field, str(exc)))
            continue
        taken = numbers.setdefault(enterprise_id, set())
        seq = int(_number(values.get("number", "")) or len(taken) + 1)
        if seq in taken:
            problems.append(Problem(label, "number", f"序号 {seq} 在同一企业内重复"))
        taken.add(seq)
        geometry = None
        if values.get("location_wkt"):
            try:
                geometry = shapely.from_wkt(values["location_wkt"])
            except shapely.errors.GEOSException:
                problems.append(Problem(label, "location_wkt", "位置不是有效的 WKT"))
        elif values.get("lon") and values.get("lat"):
            lon, lat = _number(values["lon"]), _number(values["lat"])
            if lon is None or lat is None:
                problems.append(Problem(label, "lon/lat", "坐标不是数字"))
            else:
                geometry = shapely.Point(lon, lat)
        if geometry is not None:
            try:
                geometry = geometries_to_wgs84([geometry], crs)[0]
            except CoordinateError as exc:
                problems.append(Problem(label, "location_wkt" if values.get("location_wkt") else "lon/lat",
                                        str(exc)))
        records.append((label, enterprise_id, seq, values, result, geometry))
        if len(problems) >= 200:
            break
    if problems:
        raise ImportRefused(problems)
    if not records:
        raise ImportRefused([Problem(path.name, "-", "文件中没有数据行")])

    report = ImportReport(kind="风险点", read=len(records), dry_run=dry_run)
    enterprise_ids = sorted(numbers)
    text_fields = ("name", "place", "activity", "hazard_source", "accident_types",
                   "responsible_unit", "responsible_person", "measures_engineering",
                   "measures_management", "measures_training", "measures_ppe",
                   "measures_emergency")
    limits = {"name": 100, "place": 100, "activity": 200, "hazard_source": 300,
              "accident_types": 200, "responsible_unit": 100, "responsible_person": 64}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS riskpoint_staging")
        cursor.execute(f"""
            CREATE TEMP TABLE riskpoint_staging (
                idx integer, label text, enterprise_id bigint, number integer,
                {', '.join(f'{f} text' for f in text_fields)}, method text, factor_l numeric,
                factor_e numeric, factor_c numeric, factor_s numeric, score numeric,
                level text, location geometry(Geometry, 4326)) ON COMMIT DROP""")
        names = ("idx", "label", "enterprise_id", "number", *text_fields, "method", "factor_l",
                 "factor_e", "factor_c", "factor_s", "score", "level", "location")
        with cursor.cursor.copy(f"COPY riskpoint_staging ({', '.join(names)}) FROM STDIN") as copy:
            for idx, (label, enterprise_id, seq, values, result, geometry) in enumerate(records):
                texts = [values.get(f, "")[:limits.get(f, 10_000)] for f in text_fields]
                location = f"SRID=4326;{shapely.to_wkt(geometry, rounding_precision=8)}" \
                    if geometry is not None else None
                copy.write_row((idx, label, enterprise_id, seq, *texts, result.method,
                                *(result.factors.get(k) for k in ("L", "E", "C", "S")),
                                result.value, result.level, location))
        # A risk point lies inside or near its enterprise's site (or location, without one).
        cursor.execute("""
            SELECT s.label, ST_Distance(s.location::geography,
                                        COALESCE(e.site, e.location)::geography)
            FROM riskpoint_staging s JOIN enterprises_enterprise e ON e.id = s.enterprise_id
            WHERE s.location IS NOT NULL AND NOT ST_DWithin(
                s.location::geography, COALESCE(e.site, e.location)::geography, %s)
            ORDER BY s.idx LIMIT 200""", [app_settings.RISK_POINT_MAX_DISTANCE_M])
        far = cursor.fetchall()
        if far:
            raise ImportRefused([Problem(label, "location", f"距企业厂区 {d:,.0f} m，超过允许的 "
                                         f"{app_settings.RISK_POINT_MAX_DISTANCE_M:,.0f} m")
                                 for label, d in far])
        cursor.execute("SELECT count(*) FROM enterprises_riskpoint WHERE enterprise_id = ANY(%s)",
                       [enterprise_ids])
        report.deleted = cursor.fetchone()[0]
        report.created = report.read
        if dry_run:
            transaction.set_rollback(True)
            return report
        cursor.execute("DELETE FROM enterprises_riskpoint WHERE enterprise_id = ANY(%s)",
                       [enterprise_ids])
        columns_sql = ", ".join(names[2:])
        cursor.execute(f"""
            INSERT INTO enterprises_riskpoint ({columns_sql}, district_code, updated_at)
            SELECT {', '.join(f's.{n}' for n in names[2:])}, e.district_code, now()
            FROM riskpoint_staging s
            JOIN enterprises_enterprise e ON e.id = s.enterprise_id ORDER BY s.idx""")
        cursor.execute("DROP TABLE riskpoint_staging")
        enterprises_refresh_risk_level(ids=enterprise_ids)
    return report
