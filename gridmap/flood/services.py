from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gridmap.core.history import recorded_as
from gridmap.geo.readers import ImportRefused, Problem, feature_label, read_vector

from .models import FloodZone, StockItem, StockMovement


def rivers_import(*, path: str | Path, district_code: str, encoding: str | None = None,
                  source_crs: str | None = None) -> int:
    """Load river lines (name, channel); replaces the district's rivers of the same names."""
    path = Path(path)
    frame = read_vector(path, encoding=encoding, source_crs=source_crs).frame
    if "name" not in frame.columns:
        raise ImportRefused([Problem(path.name, "name", "缺少字段")])
    rows, problems = [], []
    for position, row in enumerate(frame.itertuples(index=False), start=1):
        where = feature_label(path, position)
        name = str(row.name or "").strip()
        channel = str(getattr(row, "channel", "") or "").strip()
        if not name:
            problems.append(Problem(where, "name", "名称为空"))
        if row.geometry is None or row.geometry.geom_type not in ("LineString", "MultiLineString"):
            problems.append(Problem(where, "geometry", "不是线要素"))
            continue
        rows.append((name, channel, district_code, shapely.to_wkb(row.geometry)))
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("""
            INSERT INTO flood_river (name, channel, district_code, geom, length_m)
            SELECT %s, %s, %s, g, ST_Length(g::geography)
            FROM ST_Multi(ST_GeomFromWKB(%s, 4326)) AS g
            ON CONFLICT (district_code, name, channel) DO UPDATE
            SET geom = EXCLUDED.geom, length_m = EXCLUDED.length_m""", rows)
    return len(rows)


# --- stock ledger ---------------------------------------------------------------------------

# The largest balance the quantity column (a PostgreSQL integer) holds.
STOCK_BALANCE_MAX = 2**31 - 1


def _stock_move(*, actor, item: StockItem | int, kind: str, quantity: int, note: str,
                event=None, dispatch=None) -> StockMovement:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationError("数量必须是正整数")
    if quantity > settings.GRIDMAP_STOCK_MOVE_MAX:
        raise ValidationError(f"数量：一次出入库不能超过 {settings.GRIDMAP_STOCK_MOVE_MAX}")
    if len(note) > 200:
        raise ValidationError("事由不能超过 200 字")
    item_id = item.pk if isinstance(item, StockItem) else item
    with transaction.atomic(), recorded_as(actor, f"stock_{kind}"):
        # The row lock makes concurrent issues of the same item take turns: each sees the
        # balance the previous one left, so none can spend stock another already spent.
        locked = StockItem.objects.select_for_update().select_related("depot").get(pk=item_id)
        change = quantity if kind == StockMovement.Kind.RECEIPT else -quantity
        if locked.quantity + change > STOCK_BALANCE_MAX:
            raise ValidationError(f"数量：{locked.depot.name}{locked.name}入库后结存将超过 {STOCK_BALANCE_MAX}")
        if locked.quantity + change < 0:
            raise ValidationError(
                f"{locked.depot.name}{locked.name}库存不足：现有 {locked.quantity}{locked.unit}，"
                f"申请出库 {quantity}{locked.unit}")
        locked.quantity += change
        locked.save(update_fields=["quantity", "updated_at"])
        return StockMovement.objects.create(
            item=locked, kind=kind, quantity=quantity, balance_after=locked.quantity, note=note,
            actor=actor if getattr(actor, "pk", None) else None, district_code=locked.district_code,
            event=event, dispatch=dispatch)


def stock_receive(*, actor, item: StockItem | int, quantity: int, note: str = "") -> StockMovement:
    """入库: add to a depot's stock and record it in the ledger."""
    return _stock_move(actor=actor, item=item, kind=StockMovement.Kind.RECEIPT,
                       quantity=quantity, note=note)


def stock_issue(*, actor, item: StockItem | int, quantity: int, note: str = "", event=None,
                dispatch=None) -> StockMovement:
    """出库: take from a depot's stock; refused (nothing changes) if it would go negative. An
    issue for a storm event names the event and its dispatch."""
    return _stock_move(actor=actor, item=item, kind=StockMovement.Kind.ISSUE,
                       quantity=quantity, note=note, event=event, dispatch=dispatch)


# --- pre-flood inspection tasks -------------------------------------------------------------

@dataclass
class TaskReport:
    created: int
    existing: int

    def summary(self) -> str:
        return f"已创建汛前检查任务 {self.created} 项；已有未完成任务 {self.existing} 项，未重复创建"


def preflood_tasks_create(*, actor, zone: FloodZone, due_date: dt.date) -> TaskReport:
    """One open pre-flood inspection task for every enterprise the zone exposes.

    Temporary home: the inspections app (issue 5) will take these over with its assignment
    service; until then this minimal record stands in. Repeating the action adds nothing: the
    partial unique index (one open task per enterprise and zone) and ON CONFLICT DO NOTHING
    make it idempotent even when two people press the button at once.
    """
    if due_date < timezone.localdate():
        raise ValidationError("完成期限不能早于今天")
    with transaction.atomic(), recorded_as(actor, "preflood_tasks_create"), \
            connection.cursor() as cursor:
        cursor.execute("""
            WITH exposed AS (
                SELECT e.id FROM enterprises_enterprise e, flood_floodzone z
                WHERE z.id = %(zone)s AND ST_Intersects(e.location, z.geom)
                  AND e.status <> 'closed'
            ), inserted AS (
                INSERT INTO flood_prefloodtask (enterprise_id, zone_id, due_date, status,
                                                created_by_id, created_at, district_code)
                SELECT id, %(zone)s, %(due)s, 'open', %(actor)s, now(), %(district)s FROM exposed
                ON CONFLICT (enterprise_id, zone_id) WHERE status = 'open' DO NOTHING
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM exposed)""",
            {"zone": zone.pk, "due": due_date, "actor": actor.pk, "district": zone.district_code})
        created, exposed = cursor.fetchone()
    return TaskReport(created=created, existing=exposed - created)
