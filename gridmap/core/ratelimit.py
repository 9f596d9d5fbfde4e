"""Per-user limits on actions that cost the platform or others (reports filed, exports
requested, tokens issued): at most N in any hour, refused with 429 and Retry-After.

The counts are rows in PostgreSQL (core.RateLimitHit), not Django's cache: the cache here is
each process's own memory, and the server runs several processes on several nodes, which
must share one count. A transaction-scoped advisory lock per (user, action) makes concurrent
requests of the same user count one after the other, so the limit is never overshot.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .locks import serialize
from .models import RateLimitHit

WINDOW = dt.timedelta(hours=1)


@dataclass
class RateLimited(Exception):
    """Refused: `message` in Chinese, `retry_after` seconds until the oldest counted action
    leaves the hour."""

    message: str
    retry_after: int

    def __str__(self) -> str:
        return self.message


def rate_limit_take(*, user, action: str, per_hour: int, what: str) -> None:
    """Count one `action` of `user`, or raise RateLimited when `per_hour` were counted in the
    last hour. Runs in the caller's transaction: a request that fails later takes its count
    back with it."""
    with transaction.atomic():
        serialize(f"ratelimit:{action}:{user.pk}")
        now = timezone.now()
        hits = RateLimitHit.objects.filter(user=user, action=action)
        hits.filter(at__lte=now - WINDOW).delete()
        recent = list(hits.order_by("at").values_list("at", flat=True)[:per_hour])
        if len(recent) >= per_hour:
            wait = recent[0] + WINDOW - now
            seconds = max(1, math.ceil(wait.total_seconds()))
            minutes = max(1, math.ceil(seconds / 60))
            raise RateLimited(f"{what}过于频繁：每小时最多 {per_hour} 次，请 {minutes} 分钟后再试。", seconds)
        RateLimitHit.objects.create(user=user, action=action, at=now)
