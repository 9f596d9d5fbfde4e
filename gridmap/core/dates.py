"""Bounds on the dates a record may carry: not before the platform's data starts
(GRIDMAP_DATA_START) and not ahead of now by more than a clock's drift (a phone's or a
server's clock may run a few minutes fast; a legal review dated 2030 is a typing error)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

CLOCK_DRIFT = dt.timedelta(minutes=10)


def data_start() -> dt.date:
    return dt.date.fromisoformat(settings.GRIDMAP_DATA_START)


def check_record_date(day: dt.date, *, field: str, label: str) -> None:
    """Refuse (naming the field) a day before the platform's data or after today's date as it
    will be in CLOCK_DRIFT."""
    latest = timezone.localdate(timezone.now() + CLOCK_DRIFT)
    if day > latest:
        raise ValidationError({field: f"{label}（{day:%Y-%m-%d}）不能晚于今天"})
    if day < data_start():
        raise ValidationError({field: f"{label}（{day:%Y-%m-%d}）不能早于平台数据起始日 {data_start():%Y-%m-%d}"})


def check_record_moment(moment: dt.datetime, *, field: str, label: str) -> None:
    """The same bounds for a date and time: at most CLOCK_DRIFT ahead of now."""
    if moment > timezone.now() + CLOCK_DRIFT:
        raise ValidationError({field: f"{label}不能晚于当前时间"})
    if timezone.localdate(moment) < data_start():
        raise ValidationError({field: f"{label}不能早于平台数据起始日 {data_start():%Y-%m-%d}"})


# A phone may sync a record made offline up to this long after it was made.
BACKDATE_LIMIT = dt.timedelta(days=30)


def synced_record_day(moment: dt.datetime | dt.date, *, field: str, label: str,
                      now: dt.datetime | None = None) -> dt.date:
    """The day (Asia/Shanghai) of a record a phone made, once its time is possible: at most
    CLOCK_DRIFT ahead of now and at most BACKDATE_LIMIT back. A date alone is judged as a day."""
    now = now or timezone.now()
    if isinstance(moment, dt.datetime):
        if moment > now + CLOCK_DRIFT:
            raise ValidationError({field: f"{label} {timezone.localtime(moment):%Y-%m-%d %H:%M} "
                                          f"晚于现在（手机时钟误差最多 {CLOCK_DRIFT.seconds // 60} 分钟）"})
        if moment < now - BACKDATE_LIMIT:
            raise ValidationError({field: f"{label} {timezone.localtime(moment):%Y-%m-%d} "
                                          f"早于 {BACKDATE_LIMIT.days} 天前，不能补录"})
        return timezone.localdate(moment)
    if moment > timezone.localdate(now + CLOCK_DRIFT):
        raise ValidationError({field: f"{label} {moment:%Y-%m-%d} 晚于今天"})
    if moment < timezone.localdate(now - BACKDATE_LIMIT):
        raise ValidationError({field: f"{label} {moment:%Y-%m-%d} 早于 {BACKDATE_LIMIT.days} 天前，不能补录"})
    return moment
