"""Reads for storm events: the events, an event's timeline, its roll calls' status, the
depots with their stock, and the map sources of reports, dispatches and roll calls. Events,
roll calls and dispatches are for the flood-command desk (COMMAND_FLOODS); an officer sees
the situation reports of their own cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Round
from django.utils import timezone

from gridmap.accounts.capabilities import COMMAND_FLOODS
from gridmap.core.geojson import feature_collection_bytes
from gridmap.grids.scope import scope_for

from ..models import StockMovement, SupplyDepot
from .models import (
    Consultation,
    Dispatch,
    Event,
    LevelChange,
    Order,
    ResponseLevel,
    RollCall,
    RollCallAnswer,
    RollCallRound,
    SituationReport,
    TeamDeployment,
)


def _local_time(field_name: str) -> Func:
    """A timestamp as the district's wall clock reads it (the connection speaks UTC)."""
    return Func(Func(Value(settings.TIME_ZONE), F(field_name), function="timezone"),
                Value("YYYY-MM-DD HH24:MI"), function="to_char", output_field=CharField())


def _label(field_name: str, choices) -> Case:
    return Case(*[When(**{field_name: k}, then=Value(str(v))) for k, v in choices],
                default=Value(""), output_field=CharField())


def events_for_user(user) -> QuerySet[Event]:
    if not COMMAND_FLOODS.allows(user):
        return Event.objects.none()
    return Event.objects.select_related("created_by").annotate(
        report_count=Count("reports", distinct=True), dispatch_count=Count("dispatches", distinct=True))


def event_for_user(user, pk) -> Event | None:
    return events_for_user(user).filter(pk=pk).first()


def open_events(user) -> QuerySet[Event]:
    return events_for_user(user).filter(ended_at__isnull=True)


def _who(user) -> str:
    return (user.full_name or user.username) if user is not None else "系统"


def _level_name(level: int | None) -> str:
    return ResponseLevel(level).label if level else "未启动"


@dataclass
class TimelineEntry:
    kind: str
    kind_name: str
    time: dt.datetime
    who: str
    text: str
    details: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"kind": self.kind, "kind_name": self.kind_name, "time": self.time.isoformat(),
                "who": self.who, "text": self.text, "details": self.details}


def timeline(event: Event) -> list[TimelineEntry]:
    """Everything that happened in an event, in time order: its opening, level changes,
    consultations, orders, roll-call rounds, dispatches and recalls, situation reports, close."""
    entries = [TimelineEntry("opened", "事件开始", event.started_at, _who(event.created_by),
                             f"{event.get_kind_display()}：{event.name}")]
    for change in LevelChange.objects.filter(event=event).select_related("changed_by"):
        verb = "启动" if change.from_level is None else ("提升" if change.raised else "降低")
        entries.append(TimelineEntry(
            "level_change", "响应级别", change.changed_at, _who(change.changed_by),
            f"{verb}应急响应：{_level_name(change.from_level)} → {_level_name(change.to_level)}"
            + (f"（{change.reason}）" if change.reason else ""),
            {"from_level": change.from_level, "to_level": change.to_level, "raised": change.raised,
             "reason": change.reason}))
    for c in Consultation.objects.filter(event=event).select_related("recorded_by"):
        entries.append(TimelineEntry("consultation", "会商", c.held_at, _who(c.recorded_by),
                                     f"会商：{c.topic}。决定：{c.decisions}",
                                     {"topic": c.topic, "attendees": c.attendees, "decisions": c.decisions}))
    for o in Order.objects.filter(event=event).select_related("issued_by"):
        entries.append(TimelineEntry("order", "指令", o.issued_at, _who(o.issued_by),
                                     f"指令（{o.recipients}）：{o.content}",
                                     {"recipients": o.recipients, "content": o.content}))
    rounds = (RollCallRound.objects.filter(roll_call__event=event).select_related("called_by", "roll_call")
              .annotate(total=Count("roll_call__answers", distinct=True),
                        answered=Count("roll_call__answers", filter=Q(roll_call__answers__answered_at__isnull=False),
                                       distinct=True)))
    for r in rounds:
        text = ("点名：呼叫全部值守点位 {n} 个" if r.number == 1 else "再次点名（第 {k} 轮）：呼叫未应答点位 {n} 个")
        entries.append(TimelineEntry(
            "roll_call", "点名", r.called_at, _who(r.called_by),
            text.format(n=r.posts_called, k=r.number) + f"；目前已应答 {r.answered}/{r.total}",
            {"roll_call": r.roll_call_id, "round": r.number, "posts_called": r.posts_called,
             "answered": r.answered, "unanswered": r.total - r.answered}))
    dispatches = (Dispatch.objects.filter(event=event).select_related("depot", "dispatched_by")
                  .prefetch_related(Prefetch("movements", StockMovement.objects.select_related("item")),
                                    Prefetch("deployments", TeamDeployment.objects.select_related("team",
                                                                                                   "recalled_by"))))
    for d in dispatches:
        items = [{"item_code": m.item.code, "name": m.item.name, "quantity": m.quantity, "unit": m.item.unit}
                 for m in d.movements.all()]
        teams = [{"id": t.team_id, "name": t.team.name, "distance_m": round(t.distance_m)} for t in d.deployments.all()]
        sent = "、".join([f"{i['name']} {i['quantity']}{i['unit']}" for i in items] + [t["name"] for t in teams])
        entries.append(TimelineEntry(
            "dispatch", "调度", d.dispatched_at, _who(d.dispatched_by),
            f"从{d.depot.name}调度 {sent}，距目的地 {d.distance_m / 1000:.1f} km",
            {"dispatch": d.pk, "depot": d.depot.name, "items": items, "teams": teams,
             "to": {"lon": d.destination.x, "lat": d.destination.y}, "distance_m": round(d.distance_m)}))
        for t in d.deployments.all():
            if t.recalled_at is not None:
                entries.append(TimelineEntry("recall", "撤回", t.recalled_at, _who(t.recalled_by),
                                             f"撤回{t.team.name}", {"dispatch": d.pk, "team": t.team_id}))
    for s in SituationReport.objects.filter(event=event).select_related("reporter", "cell"):
        entries.append(TimelineEntry(
            "situation_report", "险情报告", s.reported_at, _who(s.reporter),
            f"{s.get_kind_display()}（{s.get_severity_display()}）：{s.description}",
            {"report": s.pk, "kind": s.kind, "severity": s.severity, "cell": s.cell.code, "cell_name": s.cell.name,
             "lon": s.position.x, "lat": s.position.y}))
    if event.ended_at is not None:
        entries.append(TimelineEntry("closed", "事件结束", event.ended_at, "", f"事件结束。总结：{event.summary}"))
    order = {"opened": 0, "closed": 2}
    return sorted(entries, key=lambda e: (e.time, order.get(e.kind, 1)))


# --- roll calls ------------------------------------------------------------------------------

def roll_calls_of(event: Event) -> QuerySet[RollCall]:
    """Latest first, each with its posts counted: total, answered, unanswered."""
    answered = Count("answers", filter=Q(answers__answered_at__isnull=False))
    return event.roll_calls.annotate(total=Count("answers"), answered=answered,
                                     unanswered=Count("answers") - answered).order_by("-started_at", "-id")


def roll_call_answers(roll_call: RollCall) -> QuerySet[RollCallAnswer]:
    """Unanswered first (they stand out), then by kind and name."""
    return (roll_call.answers.select_related("post", "post__grid")
            .order_by(F("answered_at").asc(nulls_first=True), "post__kind", "post__name"))


def roll_call_for_user(user, event: Event, pk) -> RollCall | None:
    if not COMMAND_FLOODS.allows(user):
        return None
    return event.roll_calls.filter(pk=pk).first()


def roll_call_posts_for_map(user) -> QuerySet[RollCallAnswer]:
    """Each level-I grid's answer in each roll call, as its polygon (filter by roll_call)."""
    queryset = RollCallAnswer.objects.filter(post__grid__isnull=False)
    if not COMMAND_FLOODS.allows(user):
        return queryset.none()
    return queryset.annotate(
        geom=F("post__grid__geom"), name=F("post__name"), code=F("post__grid__code"),
        state=Case(When(answered_at__isnull=False, then=Value("answered")), default=Value("unanswered"),
                   output_field=CharField()),
        state_name=Case(When(answered_at__isnull=False, then=Value("已应答")), default=Value("未应答"),
                        output_field=CharField()),
        answered_time=Coalesce(_local_time("answered_at"), Value("")))


# --- depots, dispatches and reports for maps ----------------------------------------------

def depots_with_stock_geojson(user) -> bytes:
    """The depots as a FeatureCollection, each with `stock: [{item_code, name, quantity,
    minimum}]` (built in the database)."""
    if not COMMAND_FLOODS.allows(user):
        return feature_collection_bytes(SupplyDepot.objects.none(), geom="location", properties=())
    from django.contrib.postgres.expressions import ArraySubquery  # noqa: PLC0415
    from django.db.models.functions import JSONObject  # noqa: PLC0415

    from ..models import StockItem  # noqa: PLC0415

    stock = ArraySubquery(StockItem.objects.filter(depot=OuterRef("pk")).order_by("code").values(
        json=JSONObject(item_code="code", name="name", unit="unit", quantity="quantity", minimum="minimum")))
    queryset = SupplyDepot.objects.annotate(stock=stock)
    return feature_collection_bytes(queryset, geom="location",
                                    properties=("name", "address", "manager", "phone", "stock"))


def dispatches_for_map(user) -> QuerySet[Dispatch]:
    """Dispatches at their destination, with what they sent (filter by event)."""
    if not COMMAND_FLOODS.allows(user):
        return Dispatch.objects.none()
    items = (StockMovement.objects.filter(dispatch=OuterRef("pk")).order_by().values("dispatch")
             .annotate(text=StringAgg(Concat("item__name", Value(" "), Cast("quantity", CharField()), "item__unit"),
                                      delimiter="、", order_by="item__code")).values("text"))
    teams = (TeamDeployment.objects.filter(dispatch=OuterRef("pk")).order_by().values("dispatch")
             .annotate(text=StringAgg("team__name", delimiter="、", order_by="team__name")).values("text"))
    out = TeamDeployment.objects.filter(dispatch=OuterRef("pk"), recalled_at__isnull=True).order_by().values("dispatch")
    return Dispatch.objects.annotate(
        event_name=F("event__name"), depot_name=F("depot__name"),
        items_text=Coalesce(Subquery(items, output_field=CharField()), Value("")),
        teams_text=Coalesce(Subquery(teams, output_field=CharField()), Value("")),
        distance_km=Round(F("distance_m") / 1000, 1),
        state=Case(When(Exists(out), then=Value("deployed")), default=Value("done"), output_field=CharField()),
        state_name=Case(When(Exists(out), then=Value("队伍在外")), default=Value("已撤回/仅物资"),
                        output_field=CharField()),
        when=_local_time("dispatched_at"))


def situation_reports_for_user(user) -> QuerySet[SituationReport]:
    """Flood command sees every report; anyone else those in the cells of their scope."""
    queryset = SituationReport.objects.all()
    if not COMMAND_FLOODS.allows(user):
        queryset = queryset.filter(cell__in=scope_for(user).cells())
    return queryset


def situation_reports_for_map(user) -> QuerySet[SituationReport]:
    return situation_reports_for_user(user).annotate(
        kind_name=_label("kind", SituationReport.Kind.choices),
        severity_name=_label("severity", SituationReport.Severity.choices),
        reporter_name=Coalesce(F("reporter__full_name"), F("reporter__username")),
        cell_code=F("cell__code"), event_name=Coalesce(F("event__name"), Value("")),
        when=_local_time("reported_at"))


def situation_report_in_scope(user, pk) -> SituationReport | None:
    return situation_reports_for_user(user).filter(pk=pk).first()


def report_counts(event: Event) -> list[tuple[str, int]]:
    """The event's situation reports counted by kind (its label)."""
    labels = dict(SituationReport.Kind.choices)
    return [(labels[row["kind"]], row["n"]) for row in
            event.reports.order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")]


def event_now(event: Event) -> dt.datetime:
    return event.ended_at or timezone.now()


def deployments_out(user) -> dict[int, TeamDeployment]:
    """The teams now deployed, by team id, with their dispatch's event."""
    if not COMMAND_FLOODS.allows(user):
        return {}
    return {d.team_id: d for d in TeamDeployment.objects.filter(recalled_at__isnull=True)
            .select_related("dispatch__event")}
