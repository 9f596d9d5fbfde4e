"""The one scope rule: which grids a user may see, on a given date.

Every selector, API view, layer, tile and export asks this module; nothing else decides.
District-wide roles (supervisor, flood command, administrator) see every grid. Everyone
else sees the cells of their active assignments: a level-II (or deeper) assignment gives
that cell and what lies below it, a level-I assignment (grid head, supervisor of a
town) gives all the cells below it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from gridmap.accounts.models import Role
from gridmap.core import versions

from .models import Grid, GridAssignment

DISTRICT_WIDE_ROLES = {Role.SUPERVISOR, Role.FLOOD_COMMAND, Role.ADMINISTRATOR}


def active_on(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def cells_on_duty(user, day: dt.date | None) -> QuerySet[Grid]:
    """The cells a user answers for on a day (substitute duties included, for their dates),
    or with `day=None` on any day of any of their duties: a record is judged by its own day."""
    if day is not None:
        return scope_for(user, day).cells()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Grid.objects.none()
    if is_district_wide(user):
        return Grid.objects.filter(level__gte=Grid.Level.LEVEL_2)
    codes = GridAssignment.objects.filter(user_id=user.pk).values_list("grid__code", flat=True)
    return Scope(False, frozenset(codes)).cells()


@dataclass(frozen=True)
class Scope:
    """What one user sees: everything, or the grids under a set of grid codes."""

    everything: bool
    root_codes: frozenset[str]

    def grids(self) -> QuerySet[Grid]:
        """All grids (any level) the user may see records of."""
        if self.everything:
            return Grid.objects.all()
        if not self.root_codes:
            return Grid.objects.none()
        roots = self.root_codes
        # The tree is at most three levels below the district, so two joins reach every
        # descendant without a recursive query.
        return Grid.objects.filter(
            Q(code__in=roots) | Q(parent__code__in=roots) | Q(parent__parent__code__in=roots)
        )

    def cells(self) -> QuerySet[Grid]:
        """The level-II (and deeper) grids the user may see."""
        return self.grids().filter(level__gte=Grid.Level.LEVEL_2)

    def allows_grid(self, grid: Grid) -> bool:
        if self.everything:
            return True
        node, codes = grid, self.root_codes
        while node is not None:
            if node.code in codes:
                return True
            node = node.parent
        return False


def is_district_wide(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or not user.role_names().isdisjoint(DISTRICT_WIDE_ROLES)


def scope_for(user, on: dt.date | None = None) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(False, frozenset())
    if is_district_wide(user):
        return Scope(True, frozenset())
    return Scope(False, assigned_codes(user.pk, on or timezone.localdate()))


# (user id, day) -> (assignments' data version, grid codes). Every scoped request asks for
# the scope (a map asks once per tile), and the query cost more than a kept tile. Kept per
# process as the lookup's cells and the kept tiles are: at most GRIDMAP_DATA_RECHECK_SECONDS
# behind a change of assignments (gridmap.core.versions).
_assigned: dict[tuple[int, dt.date], tuple[tuple, frozenset[str]]] = {}
ASSIGNED_CACHE_SIZE = 10_000


def assigned_codes(user_id: int, day: dt.date) -> frozenset[str]:
    """The codes of the grids a user is assigned to on a day."""
    version = versions.of(("grids_gridassignment",), versions.current())
    remembered = _assigned.get((user_id, day))
    if remembered is not None and remembered[0] == version:
        return remembered[1]
    codes = frozenset(GridAssignment.objects.filter(active_on(day), user_id=user_id)
                      .order_by().values_list("grid__code", flat=True))
    if versions.in_transaction():
        return codes
    if len(_assigned) >= ASSIGNED_CACHE_SIZE:
        _assigned.clear()
    _assigned[(user_id, day)] = (version, codes)
    return codes


def visible_cells(user, on: dt.date | None = None) -> QuerySet[Grid]:
    return scope_for(user, on).cells()


def visible_grids(user, on: dt.date | None = None) -> QuerySet[Grid]:
    return scope_for(user, on).grids()
