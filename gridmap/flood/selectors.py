"""Reads for flood command. Everything but the rivers is for the flood-command desk only:
the users allowed accounts.capabilities.COMMAND_FLOODS."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.gis.geos import MultiPolygon
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from gridmap.accounts.capabilities import COMMAND_FLOODS
from gridmap.enterprises.risk import SHORT_LABELS, risk_order_sql
from gridmap.geo.polygons import PolygonError
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import active_on_sql

from .models import (
    DikeSection,
    DutyShift,
    FloodZone,
    PumpingStation,
    RescueTeam,
    River,
    Sluice,
    StockItem,
    StockMovement,
    SupplyDepot,
)


def rivers_for_user(user) -> QuerySet[River]:
    """Rivers are public base geography: every signed-in user sees them."""
    if not user.is_authenticated:
        return River.objects.none()
    return River.objects.all()


def _for_command(user, queryset: QuerySet) -> QuerySet:
    return queryset if COMMAND_FLOODS.allows(user) else queryset.none()


def _label(field: str, choices) -> Case:
    return Case(*[When(**{field: k}, then=Value(str(v))) for k, v in choices],
                default=Value(""), output_field=CharField())


def zones_for_user(user, *, kinds: tuple[str, ...] | None = None) -> QuerySet[FloodZone]:
    queryset = FloodZone.objects.all()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return _for_command(user, queryset).annotate(
        kind_name=_label("kind", FloodZone.Kind.choices), river_name=F("river__name"),
        area_km2=Cast(F("area_m2") / 1e6, output_field=IntegerField()),
        source=Case(When(generated=True, then=Value("示意（生成）")), default=Value("登记"),
                    output_field=CharField()))


def dikes_for_user(user) -> QuerySet[DikeSection]:
    return _for_command(user, DikeSection.objects.annotate(river_name=F("river__name")))


def pumping_stations_for_user(user) -> QuerySet[PumpingStation]:
    from .models import WorkStatus

    return _for_command(user, PumpingStation.objects.annotate(
        river_name=F("river__name"), status_name=_label("status", WorkStatus.choices)))


def sluices_for_user(user) -> QuerySet[Sluice]:
    return _for_command(user, Sluice.objects.annotate(
        river_name=F("river__name"), kind_name=_label("kind", Sluice.Kind.choices)))


def depots_for_user(user) -> QuerySet[SupplyDepot]:
    """Depots with their stock as text and how many items are below their minimum."""
    items = StockItem.objects.filter(depot=OuterRef("pk")).order_by().values("depot")
    stock = items.annotate(text=StringAgg(
        Concat("name", Value(" "), Cast("quantity", CharField()), "unit",
               Case(When(quantity__lt=F("minimum"), then=Value("（低于最低储备）")),
                    default=Value(""), output_field=CharField())),
        delimiter="；", order_by="code")).values("text")
    low = items.filter(quantity__lt=F("minimum")).annotate(n=Count("id")).values("n")
    return _for_command(user, SupplyDepot.objects.annotate(
        stock=Subquery(stock, output_field=CharField()),
        low_items=Coalesce(Subquery(low, output_field=IntegerField()), 0),
    ).annotate(stock_state=Case(When(low_items__gt=0, then=Value("低于最低储备")),
                                default=Value("正常"), output_field=CharField())))


def stock_items_for_user(user, *, low_only: bool = False) -> QuerySet[StockItem]:
    queryset = StockItem.objects.select_related("depot").order_by("depot__name", "code")
    if low_only:
        queryset = queryset.filter(quantity__lt=F("minimum"))
    return _for_command(user, queryset)


def stock_totals(user) -> list[dict]:
    """District totals per item (what the annual report counts)."""
    return list(stock_items_for_user(user).order_by("code").values("code", "name", "unit")
                .annotate(total=Sum("quantity"), depots=Count("depot_id")))


def movements_for_user(user, *, item: StockItem | None = None) -> QuerySet[StockMovement]:
    queryset = StockMovement.objects.select_related("item", "item__depot", "actor")
    if item is not None:
        queryset = queryset.filter(item=item)
    return _for_command(user, queryset)


def teams_for_user(user) -> QuerySet[RescueTeam]:
    return _for_command(user, RescueTeam.objects.all())


def duty_for_user(user, *, days: int = 14) -> QuerySet[DutyShift]:
    now = timezone.now()
    return _for_command(user, DutyShift.objects.filter(
        ends_at__gt=now, starts_at__lt=now + timezone.timedelta(days=days)))


def zone_for_user(user, pk) -> FloodZone | None:
    return zones_for_user(user).filter(pk=pk).first()


# --- impact analysis (影响分析) ------------------------------------------------------------

@dataclass(frozen=True)
class ImpactQuery:
    zone_id: int | None = None
    area: MultiPolygon | None = None
    k: int = 5  # nearest depots
    distance_m: float = 2000.0  # pumping stations this close to the area serve it

    def geometry(self):
        """The area analysed: the drawn one, else the zone's."""
        if self.area is not None:
            return self.area
        return FloodZone.objects.values_list("geom", flat=True).get(pk=self.zone_id)


IMPACT_SQL = """
WITH area AS (
    SELECT g, g::geography AS gg FROM (
        SELECT COALESCE((SELECT geom FROM flood_floodzone WHERE id = %(zone)s),
                        ST_SetSRID(%(area)s::geometry, 4326)) AS g) a
),
ent AS (
    SELECT e.id, e.name, e.credit_code, e.hazardous_chemicals, e.risk_level, e.industry_name,
           e.safety_contact, e.safety_phone, e.cell_id, e.address,
           ST_X(e.location) AS lon, ST_Y(e.location) AS lat
    FROM enterprises_enterprise e, area
    WHERE ST_Intersects(e.location, area.g) AND e.status <> 'closed'
),
rp AS (
    -- A risk point is exposed where it lies; one without a position goes with its enterprise.
    SELECT r.id, r.level, e.cell_id FROM enterprises_riskpoint r
    JOIN enterprises_enterprise e ON e.id = r.enterprise_id, area
    WHERE r.location IS NOT NULL AND ST_Intersects(r.location, area.g) AND e.status <> 'closed'
    UNION ALL
    SELECT r.id, r.level, ent.cell_id FROM enterprises_riskpoint r JOIN ent ON ent.id = r.enterprise_id
    WHERE r.location IS NULL
),
tasks AS (
    SELECT t.enterprise_id, count(*) AS n FROM flood_prefloodtask t
    WHERE t.status = 'open' AND t.enterprise_id IN (SELECT id FROM ent) GROUP BY t.enterprise_id
),
rows AS (
    SELECT ent.cell_id, 1 AS enterprise, ent.hazardous_chemicals::int AS hazardous,
           NULL::text AS level, COALESCE(tasks.n, 0) AS tasks
    FROM ent LEFT JOIN tasks ON tasks.enterprise_id = ent.id
    UNION ALL
    SELECT cell_id, 0, 0, level, 0 FROM rp
),
per_grid AS (
    SELECT p.code AS grid1_code, p.name AS grid1_name, c.code AS cell_code, c.name AS cell_name,
           GROUPING(p.code, c.code) AS rollup,
           sum(enterprise) AS enterprises, sum(hazardous) AS hazardous,
           count(rows.level) AS risk_points,
           count(*) FILTER (WHERE rows.level = 'major') AS major,
           count(*) FILTER (WHERE rows.level = 'large') AS large,
           sum(tasks) AS open_tasks
    FROM rows LEFT JOIN grids_grid c ON c.id = rows.cell_id
    LEFT JOIN grids_grid p ON p.id = c.parent_id
    GROUP BY GROUPING SETS ((p.code, p.name), (p.code, p.name, c.code, c.name), ())
),
cells AS (SELECT DISTINCT cell_id AS id FROM rows WHERE cell_id IS NOT NULL),
people AS (
    SELECT u.full_name AS name, u.phone, a.role, g.code AS grid_code, g.name AS grid_name, g.level
    FROM grids_gridassignment a JOIN accounts_user u ON u.id = a.user_id
    JOIN grids_grid g ON g.id = a.grid_id
    -- Everyone with a duty there today is told: officers, substitutes, and the town's
    -- supervisors and contact leaders (not only the officers on duty in the cell).
    WHERE u.is_active AND """ + active_on_sql("a", "%(today)s") + """
      AND (a.grid_id IN (SELECT id FROM cells)
           OR a.grid_id IN (SELECT parent_id FROM grids_grid WHERE id IN (SELECT id FROM cells)))
),
zones AS (
    SELECT z.id, z.name, z.kind, z.responsible_person, z.responsible_role, z.phone, z.generated
    FROM flood_floodzone z, area
    WHERE ST_Intersects(z.geom, area.g) AND NOT ST_Touches(z.geom, area.g)
      AND z.id IS DISTINCT FROM %(zone)s
),
dikes AS (
    SELECT d.name, d.watching_village, d.responsible_person, d.phone,
           d.chainage_start_m, d.chainage_end_m
    FROM flood_dikesection d, area WHERE ST_Intersects(d.geom, area.g)
),
pumps AS (
    SELECT s.id, s.name, s.design_flow_m3s, s.installed_power_kw, s.pump_count, s.design_head_m,
           s.status, ST_X(s.location) AS lon, ST_Y(s.location) AS lat,
           ST_Intersects(s.location, area.g) AS inside,
           ST_Distance(s.location::geography, area.gg) AS distance_m
    FROM flood_pumpingstation s, area
    WHERE ST_DWithin(s.location::geography, area.gg, %(distance)s)
),
nearest AS (
    -- KNN through the geography GiST index (sphere distance) picks candidates; the exact
    -- spheroid distance then orders them, so near-ties cannot be mis-ranked.
    SELECT c.*, ST_Distance(c.location::geography, area.gg) AS distance_m FROM (
        SELECT d.id, d.name, d.manager, d.phone, d.location FROM flood_supplydepot d, area
        ORDER BY d.location::geography <-> area.gg LIMIT %(candidates)s
    ) c, area
    ORDER BY distance_m, c.id LIMIT %(k)s
)
SELECT json_build_object(
  'area', (SELECT json_build_object('geojson', ST_AsGeoJSON(g, 6)::json,
                                    'area_m2', ST_Area(gg)) FROM area),
  'enterprises', COALESCE((SELECT json_agg(json_build_object(
        'id', ent.id, 'name', ent.name, 'credit_code', ent.credit_code,
        'hazardous_chemicals', ent.hazardous_chemicals, 'risk_level', ent.risk_level,
        'industry', ent.industry_name, 'address', ent.address,
        'safety_contact', ent.safety_contact, 'safety_phone', ent.safety_phone,
        'cell_code', c.code, 'cell_name', c.name, 'grid1_code', p.code, 'grid1_name', p.name,
        'open_tasks', COALESCE(tasks.n, 0), 'lon', ent.lon, 'lat', ent.lat)
      ORDER BY ent.hazardous_chemicals DESC,
               """ + risk_order_sql("ent.risk_level") + """,
               ent.name, ent.id)
      FROM ent LEFT JOIN grids_grid c ON c.id = ent.cell_id
      LEFT JOIN grids_grid p ON p.id = c.parent_id
      LEFT JOIN tasks ON tasks.enterprise_id = ent.id), '[]'::json),
  'grids', COALESCE((SELECT json_agg(row_to_json(per_grid)
      ORDER BY rollup DESC, grid1_code NULLS FIRST, cell_code NULLS FIRST) FROM per_grid), '[]'::json),
  'people', COALESCE((SELECT json_agg(row_to_json(people) ORDER BY level, grid_code, role, name)
      FROM people), '[]'::json),
  'zones', COALESCE((SELECT json_agg(row_to_json(zones) ORDER BY kind, name) FROM zones), '[]'::json),
  'dikes', COALESCE((SELECT json_agg(row_to_json(dikes) ORDER BY name) FROM dikes), '[]'::json),
  'pumping_stations', COALESCE((SELECT json_agg(row_to_json(pumps)
      ORDER BY inside DESC, distance_m, name) FROM pumps), '[]'::json),
  'depots', COALESCE((SELECT json_agg(json_build_object(
        'id', n.id, 'name', n.name, 'manager', n.manager, 'phone', n.phone,
        'lon', ST_X(n.location), 'lat', ST_Y(n.location), 'distance_m', n.distance_m,
        'items', (SELECT json_agg(json_build_object(
              'code', i.code, 'name', i.name, 'unit', i.unit, 'quantity', i.quantity,
              'minimum', i.minimum, 'below_minimum', i.quantity < i.minimum) ORDER BY i.code)
            FROM flood_stockitem i WHERE i.depot_id = n.id))
      ORDER BY n.distance_m, n.id) FROM nearest n), '[]'::json)
)::text
"""

DUTY_LABELS = dict(GridAssignment.Duty.choices)


def impact(user, query: ImpactQuery) -> dict | None:
    """What a flood in a zone or drawn area reaches (影响分析), in one SQL statement
    (GiST-indexed joins and KNN). Other apps' records in the area (open hazards) are added
    by the composition in gridmap.workspaces.flood, not here.

    None when the user may not command, or the zone does not exist.
    """
    if not COMMAND_FLOODS.allows(user):
        return None
    if query.zone_id is None and query.area is None:
        raise PolygonError("请选择责任区或绘制范围")
    if query.zone_id is not None and not FloodZone.objects.filter(pk=query.zone_id).exists():
        return None
    k = max(1, min(int(query.k), 20))
    distance = max(0.0, min(float(query.distance_m), 50_000.0))
    params = {"zone": query.zone_id, "area": query.area.hexewkb.decode() if query.area else None,
              "today": timezone.localdate(), "distance": distance, "k": k,
              "candidates": k * 3 + 5}
    with connection.cursor() as cursor:
        cursor.execute(IMPACT_SQL, params)
        result = json.loads(cursor.fetchone()[0])
    for person in result["people"]:
        person["role_name"] = DUTY_LABELS.get(person["role"], person["role"])
    for ent in result["enterprises"]:
        ent["risk_level_name"] = SHORT_LABELS.get(ent["risk_level"], "未评估")
    kinds = dict(FloodZone.Kind.choices)
    for zone in result["zones"]:
        zone["kind_name"] = kinds.get(zone["kind"], zone["kind"])
    total = next((g for g in result["grids"] if g["rollup"] == 3), None)
    result["totals"] = total or {"enterprises": 0, "hazardous": 0, "risk_points": 0, "major": 0,
                                 "large": 0, "open_tasks": 0}
    result["grids"] = [g for g in result["grids"] if g["rollup"] != 3]
    if query.zone_id is not None:
        zone = FloodZone.objects.get(pk=query.zone_id)
        result["zone"] = {"id": zone.pk, "name": zone.name, "kind": zone.get_kind_display(),
                          "responsible_person": zone.responsible_person,
                          "responsible_role": zone.responsible_role, "phone": zone.phone,
                          "generated": zone.generated}
    return result
