"""Feed a stretch of the sample's synthetic 2019 storm readings through the readings service
in time order, at a chosen speed, so the live map can be watched and demonstrated."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridmap.demo.storm import GAUGE_ACCOUNT, STORMS, storm_readings
from gridmap.flood.gauges import stations_with_state
from gridmap.flood.ingest import ReadingsRefused, parse_time, readings_record, readings_remove


def _moment(text: str) -> dt.datetime:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = ("按时间顺序回放示例数据中 2019 年的合成水雨情读数（经与接口相同的接入服务），"
            "可按 2019 年原时间或用 --now 平移到以当前时间结束")

    def add_arguments(self, parser):
        parser.add_argument("storm", nargs="?", default="lekima", choices=sorted(STORMS),
                            help="回放哪一场（默认 lekima：台风利奇马，2019-08-10 至 08-13）")
        parser.add_argument("--from", dest="start", help="从此时间开始（ISO 8601，带时区），默认该场开始")
        parser.add_argument("--to", dest="end", help="到此时间为止（含），默认该场结束")
        parser.add_argument("--speed", type=float, default=60.0,
                            help="回放倍速：60 表示一分钟播放一小时（默认 60）")
        parser.add_argument("--now", action="store_true", help="平移时间，使所选时段以当前时间结束")
        parser.add_argument("--replace", action="store_true",
                            help="先删除这些测站自所选时段开始以后的读数（按 2019 年时间在示例库上重新播放时用；"
                                 "load_sample 可恢复）")
        parser.add_argument("--user", default=GAUGE_ACCOUNT[0], help="以此账户接入（默认演示账户 gauge）")

    def handle(self, *args, storm, start, end, speed, now, replace, user, **options):
        if speed <= 0:
            raise CommandError("--speed 必须大于 0")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"账户 {user} 不存在（请先 manage.py load_sample）")
        rows = storm_readings(STORMS[storm])
        if start:
            rows = [r for r in rows if r[1] >= _moment(start)]
        if end:
            rows = [r for r in rows if r[1] <= _moment(end)]
        if not rows:
            raise CommandError("所选时段没有读数")
        shift = timezone.now() - rows[-1][1] if now else dt.timedelta(0)
        rows = [(code, moment + shift, value) for code, moment, value in rows]
        try:
            if replace:
                removed = readings_remove(actor=actor, start=rows[0][1], station_codes=sorted({r[0] for r in rows}))
                self.stdout.write(f"已删除所选时段开始以后的原有读数 {removed} 条")
            self._play(actor, rows, speed)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ReadingsRefused as exc:
            raise CommandError(f"读数被拒绝：{exc}") from None

    def _play(self, actor, rows, speed: float) -> None:
        self.stdout.write(f"回放 {_stretch(rows)}：{len(rows)} 条，倍速 {speed:g}")
        started, first = time.monotonic(), rows[0][1]
        received = created = 0
        for moment, group in itertools.groupby(rows, key=lambda r: r[1]):
            # Each step leaves when its time has come at this speed, however long the last took.
            delay = (moment - first).total_seconds() / speed - (time.monotonic() - started)
            if delay > 0:
                time.sleep(delay)
            result = readings_record(actor=actor, rows=[
                {"station": code, "time": when.isoformat(), "value": value} for code, when, value in group])
            received += result.received
            created += result.created
            above = dict(stations_with_state().exclude(state="normal").values_list("code", "state"))
            danger = sum(1 for state in above.values() if state == "danger")
            self.stdout.write(f"{timezone.localtime(moment):%Y-%m-%d %H:%M} 送入 {result.received} 条，"
                              f"新增 {result.created} 条；超警戒 {len(above) - danger} 个，超保证 {danger} 个")
        self.stdout.write(self.style.SUCCESS(f"回放完毕：送入 {received} 条，新增 {created} 条"))


def _stretch(rows) -> str:
    return f"{timezone.localtime(rows[0][1]):%Y-%m-%d %H:%M} 至 {timezone.localtime(rows[-1][1]):%Y-%m-%d %H:%M}"
