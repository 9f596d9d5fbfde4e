"""The sample's storm season (issue 17): gauges on the district's real rivers and in its towns,
places at risk, and the 2019 season as readings.

Everything here is GENERATED for demonstration and says so: station positions are placed
along the sample's river lines (flood_river) and at the towns' centres, the places at risk
inside the towns and detention basins, and the readings are SYNTHETIC — shaped like four
heavy rainstorms and Typhoon Lekima (利奇马, Tianjin's rain 10–13 August 2019) so that some
stations cross their warning and danger thresholds. They are not observations.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction

from gridmap.accounts.models import Role
from gridmap.grids.conf import app_settings as grid_settings

SEED = 20190810
CST = dt.timezone(dt.timedelta(hours=8))
GAUGE_ACCOUNT = ("gauge", "水雨情数据接入（演示）", Role.GAUGE_FEED)


@dataclass(frozen=True)
class Storm:
    key: str
    name: str
    start: dt.datetime  # the first hour of readings
    hours: int
    peak_hour: int  # hours after start when the rain is heaviest
    rain_mm: float  # a typical station's total


STORMS = {s.key: s for s in (
    Storm("rain-1", "2019年第1场强降雨（合成）", dt.datetime(2019, 7, 5, 20, tzinfo=CST), 48, 14, 62.0),
    Storm("rain-2", "2019年第2场强降雨（合成）", dt.datetime(2019, 7, 22, 8, tzinfo=CST), 48, 12, 78.0),
    Storm("rain-3", "2019年第3场强降雨（合成）", dt.datetime(2019, 7, 28, 14, tzinfo=CST), 48, 16, 58.0),
    Storm("rain-4", "2019年第4场强降雨（合成）", dt.datetime(2019, 8, 2, 2, tzinfo=CST), 48, 10, 70.0),
    Storm("lekima", "2019年第9号台风利奇马（合成）", dt.datetime(2019, 8, 10, 0, tzinfo=CST), 96, 40, 150.0),
)}

# Rain gauges at town centres: (code, name, town).
RAIN_STATIONS = (
    ("JH-R01", "静海镇雨量站", "静海镇"), ("JH-R02", "唐官屯雨量站", "唐官屯镇"),
    ("JH-R03", "独流雨量站", "独流镇"), ("JH-R04", "王口雨量站", "王口镇"),
    ("JH-R05", "台头雨量站", "台头镇"), ("JH-R06", "子牙雨量站", "子牙镇"),
    ("JH-R07", "陈官屯雨量站", "陈官屯镇"), ("JH-R08", "大邱庄雨量站", "大邱庄镇"),
    ("JH-R09", "团泊雨量站", "团泊镇"), ("JH-R10", "梁头雨量站", "梁头镇"),
    ("JH-R11", "双塘雨量站", "双塘镇"), ("JH-R12", "西翟庄雨量站", "西翟庄镇"),
)
# Water-level stations along the rivers: (code, name, river, fraction of its line, usual level m).
# 警戒水位 = usual + 1.5 m, 保证水位 = usual + 2.5 m (generated, per station).
WATER_STATIONS = (
    ("JH-W01", "子牙河台头水位站", "子牙河", 0.2, 3.6), ("JH-W02", "子牙河子牙水位站", "子牙河", 0.5, 3.9),
    ("JH-W03", "子牙河独流水位站", "子牙河", 0.8, 4.1), ("JH-W04", "南运河唐官屯水位站", "南运河", 0.2, 4.4),
    ("JH-W05", "南运河静海水位站", "南运河", 0.5, 4.6), ("JH-W06", "南运河独流水位站", "南运河", 0.8, 4.8),
    ("JH-W07", "子牙新河王口水位站", "子牙新河", 0.3, 2.8), ("JH-W08", "子牙新河大邱庄水位站", "子牙新河", 0.7, 2.6),
)
WARNING_ABOVE_USUAL, GUARANTEE_ABOVE_USUAL = 1.5, 2.5
RAIN_WARNING_MM, RAIN_DANGER_MM, RAIN_HOURLY_HEAVY_MM = 50.0, 100.0, 16.0

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "志强", "秀英", "海涛", "立新", "春生", "玉兰", "宝成", "国庆", "文静", "振华", "红梅")


def _people(rng: random.Random, n: int) -> list[tuple[str, str]]:
    return [(rng.choice(SURNAMES) + rng.choice(GIVEN), f"1{rng.choice('3578')}{rng.randrange(10**9):09d}")
            for _ in range(n)]


# --- readings ---------------------------------------------------------------------------------

def _station_factors() -> dict[str, float]:
    """How strongly each station answers a storm (fixed per station): some cross, some not."""
    rng = random.Random(SEED)
    codes = [c for c, *_ in RAIN_STATIONS] + [c for c, *_ in WATER_STATIONS]
    return {code: rng.uniform(0.55, 1.45) for code in codes}


def _hourly_rain(storm: Storm, factor: float, rng: random.Random) -> list[float]:
    width = storm.hours / 6
    shape = [math.exp(-((h - storm.peak_hour) / width) ** 2) for h in range(storm.hours)]
    total = sum(shape)
    return [max(0.0, round(storm.rain_mm * factor * s / total * rng.uniform(0.6, 1.4), 1)) for s in shape]


def storm_readings(storm: Storm) -> list[tuple[str, dt.datetime, float]]:
    """The storm's hourly readings of every station, in time order (synthetic)."""
    factors = _station_factors()
    rng = random.Random(f"{SEED}-{storm.key}")
    rows = []
    for code, *_ in RAIN_STATIONS:
        for hour, mm in enumerate(_hourly_rain(storm, factors[code], rng)):
            rows.append((code, storm.start + dt.timedelta(hours=hour), mm))
    # Rivers rise some hours after the rain and fall slowly: a lagged bell, higher for a bigger storm.
    lag, width = 14, storm.hours / 3
    for code, _name, _river, _fraction, usual in WATER_STATIONS:
        rise = storm.rain_mm / 100 * 2.2 * factors[code]
        for hour in range(storm.hours):
            level = usual + rise * math.exp(-((hour - storm.peak_hour - lag) / width) ** 2)
            rows.append((code, storm.start + dt.timedelta(hours=hour), round(level + rng.uniform(-0.03, 0.03), 2)))
    rows.sort(key=lambda row: (row[1], row[0]))
    return rows


def season_readings() -> Iterator[tuple[str, dt.datetime, float]]:
    for storm in STORMS.values():
        yield from storm_readings(storm)


# --- loading ----------------------------------------------------------------------------------

STATION_SQL = """
INSERT INTO flood_station (code, name, kind, river_id, location, warning_level, guarantee_level,
                           hourly_heavy_mm, generated, district_code)
SELECT s.code, s.name, s.kind, r.id, p.location, s.warning, s.guarantee, s.hourly, true, %(district)s
FROM unnest(%(code)s::text[], %(name)s::text[], %(kind)s::text[], %(place)s::text[], %(fraction)s::float8[],
            %(warning)s::float8[], %(guarantee)s::float8[], %(hourly)s::float8[])
     AS s(code, name, kind, place, fraction, warning, guarantee, hourly)
LEFT JOIN flood_river r ON s.kind = 'water_level' AND r.name = s.place AND r.district_code = %(district)s
LEFT JOIN grids_grid g ON s.kind = 'rain' AND g.level = 1 AND g.name = s.place
CROSS JOIN LATERAL (SELECT CASE WHEN s.kind = 'rain' THEN ST_PointOnSurface(g.geom)
    ELSE ST_LineInterpolatePoint((SELECT d.geom FROM ST_Dump(ST_LineMerge(r.geom)) d
                                  ORDER BY ST_Length(d.geom) DESC LIMIT 1), s.fraction) END AS location) p
WHERE p.location IS NOT NULL
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, river_id = EXCLUDED.river_id,
    location = EXCLUDED.location, warning_level = EXCLUDED.warning_level,
    guarantee_level = EXCLUDED.guarantee_level, hourly_heavy_mm = EXCLUDED.hourly_heavy_mm
"""


def _stations_load(cursor) -> int:
    rows = [(code, name, "rain", town, 0.0, RAIN_WARNING_MM, RAIN_DANGER_MM, RAIN_HOURLY_HEAVY_MM)
            for code, name, town in RAIN_STATIONS]
    rows += [(code, name, "water_level", river, fraction, usual + WARNING_ABOVE_USUAL,
              usual + GUARANTEE_ABOVE_USUAL, None) for code, name, river, fraction, usual in WATER_STATIONS]
    columns = ("code", "name", "kind", "place", "fraction", "warning", "guarantee", "hourly")
    arrays = {name: list(values) for name, values in zip(columns, zip(*rows, strict=True), strict=True)}
    cursor.execute(STATION_SQL, {"district": grid_settings.DISTRICT_CODE, **arrays})
    return cursor.rowcount


def _readings_load(cursor) -> int:
    """COPY the season into a scratch table, then one INSERT keeps what is already stored."""
    cursor.execute("SELECT code, id FROM flood_station")
    ids = dict(cursor.fetchall())
    cursor.execute("CREATE TEMP TABLE reading_sample (station_id bigint, time timestamptz, value float8) "
                   "ON COMMIT DROP")
    with cursor.cursor.copy("COPY reading_sample (station_id, time, value) FROM STDIN") as copy:
        for code, moment, value in season_readings():
            copy.write_row((ids[code], moment, value))
    cursor.execute("""INSERT INTO flood_reading (station_id, time, value, received_at)
                      SELECT station_id, time, value, time FROM reading_sample
                      ON CONFLICT (station_id, time) DO NOTHING""")
    return cursor.rowcount


PLACES_SQL = """
WITH towns AS (SELECT name, geom FROM grids_grid WHERE level = 1),
     basins AS (SELECT name, geom FROM flood_floodzone WHERE kind = 'detention_basin')
SELECT 'waterlogging', t.name, ST_X(p.geom), ST_Y(p.geom), p.path[1]
FROM towns t, ST_Dump(ST_GeneratePoints(t.geom, 2, %(seed)s)) p
WHERE t.name IN ('静海镇', '华康街道', '朝阳街道', '大邱庄镇', '唐官屯镇')
UNION ALL
SELECT 'village', b.name, ST_X(p.geom), ST_Y(p.geom), p.path[1]
FROM basins b, ST_Dump(ST_GeneratePoints(b.geom, 6, %(seed)s)) p
UNION ALL
SELECT 'shelter', t.name, ST_X(ST_PointOnSurface(t.geom)) + 0.01, ST_Y(ST_PointOnSurface(t.geom)) + 0.006, 1
FROM towns t WHERE t.name IN ('静海镇', '团泊镇', '王口镇', '台头镇', '独流镇', '大邱庄镇')
ORDER BY 1, 2, 5
"""

WATERLOGGING_KINDS = ("下穿立交桥", "低洼路段", "老旧小区", "地下通道")


def _places_load(cursor) -> tuple[int, int, int]:
    """易涝点 in the towns, villages to evacuate in the detention basins, and shelters at town
    seats: positions generated inside the sample's outlines, people generated."""
    from gridmap.flood.models import EvacuationVillage, Shelter, WaterloggingPoint

    rng = random.Random(SEED)
    cursor.execute(PLACES_SQL, {"seed": SEED})
    places = cursor.fetchall()
    people = iter(_people(rng, len(places)))
    district = grid_settings.DISTRICT_CODE
    shelters = {}
    for kind, where, lon, lat, _n in places:
        if kind != "shelter":
            continue
        person, phone = next(people)
        shelter, _ = Shelter.objects.update_or_create(
            district_code=district, name=f"{where}避险安置点（示意）",
            defaults=dict(location=f"SRID=4326;POINT({lon} {lat})", responsible_person=person, phone=phone,
                          address=f"天津市静海区{where}（示意地址）", capacity=rng.randrange(8, 30) * 100,
                          generated=True))
        shelters[where] = shelter
    shelter_list = list(shelters.values())
    counts = {"waterlogging": 0, "village": 0}
    for kind, where, lon, lat, n in places:
        if kind == "shelter":
            continue
        person, phone = next(people)
        location = f"SRID=4326;POINT({lon} {lat})"
        if kind == "waterlogging":
            what = WATERLOGGING_KINDS[(n + len(where)) % len(WATERLOGGING_KINDS)]
            WaterloggingPoint.objects.update_or_create(
                district_code=district, name=f"{where}{what}易涝点{n}（示意）",
                defaults=dict(location=location, responsible_person=person, phone=phone, generated=True,
                              description=f"{what}，强降雨时易积水（示意）"))
        else:
            basin = where.removesuffix("蓄滞洪区")
            EvacuationVillage.objects.update_or_create(
                district_code=district, town=basin, name=f"{basin}{n}号村（示意）",
                defaults=dict(location=location, responsible_person=person, phone=phone, generated=True,
                              population=rng.randrange(600, 3600), shelter=shelter_list[n % len(shelter_list)]))
        counts[kind] += 1
    return counts["waterlogging"], counts["village"], len(shelters)


def sample_storm_load(*, password_hash: str, log=print) -> None:
    """Stations, the 2019 season's synthetic readings, places at risk and the gauge-feed account."""
    user, _ = get_user_model().objects.get_or_create(
        username=GAUGE_ACCOUNT[0], defaults={"full_name": GAUGE_ACCOUNT[1], "password": password_hash})
    user.groups.add(Group.objects.get_or_create(name=GAUGE_ACCOUNT[2])[0])
    with transaction.atomic(), connection.cursor() as cursor:
        stations = _stations_load(cursor)
        readings = _readings_load(cursor)
        waterlogging, villages, shelters = _places_load(cursor)
    log(f"水雨情：测站 {stations} 个（位置为生成的示意位置），2019 年合成读数新增 {readings} 条；"
        f"易涝点 {waterlogging} 个，需转移村庄 {villages} 个，避险安置点 {shelters} 个（示意）")
