"""Build the flood-command sample of Jinghai District (静海区) from the sample district.

Real, read from data/shapefiles (see ../shared/reference/jinghai/PROVENANCE.md):
  * the district outline and the three river lines (南运河, 子牙河, 子牙新河), 1:4M accuracy,
  * the 2019 flood stock totals of the bureau's annual report (domain.md §1): 43,000 woven
    bags, 1,103 lights, 6 boats (assault and rubber), 1,162 life jackets, 227 life buoys,
    and 16 rescue teams with 400+ members.

Generated here, and NOT real (every such record says so: `generated` true, or this note):
  * the outlines of the detention basins 贾口洼 and 团泊洼 and of the diversion gates
    (no public polygons exist): placed plausibly (贾口洼 west of the town between 子牙河 and
    the northern border along 大清河, 团泊洼 around 团泊镇 in the east),
  * river-system zones (a 1.5 km corridor along each river inside the district), one
    sub-command zone per level-I grid (the generated township outline),
  * dike sections, pumping stations and sluices along the rivers, depots, how the 2019
    totals are split between depots, rescue teams' bases and the duty roster,
  * every name of a person and every phone number,
  * the GB/T 38565 item codes follow the standard's structure (four layers, seven digits;
    first digit 2 = equipment, 3 = materials) but are illustrative, not looked up in its table.

Run from the repo root:  .venv/bin/python data/generate_flood.py
Same inputs give byte-identical outputs (fixed seed, sorted keys, coordinates to 6 decimals).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import LineString, MultiLineString, Point, mapping
from shapely.ops import linemerge, substring

DATA_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(DATA_DIR))
from generate_sample import person_name, phone_number  # noqa: E402

SEED = 20190801  # typhoon Lekima reached Tianjin in August 2019
OUT = DATA_DIR / "flood"
SHAPES = DATA_DIR / "shapefiles"
WORK = "EPSG:4548"  # CGCS2000 / 3-degree GK CM 117E: metres
TO_WORK = Transformer.from_crs("EPSG:4326", WORK, always_xy=True).transform
TO_WGS = Transformer.from_crs(WORK, "EPSG:4326", always_xy=True).transform

# 2019 annual report (domain.md §1); the sample's depots must add up to exactly these.
STOCK_2019 = {
    "woven_bags": 43_000, "lights": 1_103, "boats": 6, "life_jackets": 1_162, "life_buoys": 227,
}
ITEMS = {  # key: (illustrative GB/T 38565 code, name, unit)
    "woven_bags": ("3010201", "编织袋", "条"),
    "lights": ("2060101", "防汛照明灯", "盏"),
    "assault_boats": ("2040101", "冲锋舟", "艘"),
    "rubber_boats": ("2040102", "橡皮艇", "艘"),
    "life_jackets": ("2040301", "救生衣", "件"),
    "life_buoys": ("2040302", "救生圈", "个"),
}
DEPOT_TOWNS = ("静海镇", "独流镇", "王口镇", "台头镇", "子牙镇", "陈官屯镇", "唐官屯镇", "团泊镇")
TEAM_MEMBERS = (62, 45, 38, 32, 30, 28, 26, 24, 22, 20, 18, 18, 16, 15, 12, 10)  # 416
TEAM_NAMES = (
    "区应急抢险救援大队", "区消防救援大队防汛突击队", "区水务局河道抢险队", "区武装部民兵应急连",
    "区住建委市政抢险队", "区交通局道路抢险队", "区供电公司电力抢修队", "区卫健委医疗救援队",
    "静海镇防汛抢险队", "独流镇防汛抢险队", "王口镇防汛抢险队", "台头镇防汛抢险队",
    "子牙镇防汛抢险队", "陈官屯镇防汛抢险队", "唐官屯镇防汛抢险队", "团泊镇防汛抢险队",
)
TEAM_EQUIPMENT = ("冲锋舟、抽水泵、发电机", "编织袋、铁锹、照明灯", "挖掘机、装载机、运输车",
                  "救生衣、救生圈、抛绳器", "移动泵车、排水管", "应急通信车、卫星电话")
SEASON = (dt.date(2026, 6, 1), dt.date(2026, 9, 30))
LEADERS = 6


def work(geom):
    return shapely.transform(geom, TO_WORK, interleaved=False)


def wgs(geom):
    return shapely.transform(geom, TO_WGS, interleaved=False)


def rounded(geom):
    return shapely.set_precision(geom, 1e-6)


def feature(geom, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": mapping(rounded(geom))}


def write_geojson(name: str, features: list[dict]) -> None:
    OUT.mkdir(exist_ok=True)
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))
    (OUT / f"{name}.geojson").write_text(text + "\n", encoding="utf-8")


def split_exactly(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to weights that add up to total (largest remainder)."""
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - parts), kind="stable")[: total - parts.sum()]:
        parts[i] += 1
    assert parts.sum() == total
    return [int(p) for p in parts]


def point_along(line_work, fraction: float, offset_m: float = 0.0) -> Point:
    distance = fraction * line_work.length
    point = line_work.interpolate(distance)
    if not offset_m:
        return point
    ahead = line_work.interpolate(min(distance + 10, line_work.length))
    behind = line_work.interpolate(max(distance - 10, 0))
    dx, dy = ahead.x - behind.x, ahead.y - behind.y
    norm = (dx * dx + dy * dy) ** 0.5 or 1
    return Point(point.x - dy / norm * offset_m, point.y + dx / norm * offset_m)


def main() -> None:
    rng = np.random.default_rng(SEED)
    outline = gpd.read_file(SHAPES / "district.shp", engine="pyogrio").geometry[0]
    outline_w = work(outline)
    towns = gpd.read_file(SHAPES / "grids_level1.shp", engine="pyogrio")
    cells = gpd.read_file(SHAPES / "grids_level2.shp", engine="pyogrio")
    rivers = gpd.read_file(SHAPES / "rivers.shp", engine="pyogrio")
    town_geom = {row.name: row.geometry for row in towns.itertuples()}

    def village_at(point_wgs: Point) -> str:
        hit = cells[cells.geometry.covers(point_wgs)]
        return hit.iloc[0]["name"] if len(hit) else "区界外"

    # River lines inside the district, in metres, upstream first as digitised.
    river_lines = {}
    for row in rivers.itertuples():
        inside = work(row.geometry).intersection(outline_w)
        merged = linemerge(inside) if inside.geom_type == "MultiLineString" else inside
        parts = list(merged.geoms) if hasattr(merged, "geoms") else [merged]
        river_lines[row.name] = max(parts, key=lambda g: g.length)

    zones = []
    leader_used: set[str] = set()

    def leader() -> tuple[str, str]:
        name = person_name(rng)
        while name in leader_used:
            name = person_name(rng)
        leader_used.add(name)
        return name, phone_number(rng)

    for row in towns.itertuples():
        person, phone = leader()
        post = {"街道": "办事处主任", "开发区": "管委会主任"}.get(row.kind, f"{row.kind}长")
        zones.append(feature(row.geometry, name=f"{row.name}防汛分指挥部",
                             kind="sub_command", responsible_person=person,
                             responsible_role=f"{row.name}{post}（分指挥部指挥）", phone=phone,
                             river="", generated=True,
                             note="范围取生成的一级网格边界"))
    for name, line in sorted(river_lines.items()):
        corridor = line.buffer(1500).intersection(outline_w)
        person, phone = leader()
        zones.append(feature(wgs(corridor), name=f"{name}河系防汛责任区", kind="river_system",
                             responsible_person=person, responsible_role="区水务局副局长（河系责任人）",
                             phone=phone, river=name, generated=True,
                             note="沿河 1.5 公里走廊，示意范围"))

    # Detention basins: rounded lobes, clipped to the district, plausibly placed.
    centre_w = work(outline.centroid)
    basins = {
        "贾口洼": (Point(centre_w.x - 17_000, centre_w.y + 12_000), 7_500, 4_800, 25),
        "团泊洼": (work(town_geom["团泊镇"].representative_point()), 6_000, 4_200, -20),
    }
    basin_geoms = {}
    for name, (centre, a, b, angle) in basins.items():
        ellipse = shapely.affinity.rotate(
            shapely.affinity.scale(centre.buffer(1.0, quad_segs=32), a, b), angle)
        geom = ellipse.intersection(outline_w)
        basin_geoms[name] = geom
        person, phone = leader()
        zones.append(feature(wgs(geom), name=f"{name}蓄滞洪区", kind="detention_basin",
                             responsible_person=person, responsible_role="区人民政府副区长（蓄滞洪区指挥）",
                             phone=phone, river="", generated=True,
                             note="无公开边界数据：位置和范围为示意，非官方划定"))
    # Diversion gates: where the nearest river comes closest to each basin.
    for name, geom in basin_geoms.items():
        river, line = min(river_lines.items(), key=lambda kv: kv[1].distance(geom))
        gate = line.interpolate(line.project(geom.centroid))
        person, phone = leader()
        zones.append(feature(wgs(gate.buffer(400).intersection(outline_w)),
                             name=f"{river}{name}分洪口门", kind="diversion_gate",
                             responsible_person=person, responsible_role="区水务局闸所所长（口门责任人）",
                             phone=phone, river=river, generated=True,
                             note="口门位置为示意"))
    write_geojson("zones", zones)

    # Dike sections: both banks, about 5 km each, chainage from the first vertex.
    dikes = []
    for name, line in sorted(river_lines.items()):
        pieces = max(1, round(line.length / 5000))
        step = line.length / pieces
        for i in range(pieces):
            piece = substring(line, i * step, (i + 1) * step)
            for bank, side in (("左岸", "left"), ("右岸", "right")):
                dike = piece.offset_curve(120 if side == "left" else -120)
                if dike.is_empty:
                    continue
                middle = wgs(dike.interpolate(0.5, normalized=True))
                person, phone = person_name(rng), phone_number(rng)
                dikes.append(feature(
                    wgs(MultiLineString([dike]) if isinstance(dike, LineString) else dike),
                    name=f"{name}{bank}堤第{i + 1}段", river=name, bank=bank,
                    chainage_start_m=round(i * step, 1), chainage_end_m=round((i + 1) * step, 1),
                    watching_village=village_at(middle), responsible_person=person, phone=phone))
    write_geojson("dikes", dikes)

    # Pumping stations and sluices on the rivers.
    pumps, sluices, names = [], [], set()
    kinds = ("drainage", "regulating", "intake", "flood_diversion", "culvert")
    kind_names = {"drainage": "排水闸", "regulating": "节制闸", "intake": "进水闸",
                  "flood_diversion": "分洪闸", "culvert": "涵洞"}
    for name, line in sorted(river_lines.items()):
        count = max(2, int(line.length // 9000))
        for j in range(count):
            fraction = (j + 0.5) / count
            point = wgs(point_along(line, fraction, 250 if j % 2 else -250))
            label = f"{village_at(point)}排涝泵站"
            while label in names:
                label = label.replace("排涝泵站", "二号排涝泵站")
            names.add(label)
            pumps.append(feature(point, name=label, river=name,
                                 design_flow_m3s=float(round(rng.uniform(2, 18), 1)),
                                 installed_power_kw=float(rng.choice([155, 260, 400, 560, 800, 1120, 1600])),
                                 pump_count=int(rng.integers(2, 7)),
                                 design_head_m=float(round(rng.uniform(3, 7.5), 1)),
                                 status="maintenance" if rng.random() < 0.12 else "operational"))
        for j in range(max(2, count - 2)):
            kind = kinds[(j + len(sluices)) % len(kinds)]
            point = wgs(point_along(line, (j + 0.25) / max(2, count - 2), 0))
            label = f"{village_at(point)}{kind_names[kind]}"
            while label in names:
                label = "新" + label
            names.add(label)
            gates = int(rng.integers(1, 9)) if kind != "culvert" else 1
            sluices.append(feature(point, name=label, river=name, kind=kind, gate_count=gates,
                                   net_width_m=float(round(gates * rng.uniform(3, 8), 1)),
                                   design_discharge_m3s=float(round(gates * rng.uniform(8, 60), 1))))
    write_geojson("pumping_stations", pumps)
    write_geojson("sluices", sluices)

    # Depots: the 2019 totals split between them, exactly.
    n = len(DEPOT_TOWNS)
    weights = {key: rng.uniform(0.5, 1.5, n) for key in STOCK_2019}
    weights["woven_bags"][0] *= 3  # the district's central depot holds most
    split = {key: split_exactly(total, weights[key]) for key, total in STOCK_2019.items()
             if key != "boats"}
    boats = split_exactly(STOCK_2019["boats"], np.array([3, 1, 1, 0, 1, 0, 0, 0], dtype=float))
    depots = []
    for i, town in enumerate(DEPOT_TOWNS):
        point = town_geom[town].representative_point()
        amounts = {k: v[i] for k, v in split.items()}
        # Boats: assault boats in the central depot, rubber boats elsewhere.
        amounts["assault_boats" if i == 0 else "rubber_boats"] = boats[i]
        items = []
        for key, (code, label, unit) in ITEMS.items():
            quantity = amounts.get(key, 0)
            if not quantity:
                continue
            minimum = int(round(quantity * 0.8))
            if (i, key) in ((2, "life_jackets"), (5, "woven_bags"), (6, "lights")):
                minimum = int(round(quantity * 1.25))  # a few shortfalls to flag
            items.append({"code": code, "name": label, "unit": unit, "quantity": int(quantity),
                          "minimum": minimum})
        person, phone = person_name(rng), phone_number(rng)
        name = "区防汛物资储备中心库" if i == 0 else f"{town}防汛物资仓库"
        depots.append(feature(point, name=name, address=f"天津市静海区{town}", manager=person,
                              phone=phone, items=items))
    write_geojson("depots", depots)

    teams = []
    bases = list(towns.itertuples())
    for i, (name, members) in enumerate(zip(TEAM_NAMES, TEAM_MEMBERS, strict=True)):
        town = next((t for t in bases if name.startswith(t.name)), bases[2])  # district: 静海镇
        base = town.geometry.representative_point()
        if not name.startswith(town.name):  # district teams spread around the town seat
            base = wgs(work(base).buffer(600 + 250 * i).exterior.interpolate(0.13 * i, normalized=True))
        teams.append(feature(base, name=name, members=members,
                             equipment=TEAM_EQUIPMENT[i % len(TEAM_EQUIPMENT)],
                             contact=person_name(rng), phone=phone_number(rng)))
    write_geojson("rescue_teams", teams)

    leaders = [(person_name(rng), phone_number(rng)) for _ in range(LEADERS)]
    with open(OUT / "duty_roster.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["starts_at", "ends_at", "leader", "leader_phone", "officers", "phone"])
        day = SEASON[0]
        while day <= SEASON[1]:
            start = dt.datetime.combine(day, dt.time(8, 0), dt.timezone(dt.timedelta(hours=8)))
            lead = leaders[(day - SEASON[0]).days % LEADERS]
            staff = "、".join(person_name(rng) for _ in range(2))
            writer.writerow([start.isoformat(), (start + dt.timedelta(hours=24)).isoformat(),
                             lead[0], lead[1], staff, "022-68921234"])
            day += dt.timedelta(days=1)

    check(basin_geoms, outline_w)


def check(basins, outline_w) -> None:
    depots = json.loads((OUT / "depots.geojson").read_text(encoding="utf-8"))["features"]
    totals: dict[str, int] = {}
    for depot in depots:
        for item in depot["properties"]["items"]:
            totals[item["name"]] = totals.get(item["name"], 0) + item["quantity"]
    assert totals["编织袋"] == 43_000 and totals["防汛照明灯"] == 1_103
    assert totals["冲锋舟"] + totals["橡皮艇"] == 6
    assert totals["救生衣"] == 1_162 and totals["救生圈"] == 227, totals
    teams = json.loads((OUT / "rescue_teams.geojson").read_text(encoding="utf-8"))["features"]
    assert len(teams) == 16 and sum(t["properties"]["members"] for t in teams) >= 400
    for name, geom in basins.items():
        assert geom.area > 30e6 and outline_w.buffer(1).contains(geom), name
    print(f"flood sample written to {OUT}: basins "
          + ", ".join(f"{k} {v.area / 1e6:.0f} km²" for k, v in basins.items()))


if __name__ == "__main__":
    main()
