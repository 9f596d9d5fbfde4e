"""Reading patrols, always through the one scope rule (gridmap.grids.scope)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import CharField, F, Func, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from gridmap.grids.scope import scope_for

from .models import Patrol, PatrolPhoto


def patrols_for_user(user, *, on: dt.date | None = None) -> QuerySet[Patrol]:
    """Patrols of the cells the user sees today: an officer sees their own cells' patrols."""
    return (Patrol.objects.filter(cell__in=scope_for(user, on).cells())
            .select_related("officer", "cell", "cell__parent", "enterprise"))


def patrol_in_scope(user, pk: int) -> Patrol | None:
    return patrols_for_user(user).filter(pk=pk).prefetch_related("photos").first()


def photo_in_scope(user, pk: int) -> PatrolPhoto | None:
    return PatrolPhoto.objects.filter(pk=pk, patrol__in=patrols_for_user(user)).first()


def patrols_for_map(user) -> QuerySet[Patrol]:
    """Patrols in scope with the labels a map popup shows."""
    return patrols_for_user(user).annotate(
        cell_code=F("cell__code"),
        officer_name=Coalesce(NullIf(F("officer__full_name"), Value("")), F("officer__username")),
        # Local time of the district, not the connection's UTC.
        when=Func(Func(Value(settings.TIME_ZONE), F("patrolled_at"), function="timezone"),
                  Value("YYYY-MM-DD HH24:MI"), function="to_char", output_field=CharField()),
    )
