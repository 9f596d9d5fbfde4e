"""Writes for storm events: open and close an event, set its response level, record
consultations and orders, roll calls, dispatches (stock through the ledger, teams deployed
and recalled) and situation reports. Each is one transaction, in the audit history, and
refused with a Chinese message naming the field."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import MultiPolygon, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gridmap.accounts.capabilities import COMMAND_FLOODS
from gridmap.core.dates import check_record_moment, synced_record_day
from gridmap.core.history import recorded_as
from gridmap.core.sync import Synced, created_once, submission_digest
from gridmap.geo.coords import DEFAULT_CRS, CoordinateError, CRSError, offered_crs, to_wgs84_arrays
from gridmap.geo.photos import check_photos
from gridmap.grids.models import Grid
from gridmap.grids.scope import check_on_duty
from gridmap.grids.selectors import cell_on

from ..models import RescueTeam, StockItem, SupplyDepot
from ..services import stock_issue
from .models import (
    Consultation,
    Dispatch,
    DutyPost,
    Event,
    LevelChange,
    Order,
    ResponseLevel,
    RollCall,
    RollCallAnswer,
    RollCallRound,
    SituationPhoto,
    SituationReport,
    TeamDeployment,
)
from .posts import DISTRICT_DEPARTMENTS


def _command(actor) -> None:
    COMMAND_FLOODS.require(actor)


def _moment(value: dt.datetime | None, *, field: str, label: str) -> dt.datetime:
    moment = value or timezone.now()
    if timezone.is_naive(moment):
        raise ValidationError({field: f"{label}须带时区"})
    check_record_moment(moment, field=field, label=label)
    return moment


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}不能超过 {max_length} 字"})
    return value


def _open(event: Event) -> Event:
    """The event locked for the change, refused when it is closed."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if not locked.is_open:
        raise ValidationError({"event": f"事件“{locked.name}”已结束，不能再记录"})
    return locked


def _level(value, *, field: str = "level") -> int | None:
    if value in (None, ""):
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in ResponseLevel.values:
        raise ValidationError({field: "响应级别应为 Ⅳ、Ⅲ、Ⅱ、Ⅰ 级之一（4、3、2、1）"})
    return level


# --- the event -------------------------------------------------------------------------------

def event_open(*, actor, name: str, kind: str, started_at: dt.datetime | None = None,
               level: int | None = None, area: MultiPolygon | None = None, reason: str = "") -> Event:
    """Open an event; with a level, its first level change (启动响应) is recorded at the start."""
    _command(actor)
    name = _text(name, field="name", label="事件名称", max_length=100)
    if kind not in Event.Kind.values:
        raise ValidationError({"kind": "事件类型应为台风、暴雨、洪水或其他"})
    started_at = _moment(started_at, field="started_at", label="开始时间")
    level = _level(level)
    with transaction.atomic(), recorded_as(actor, "event_open"):
        event = Event.objects.create(name=name, kind=kind, started_at=started_at, level=level, area=area,
                                     created_by=actor)
        if level is not None:
            LevelChange.objects.create(event=event, from_level=None, to_level=level, changed_at=started_at,
                                       changed_by=actor, reason=reason.strip()[:500] or "启动应急响应")
    return event


def event_set_level(*, actor, event: Event, level: int, reason: str = "",
                    at: dt.datetime | None = None) -> LevelChange:
    """Raise or lower the response level (Ⅳ → Ⅰ raises): timed and by whom."""
    _command(actor)
    level = _level(level)
    if level is None:
        raise ValidationError({"level": "请选择响应级别"})
    at = _moment(at, field="changed_at", label="调整时间")
    reason = _text(reason, field="reason", label="依据", max_length=500, required=False)
    with transaction.atomic(), recorded_as(actor, "event_set_level"):
        locked = _open(event)
        if locked.level == level:
            raise ValidationError({"level": f"事件已是{locked.get_level_display()}响应"})
        if at < locked.started_at:
            raise ValidationError({"changed_at": "调整时间不能早于事件开始时间"})
        change = LevelChange.objects.create(event=locked, from_level=locked.level, to_level=level,
                                            changed_at=at, changed_by=actor, reason=reason)
        locked.level = level
        locked.save(update_fields=["level", "updated_at"])
    event.level = level
    return change


def event_close(*, actor, event: Event, summary: str, at: dt.datetime | None = None) -> Event:
    """End the event with its summary (总结); the teams still out stay out until recalled."""
    _command(actor)
    summary = _text(summary, field="summary", label="事件总结", max_length=5000)
    at = _moment(at, field="ended_at", label="结束时间")
    with transaction.atomic(), recorded_as(actor, "event_close"):
        locked = _open(event)
        if at < locked.started_at:
            raise ValidationError({"ended_at": "结束时间不能早于开始时间"})
        locked.ended_at, locked.summary = at, summary
        locked.save(update_fields=["ended_at", "summary", "updated_at"])
    return locked


def consultation_record(*, actor, event: Event, topic: str, attendees: str, decisions: str,
                        held_at: dt.datetime | None = None) -> Consultation:
    """会商: its attendees and decisions."""
    _command(actor)
    values = {"topic": _text(topic, field="topic", label="议题", max_length=200),
              "attendees": _text(attendees, field="attendees", label="参会人员", max_length=2000),
              "decisions": _text(decisions, field="decisions", label="会商决定", max_length=5000)}
    held_at = _moment(held_at, field="held_at", label="会商时间")
    with transaction.atomic(), recorded_as(actor, "consultation_record"):
        locked = _open(event)
        return Consultation.objects.create(event=locked, held_at=held_at, recorded_by=actor, **values)


def order_issue(*, actor, event: Event, recipients: str, content: str,
                issued_at: dt.datetime | None = None) -> Order:
    """指令: what the command told whom."""
    _command(actor)
    values = {"recipients": _text(recipients, field="recipients", label="接收单位", max_length=300),
              "content": _text(content, field="content", label="指令内容", max_length=2000)}
    issued_at = _moment(issued_at, field="issued_at", label="下达时间")
    with transaction.atomic(), recorded_as(actor, "order_issue"):
        locked = _open(event)
        return Order.objects.create(event=locked, issued_at=issued_at, issued_by=actor, **values)


# --- roll call (点名) ------------------------------------------------------------------------

def duty_posts_ensure() -> int:
    """Every level-I grid has its duty post, and the district's departments are there once
    (after that they are data: edited, deactivated, never re-added). Returns the posts added."""
    added = 0
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO flood_dutypost (kind, name, grid_id, contact, phone, active, district_code)
            SELECT 'grid', g.name, g.id, '', '', true, g.district_code FROM grids_grid g
            WHERE g.level = %s AND NOT EXISTS (SELECT 1 FROM flood_dutypost p WHERE p.grid_id = g.id)
            ON CONFLICT DO NOTHING""", [Grid.Level.LEVEL_1])
        added += cursor.rowcount
    if not DutyPost.objects.filter(kind=DutyPost.Kind.DEPARTMENT).exists():
        DutyPost.objects.bulk_create([DutyPost(kind=DutyPost.Kind.DEPARTMENT, name=name)
                                      for name in DISTRICT_DEPARTMENTS], ignore_conflicts=True)
        added += len(DISTRICT_DEPARTMENTS)
    return added


def roll_call_start(*, actor, event: Event, at: dt.datetime | None = None) -> RollCall:
    """Call every active duty post; each is unanswered until its answer is recorded."""
    _command(actor)
    at = _moment(at, field="started_at", label="点名时间")
    with transaction.atomic(), recorded_as(actor, "roll_call_start"):
        locked = _open(event)
        duty_posts_ensure()
        posts = list(DutyPost.objects.filter(active=True))
        if not posts:
            raise ValidationError({"posts": "没有参加点名的值守点位"})
        roll_call = RollCall.objects.create(event=locked, started_at=at, started_by=actor, rounds=1)
        RollCallRound.objects.create(roll_call=roll_call, number=1, called_at=at, called_by=actor,
                                     posts_called=len(posts))
        RollCallAnswer.objects.bulk_create([RollCallAnswer(roll_call=roll_call, post=p, last_called_round=1)
                                            for p in posts])
    return roll_call


def roll_call_answer(*, actor, roll_call: RollCall, post: DutyPost | int, answerer: str,
                     at: dt.datetime | None = None) -> RollCallAnswer:
    """A post answered: who answered, and when (the first answer stands)."""
    _command(actor)
    answerer = _text(answerer, field="answerer", label="应答人", max_length=64)
    at = _moment(at, field="answered_at", label="应答时间")
    post_id = post.pk if isinstance(post, DutyPost) else post
    with transaction.atomic(), recorded_as(actor, "roll_call_answer"):
        _open(roll_call.event)
        answer = (RollCallAnswer.objects.select_for_update().select_related("post")
                  .filter(roll_call=roll_call, post_id=post_id).first())
        if answer is None:
            raise ValidationError({"post": "该值守点位不在本次点名中"})
        if answer.answered_at is not None:
            when = timezone.localtime(answer.answered_at)
            raise ValidationError({"post": f"{answer.post.name}已于 {when:%m-%d %H:%M} 应答"})
        if at < roll_call.started_at:
            raise ValidationError({"answered_at": "应答时间不能早于点名时间"})
        answer.answered_at, answer.answerer, answer.recorded_by = at, answerer, actor
        answer.save(update_fields=["answered_at", "answerer", "recorded_by"])
    return answer


def roll_call_repeat(*, actor, roll_call: RollCall, at: dt.datetime | None = None) -> RollCallRound:
    """Call the unanswered posts again (a new round); refused when every post has answered."""
    _command(actor)
    at = _moment(at, field="called_at", label="点名时间")
    with transaction.atomic(), recorded_as(actor, "roll_call_repeat"):
        _open(roll_call.event)
        locked = RollCall.objects.select_for_update().get(pk=roll_call.pk)
        unanswered = locked.answers.filter(answered_at__isnull=True)
        count = unanswered.count()
        if count == 0:
            raise ValidationError({"roll_call": "所有值守点位均已应答，无需再次点名"})
        locked.rounds += 1
        locked.save(update_fields=["rounds"])
        unanswered.update(last_called_round=locked.rounds)
        call = RollCallRound.objects.create(roll_call=locked, number=locked.rounds, called_at=at,
                                            called_by=actor, posts_called=count)
    roll_call.rounds = locked.rounds
    return call


# --- dispatch (调度) -------------------------------------------------------------------------

@dataclass(frozen=True)
class DispatchLine:
    item_code: str
    quantity: int


def _distance_m(origin: Point, destination: Point) -> float:
    """Along the spheroid (PostGIS geography), in metres."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Distance(ST_GeomFromEWKB(%s)::geography, ST_GeomFromEWKB(%s)::geography)",
                       [bytes(origin.ewkb), bytes(destination.ewkb)])
        return float(cursor.fetchone()[0])


def _destination(lon: float, lat: float, crs: str) -> Point:
    try:
        xs, ys = to_wgs84_arrays([lon], [lat], offered_crs(crs))
    except CRSError as exc:
        raise ValidationError({"crs": str(exc)}) from None
    except CoordinateError as exc:
        raise ValidationError({"to": f"目的地：{exc}"}) from None
    return Point(float(xs[0]), float(ys[0]), srid=4326)


def dispatch_create(*, actor, event: Event, depot: SupplyDepot | int, lines: Sequence[DispatchLine],
                    teams: Sequence[int], lon: float, lat: float, crs: str = DEFAULT_CRS, note: str = "",
                    at: dt.datetime | None = None, client_id: uuid.UUID | None = None,
                    client_digest: str = "") -> Dispatch:
    """Send stock and teams from a depot to a place: one transaction. Each item leaves through
    the ledger (refused, with nothing written, when it would go negative); each team is
    deployed with its own distance from its base."""
    _command(actor)
    if not lines and not teams:
        raise ValidationError({"items": "请至少调度一种物资或一支队伍"})
    note = _text(note, field="note", label="说明", max_length=300, required=False)
    at = _moment(at, field="dispatched_at", label="调度时间")
    destination = _destination(lon, lat, crs)
    codes = [line.item_code for line in lines]
    if len(set(codes)) != len(codes):
        raise ValidationError({"items": "同一物资只能列一次"})
    if len(set(teams)) != len(teams):
        raise ValidationError({"teams": "同一队伍只能列一次"})
    with transaction.atomic(), recorded_as(actor, "dispatch_create"):
        locked = _open(event)
        depot = SupplyDepot.objects.filter(pk=depot.pk if isinstance(depot, SupplyDepot) else depot).first()
        if depot is None:
            raise ValidationError({"depot": "仓库不存在"})
        items = {i.code: i for i in StockItem.objects.filter(depot=depot, code__in=codes)}
        for index, line in enumerate(lines):
            if line.item_code not in items:
                raise ValidationError({"items": f"第 {index + 1} 项：{depot.name}没有编码为 {line.item_code} 的物资"})
        found = {t.pk: t for t in RescueTeam.objects.select_for_update().filter(pk__in=teams)}
        for team_id in teams:
            if team_id not in found:
                raise ValidationError({"teams": f"队伍 {team_id} 不存在"})
        busy = (TeamDeployment.objects.filter(team_id__in=teams, recalled_at__isnull=True)
                .select_related("team", "dispatch__event").first())
        if busy is not None:
            raise ValidationError({"teams": f"{busy.team.name}已出动（{busy.dispatch.event.name}），请先撤回"})
        dispatch = Dispatch.objects.create(
            event=locked, depot=depot, destination=destination, distance_m=_distance_m(depot.location, destination),
            note=note, dispatched_at=at, dispatched_by=actor, district_code=depot.district_code, client_id=client_id,
            client_digest=client_digest)
        for index, line in enumerate(lines):
            try:
                stock_issue(actor=actor, item=items[line.item_code], quantity=line.quantity,
                            note=f"调度：{locked.name}"[:200], event=locked, dispatch=dispatch)
            except ValidationError as exc:
                raise ValidationError({"items": f"第 {index + 1} 项：{'；'.join(exc.messages)}"}) from None
        TeamDeployment.objects.bulk_create([
            TeamDeployment(dispatch=dispatch, team=found[team_id], destination=destination,
                           distance_m=_distance_m(found[team_id].base, destination),
                           deployed_at=dispatch.dispatched_at)
            for team_id in teams])
    return dispatch


def dispatch_sync(*, actor, event: Event, depot: int, items: Sequence[dict], teams: Sequence[int],
                  lon: float, lat: float, crs: str = DEFAULT_CRS, note: str = "",
                  client_id: uuid.UUID | None = None) -> Synced:
    """A dispatch sent by a client: stored once per client_id of its sender (gridmap.core.sync)."""
    lines = [DispatchLine(item_code=i["item_code"], quantity=i["quantity"]) for i in items]
    fields = {"event": event.pk, "depot": depot, "items": [[line.item_code, line.quantity] for line in lines],
              "teams": list(teams), "lon": lon, "lat": lat, "crs": crs, "note": note}
    digest = submission_digest(fields) if client_id else ""
    mine = Dispatch.objects.filter(dispatched_by_id=actor.pk) if actor.is_authenticated else Dispatch.objects.none()
    return created_once(
        lambda: dispatch_create(actor=actor, event=event, depot=depot, lines=lines, teams=teams, lon=lon,
                                lat=lat, crs=crs, note=note, client_id=client_id, client_digest=digest),
        mine=mine, client_id=client_id, digest=digest, constraint="dispatch_client_id_once")


def teams_recall(*, actor, dispatch: Dispatch, teams: Sequence[int] | None = None,
                 at: dt.datetime | None = None) -> int:
    """Recall a dispatch's teams still out (all, or the ones named); returns how many."""
    _command(actor)
    at = _moment(at, field="recalled_at", label="撤回时间")
    with transaction.atomic(), recorded_as(actor, "teams_recall"):
        out = dispatch.deployments.select_for_update().filter(recalled_at__isnull=True)
        if teams is not None:
            out = out.filter(team_id__in=teams)
        deployments = list(out)
        if not deployments:
            raise ValidationError({"teams": "没有在外的队伍可撤回"})
        for deployment in deployments:
            if at < deployment.deployed_at:
                raise ValidationError({"recalled_at": "撤回时间不能早于出动时间"})
            deployment.recalled_at, deployment.recalled_by = at, actor
            deployment.save(update_fields=["recalled_at", "recalled_by"])
    return len(deployments)


# --- situation reports (险情报告) -------------------------------------------------------------

def open_event_at(point: Point, on: dt.datetime | None = None) -> Event | None:
    """The open event whose area holds the point, else the latest open event without an area."""
    moment = on or timezone.now()
    open_events = Event.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=moment),
                                       started_at__lte=moment + dt.timedelta(minutes=10))
    return (open_events.filter(area__covers=point).order_by("-started_at", "-id").first()
            or open_events.filter(area__isnull=True).order_by("-started_at", "-id").first())


def situation_report_submit(*, actor, kind: str, severity: str, description: str, lon: float, lat: float,
                            crs: str = DEFAULT_CRS, reported_at: dt.datetime | None = None,
                            photos: Sequence[UploadedFile] = (), client_id: uuid.UUID | None = None,
                            client_digest: str = "") -> SituationReport:
    """A grid officer's or grid head's report of a situation where they answer for it: the
    point lies in one of their cells (their town's, for a grid head) on the report's day."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录")
    if kind not in SituationReport.Kind.values:
        raise ValidationError({"kind": "险情类型无效"})
    if severity not in SituationReport.Severity.values:
        raise ValidationError({"severity": "严重程度应为一般、较重或严重"})
    description = _text(description, field="description", label="情况说明", max_length=2000)
    reported_at = reported_at or timezone.now()
    day = synced_record_day(reported_at, field="reported_at", label="报告时间")
    position = _destination(lon, lat, crs)
    cell = cell_on(position, day)
    if cell is None:
        raise ValidationError({"position": "位置不在本区任何网格内"})
    check_on_duty(actor, cell, day, field="reported_at", what="险情报告")
    formats = check_photos(photos)
    with transaction.atomic(), recorded_as(actor, "situation_report_submit"):
        report = SituationReport.objects.create(
            event=open_event_at(position, reported_at), kind=kind, severity=severity, description=description,
            position=position, cell=cell, reported_at=reported_at, reporter=actor,
            district_code=cell.district_code, client_id=client_id, client_digest=client_digest)
        for upload, found in zip(photos, formats, strict=True):
            photo = SituationPhoto(report=report, image_format=found, size_bytes=upload.size)
            photo.image.save(upload.name or "photo", upload, save=False)
            photo.save()
    return report


def situation_report_sync(*, actor, client_id: uuid.UUID | None, kind: str, severity: str, description: str,
                          lon: float, lat: float, crs: str = DEFAULT_CRS, reported_at: dt.datetime | None = None,
                          photos: Sequence[UploadedFile] = ()) -> Synced:
    """A report sent by a phone: stored once per client_id of its sender (gridmap.core.sync)."""
    fields = {"kind": kind, "severity": severity, "description": description, "lon": lon, "lat": lat,
              "crs": crs, "reported_at": reported_at.isoformat() if reported_at else None}
    digest = submission_digest(fields, photos) if client_id else ""
    mine = (SituationReport.objects.filter(reporter_id=actor.pk) if actor.is_authenticated
            else SituationReport.objects.none())
    return created_once(
        lambda: situation_report_submit(actor=actor, photos=photos, client_id=client_id, client_digest=digest,
                                        **{**fields, "reported_at": reported_at}),
        mine=mine, client_id=client_id, digest=digest, constraint="situation_client_id_once")
