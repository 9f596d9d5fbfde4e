"""Reading vector files (shapefile, GeoPackage, GeoJSON) for every importer.

Shared by the grid, enterprise and roster importers: names the encoding and the source CRS,
converts to WGS84, and turns every reading failure into a problem that names the file,
the feature and the field.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from .coords import CoordinateError, CRSError, geometries_to_wgs84, normalise_crs_name

DBF_FORMATS = {".shp", ".dbf"}
# A zip (an Excel file, a zipped shapefile) is refused before it is opened when it would
# expand beyond this: a zip bomb of a few kilobytes can expand to gigabytes of XML.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
# Text starting with these is a formula to spreadsheet programs (CSV/formula injection);
# imports refuse it rather than store something that runs when exported and opened.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    # Spreadsheet programs read a full-width ＝ ＋ － ＠ as the formula sign too.
    return unicodedata.normalize("NFKC", text[:1])[:1] in FORMULA_PREFIXES


@dataclass
class Problem:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where} 字段 {self.field}: {self.message}"


class ImportRefused(Exception):
    """The file breaks a rule; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class VectorData:
    frame: gpd.GeoDataFrame
    source_crs: str
    encoding: str | None
    warnings: list[str] = field(default_factory=list)


def check_archive(path: Path) -> None:
    """Refuse a zip whose members would expand beyond MAX_UNZIPPED_BYTES, from its directory
    (zipfile never decompresses a member beyond the size its directory declares)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused([Problem(path.name, "-", f"不是有效的压缩文件（Excel 或 zip）：{exc}")]) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused([Problem(path.name, "-", f"压缩文件内有 {len(members)} 个文件，超过 {MAX_ZIP_MEMBERS} 个")])
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        mb = 1024 * 1024
        raise ImportRefused([Problem(path.name, "-", (
            f"解压后 {total / mb:.0f} MB，超过 {MAX_UNZIPPED_BYTES // mb} MB 上限（可能是压缩炸弹），已拒绝；"
            "请拆分文件或改用 CSV"))])


def feature_label(path: Path, index: int, code: str | None = None) -> str:
    label = f"{path.name} 第 {index} 个要素"
    return f"{label} [code={code}]" if code else label


def _declared_encoding(path: Path) -> str | None:
    cpg = path.with_suffix(".cpg")
    if cpg.exists():
        text = cpg.read_text(encoding="ascii", errors="replace").strip()
        return text or None
    return None


def _undecodable(path: Path, encoding: str) -> list[Problem]:
    """Find which features and fields are not valid text in the given encoding."""
    raw = pyogrio.read_dataframe(path, encoding="ISO-8859-1", read_geometry=False)
    problems = []
    for position, row in enumerate(raw.itertuples(index=False), start=1):
        for column, value in zip(raw.columns, row, strict=True):
            if not isinstance(value, str):
                continue
            try:
                value.encode("ISO-8859-1").decode(encoding)
            except (UnicodeDecodeError, UnicodeEncodeError, LookupError):
                problems.append(Problem(
                    feature_label(path, position), column,
                    f"无法按 {encoding} 解码；文件的实际编码可能是 GBK 或 UTF-8，请用 --encoding 指明",
                ))
        if len(problems) >= 20:
            break
    return problems


def read_vector(path: str | Path, *, encoding: str | None = None,
                source_crs: str | None = None, layer: str | None = None) -> VectorData:
    """Read a vector file into WGS84; raise ImportRefused naming what is wrong."""
    path = Path(path)
    if not path.exists():
        raise ImportRefused([Problem(path.name, "-", "文件不存在")])
    if path.suffix.lower() == ".shp":
        missing = [s for s in (".dbf", ".shx") if not path.with_suffix(s).exists()
                   and not path.with_suffix(s.upper()).exists()]
        if missing:
            raise ImportRefused([Problem(path.name, "-", f"缺少配套文件 {', '.join(missing)}")])
    if zipfile.is_zipfile(path):
        check_archive(path)
    try:
        crs_name = normalise_crs_name(source_crs)
    except CRSError as exc:
        raise ImportRefused([Problem(path.name, "--source-crs", str(exc))]) from exc

    read_encoding = None
    if path.suffix.lower() in DBF_FORMATS:
        # Without a .cpg GDAL silently assumes ISO-8859-1 and garbles Chinese: be explicit.
        read_encoding = encoding or _declared_encoding(path) or "UTF-8"
    try:
        frame = pyogrio.read_dataframe(path, encoding=read_encoding, layer=layer)
    except UnicodeDecodeError:
        raise ImportRefused(_undecodable(path, read_encoding or "UTF-8")) from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ImportRefused([Problem(path.name, "-", f"无法读取：{exc}")]) from exc

    if len(frame) == 0:
        raise ImportRefused([Problem(path.name, "-", "文件中没有要素")])
    if crs_name is None:
        if frame.crs is None:
            raise ImportRefused([Problem(path.name, "坐标系", "文件没有坐标系（缺少 .prj），请用 --source-crs 指明")])
        crs_name = frame.crs.to_string()

    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms)
    if present.any():
        geoms[present] = shapely.force_2d(geoms[present])
        try:
            geoms[present] = geometries_to_wgs84(geoms[present], crs_name)
        except CoordinateError as exc:
            raise ImportRefused([Problem(
                feature_label(path, int(np.flatnonzero(present)[exc.index]) + 1), "geometry",
                f"{exc}：源坐标系 {crs_name} 可能不对（例如投影坐标被当作经纬度），请用 --source-crs 指明",
            )]) from None
        bounds = shapely.total_bounds(geoms[present])
        if not (-180 <= bounds[0] <= bounds[2] <= 180 and -90 <= bounds[1] <= bounds[3] <= 90):
            raise ImportRefused([Problem(
                path.name, "坐标系",
                f"转换后的坐标超出经纬度范围 {bounds.round(1).tolist()}：源坐标系 {crs_name} "
                "可能不对（例如投影坐标被当作经纬度），请用 --source-crs 指明",
            )])
    frame = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(geoms), crs=4326)
    return VectorData(frame=frame, source_crs=crs_name, encoding=read_encoding)
