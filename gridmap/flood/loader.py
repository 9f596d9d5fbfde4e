"""Loading flood-command data (the sample's data/flood/ folder): one transaction, upserts
by name so that a reload refreshes attributes without duplicating anything.

Initial stock enters through the ledger (stock_receive, "期初库存") only when an item is
new, so a reload never changes quantities that receipts and issues have since moved.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiLineString, MultiPolygon
from django.db import connection, transaction

from gridmap.core.locks import serialize

from . import models
from .services import stock_receive


def _features(path: Path):
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geom = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        yield feature["properties"], geom


def _multi(geom, kind):
    return geom if isinstance(geom, kind) else kind(geom, srid=4326)


def flood_data_import(*, data_dir: Path, district_code: str, log=print) -> None:
    rivers = {r.name: r for r in models.River.objects.filter(district_code=district_code)}
    with transaction.atomic():
        serialize("flood_data_import")
        for props, geom in _features(data_dir / "zones.geojson"):
            models.FloodZone.objects.update_or_create(
                district_code=district_code, kind=props["kind"], name=props["name"],
                defaults={"responsible_person": props["responsible_person"],
                          "responsible_role": props["responsible_role"], "phone": props["phone"],
                          "river": rivers.get(props["river"]), "generated": props["generated"],
                          "note": props["note"], "geom": _multi(geom, MultiPolygon)})
        for props, geom in _features(data_dir / "dikes.geojson"):
            models.DikeSection.objects.update_or_create(
                district_code=district_code, name=props["name"],
                defaults={"river": rivers.get(props["river"]), "bank": props["bank"],
                          "chainage_start_m": props["chainage_start_m"],
                          "chainage_end_m": props["chainage_end_m"],
                          "length_m": props["chainage_end_m"] - props["chainage_start_m"],
                          "watching_village": props["watching_village"],
                          "responsible_person": props["responsible_person"],
                          "phone": props["phone"], "geom": _multi(geom, MultiLineString)})
        for props, geom in _features(data_dir / "pumping_stations.geojson"):
            models.PumpingStation.objects.update_or_create(
                district_code=district_code, name=props["name"],
                defaults={"river": rivers.get(props["river"]), "location": geom, "generated": True,
                          **{k: props[k] for k in ("design_flow_m3s", "installed_power_kw",
                                                   "pump_count", "design_head_m", "status")}})
        for props, geom in _features(data_dir / "sluices.geojson"):
            models.Sluice.objects.update_or_create(
                district_code=district_code, name=props["name"],
                defaults={"river": rivers.get(props["river"]), "location": geom, "generated": True,
                          **{k: props[k] for k in ("kind", "gate_count", "net_width_m",
                                                   "design_discharge_m3s")}})
        received = 0
        for props, geom in _features(data_dir / "depots.geojson"):
            depot, _ = models.SupplyDepot.objects.update_or_create(
                district_code=district_code, name=props["name"],
                defaults={"address": props["address"], "manager": props["manager"],
                          "phone": props["phone"], "location": geom})
            for entry in props["items"]:
                item, created = models.StockItem.objects.update_or_create(
                    depot=depot, code=entry["code"],
                    defaults={"name": entry["name"], "unit": entry["unit"],
                              "minimum": entry["minimum"], "district_code": district_code})
                if created and entry["quantity"]:
                    stock_receive(actor=None, item=item, quantity=entry["quantity"], note="期初库存")
                    received += 1
        for props, geom in _features(data_dir / "rescue_teams.geojson"):
            models.RescueTeam.objects.update_or_create(
                district_code=district_code, name=props["name"],
                defaults={"base": geom, **{k: props[k] for k in ("members", "equipment",
                                                                 "contact", "phone")}})
        with open(data_dir / "duty_roster.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                models.DutyShift.objects.update_or_create(
                    district_code=district_code, starts_at=dt.datetime.fromisoformat(row["starts_at"]),
                    defaults={"ends_at": dt.datetime.fromisoformat(row["ends_at"]),
                              **{k: row[k] for k in ("leader", "leader_phone", "officers", "phone")}})
        with connection.cursor() as cursor:
            cursor.execute("UPDATE flood_floodzone SET area_m2 = ST_Area(geom::geography) "
                           "WHERE district_code = %s", [district_code])
    log(f"防汛：责任区 {models.FloodZone.objects.count()}，堤段 {models.DikeSection.objects.count()}，"
        f"泵站 {models.PumpingStation.objects.count()}，水闸 {models.Sluice.objects.count()}，"
        f"仓库 {models.SupplyDepot.objects.count()}（新入库 {received} 项），"
        f"救援队伍 {models.RescueTeam.objects.count()}，值班 {models.DutyShift.objects.count()} 班")
