"""The sample's storm event: Typhoon Lekima (2019年第9号台风利奇马), whose rain reached Tianjin
on 10–13 August 2019 (domain.md §8). The bureau's report names consultations and radio roll
calls of the towns; the times, decisions, answers, dispatch and reports below are generated
for the demonstration (labelled so in the event's summary), written through the services
so that the timeline and the audit history are as a real event leaves them."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from gridmap.core.history import recorded_as
from gridmap.flood.events import services
from gridmap.flood.events.models import Event, RollCallAnswer, SituationReport
from gridmap.flood.models import RescueTeam, StockItem, SupplyDepot
from gridmap.flood.services import stock_receive
from gridmap.grids.models import Grid, GridAssignment

NAME = "2019年第9号台风利奇马"
SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林", "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SUMMARY = ("（示意数据）受台风利奇马影响，8 月 10 日至 13 日全区普降暴雨到大暴雨。区防汛抗旱指挥部启动应急响应，"
           "最高提升至Ⅱ级，组织会商 2 次，无线通信系统点名 2 轮，调度编织袋、防汛照明灯和抢险队伍赴子牙河沿线，"
           "处置积水内涝、堤防渗漏等险情，无人员伤亡。")
REPORTS = (
    ("waterlogging", "serious", "村内主街积水约 40 厘米，已组织排水", (2019, 8, 11, 11, 20)),
    ("seepage", "critical", "子牙河堤脚出现渗水点 3 处，已设警戒", (2019, 8, 11, 13, 5)),
    ("waterlogging", "general", "企业厂区门口积水，未进入车间", (2019, 8, 11, 16, 40)),
    ("collapse", "serious", "一处闲置平房后墙倒塌，无人员伤亡", (2019, 8, 12, 7, 30)),
)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=SHANGHAI)


def sample_lekima_load(*, log=print) -> None:
    """Load the Lekima event once (a second load finds it and changes nothing)."""
    if Event.objects.filter(name=NAME).exists():
        log(f"{NAME}：已存在")
        return
    command = get_user_model().objects.get(username="flood")
    rng = random.Random(20190810)
    with transaction.atomic():
        event = services.event_open(actor=command, name=NAME, kind=Event.Kind.TYPHOON, level=4,
                                    started_at=at(2019, 8, 10, 8, 0), reason="台风蓝色预警，启动Ⅳ级应急响应")
        services.consultation_record(
            actor=command, event=event, held_at=at(2019, 8, 10, 16, 0), topic="利奇马防御形势会商",
            attendees="区防汛抗旱指挥部、区应急管理局、区水务局、区气象局、各镇防汛分指挥部",
            decisions="提升至Ⅲ级响应；各镇 24 小时值守；低洼地区群众做好转移准备")
        services.event_set_level(actor=command, event=event, level=3, at=at(2019, 8, 10, 20, 0),
                                 reason="气象台发布暴雨橙色预警")
        services.order_issue(actor=command, event=event, issued_at=at(2019, 8, 10, 21, 0),
                             recipients="各镇、各园区防汛分指挥部",
                             content="立即检查河道堤防和泵站，转移危旧房屋人员，每 2 小时报告一次险情")
        services.event_set_level(actor=command, event=event, level=2, at=at(2019, 8, 11, 8, 30),
                                 reason="24 小时雨量超过 100 毫米，子牙河水位上涨")
        roll_call = services.roll_call_start(actor=command, event=event, at=at(2019, 8, 11, 9, 0))
        posts = list(roll_call.answers.select_related("post").order_by("post__kind", "post__name"))
        silent = {a.pk for a in rng.sample(posts, 3)}
        for minute, answer in enumerate(a for a in posts if a.pk not in silent):
            services.roll_call_answer(actor=command, roll_call=roll_call, post=answer.post_id,
                                      answerer=_name(rng), at=at(2019, 8, 11, 9, 2 + minute // 3))
        services.roll_call_repeat(actor=command, roll_call=roll_call, at=at(2019, 8, 11, 9, 30))
        for answer in RollCallAnswer.objects.filter(pk__in=sorted(silent)[:2]).select_related("post"):
            services.roll_call_answer(actor=command, roll_call=roll_call, post=answer.post_id,
                                      answerer=_name(rng) + "（带班领导）", at=at(2019, 8, 11, 9, 36))
        services.consultation_record(
            actor=command, event=event, held_at=at(2019, 8, 11, 12, 0), topic="子牙河堤防险情会商",
            attendees="区防汛抗旱指挥部、区水务局、沿河各镇、区消防救援支队",
            decisions="调度编织袋、防汛照明灯和抢险队伍赴子牙河堤防；组织沿河群众转移")
        _dispatch(command, event)
        _reports(event)
        services.event_set_level(actor=command, event=event, level=4, at=at(2019, 8, 13, 8, 0),
                                 reason="降雨结束，河道水位回落")
        services.event_close(actor=command, event=event, summary=SUMMARY, at=at(2019, 8, 13, 18, 0))
    log(f"{NAME}：事件、会商 2 次、点名 2 轮、调度 1 次、险情报告 {len(REPORTS)} 条")


def _dispatch(command, event: Event) -> None:
    """Woven bags and lights with a team to the Ziya river's dike; the stock used was
    replenished after the flood season (补充储备), so the depot ends as it began."""
    river = Grid.objects.filter(level=Grid.Level.LEVEL_2).order_by("code").first()
    target = river.geom.point_on_surface
    depot = SupplyDepot.objects.order_by("-name").first()
    wanted = {"编织袋": 2000, "防汛照明灯": 20}
    lines = [services.DispatchLine(item.code, min(item.quantity, wanted[item.name]))
             for item in StockItem.objects.filter(depot=depot, name__in=wanted, quantity__gt=0).order_by("code")]
    team = RescueTeam.objects.order_by("name").first()
    dispatch = services.dispatch_create(actor=command, event=event, depot=depot, lines=lines,
                                        teams=[team.pk] if team else [], lon=target.x, lat=target.y,
                                        at=at(2019, 8, 11, 12, 30), note="子牙河堤防抢险")
    if team:
        services.teams_recall(actor=command, dispatch=dispatch, at=at(2019, 8, 12, 18, 0))
    for line in lines:
        item = StockItem.objects.get(depot=depot, code=line.item_code)
        stock_receive(actor=command, item=item, quantity=line.quantity, note=f"{NAME}汛后补充储备")


def _reports(event: Event) -> None:
    """Situation reports as officers sent them then (their phones' times are 2019, older than a
    phone may sync today, so they are written directly, in the audit history)."""
    cells = list(Grid.objects.filter(level=Grid.Level.LEVEL_2).order_by("code")[:len(REPORTS) * 7:7])
    for (kind, severity, text, when), cell in zip(REPORTS, cells, strict=False):
        officer = (GridAssignment.objects.filter(grid=cell, role="cell_officer").select_related("user")
                   .first())
        if officer is None:
            continue
        with recorded_as(officer.user, "situation_report_submit"):
            SituationReport.objects.create(
                event=event, kind=kind, severity=severity, description=text, position=cell.geom.point_on_surface,
                cell=cell, reported_at=at(*when), reporter=officer.user, district_code=cell.district_code)
