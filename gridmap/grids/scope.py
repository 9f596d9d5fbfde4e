"""The one scope rule: which grids a user may see, on a given date.

Every selector, API view, layer, tile and export asks this module; nothing else decides.
Users with the capability to see the district (accounts.capabilities.SEE_DISTRICT: bureau
staff, flood command, administrators) see every grid. An enterprise user (企业用户) sees no
grid, only their own enterprise (enterprises.selectors.own_enterprise_ids). Everyone else sees the cells of their
active assignments: a level-II (or deeper) assignment gives that cell and what lies below
it, a level-I assignment (town supervisor, contact leader) gives all the cells below it.

Where the rule does not apply: the point lookup (`/api/grids/lookup/`, answered by
grids.cell_index) tells any signed-in user, for any point of the district, its cell, the
cell's level-I parent and the names of the officers and substitutes on duty today. That is
its purpose: whoever stands somewhere (an officer outside their own cell, anyone filing a
report, which is routed to the cell the point lies in) must learn whose cell it is. Only
for cells inside the caller's scope (and for SEE_DISTRICT users) does it add usernames and
phones, so the lookup cannot be used to collect other officers' contacts or usernames. It
answers one point at a time and shows no records of the cell (enterprises, hazards,
patrols, tasks, past duties); each process keeps both answers of every cell ready in
memory, which is what makes the hottest request cheap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from gridmap.accounts.capabilities import SEE_DISTRICT, is_enterprise_account
from gridmap.core import dbrouting, versions

from .models import CELL_DUTIES, Grid, GridAssignment

# "On duty on a day", defined once and spelled both as a Q object (for the ORM) and as a SQL
# fragment (for the raw SQL of the lookup, the layers and flood's impact analysis):
# - a duty is active on a day from its first day to its last, both included; a blank first or
#   last day leaves that end open;
# - the duties that put a person on duty in a cell are the officer's and the substitute's
#   (a level-I supervisor or contact leader is responsible for a town, not on duty in a cell).
ACTIVE_DATES = (("valid_from", "lte", "<="), ("valid_to", "gte", ">="))


def active_on(day: dt.date) -> Q:
    """Assignments (of any duty) active on a day."""
    rule = Q()
    for field, lookup, _ in ACTIVE_DATES:
        rule &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__{lookup}": day})
    return rule


def on_duty_on(day: dt.date) -> Q:
    """Officers' and substitutes' assignments active on a day."""
    return active_on(day) & Q(role__in=CELL_DUTIES)


def active_on_sql(alias: str, day: str) -> str:
    """SQL condition: the grids_gridassignment row `alias` is active on the day given by the
    placeholder `day` (e.g. "%s" or "%(day)s"; a positional one is used twice)."""
    return " AND ".join(f"({alias}.{field} IS NULL OR {alias}.{field} {operator} {day})"
                        for field, _, operator in ACTIVE_DATES)


def on_duty_on_sql(alias: str, day: str) -> str:
    """SQL condition: `alias` is an officer's or substitute's duty active on `day`."""
    roles = ", ".join(f"'{role}'" for role in CELL_DUTIES)
    return f"{alias}.role IN ({roles}) AND {active_on_sql(alias, day)}"


def cells_on_duty(user, day: dt.date | None) -> QuerySet[Grid]:
    """The cells a user answers for on a day (substitute duties included, for their dates),
    or with `day=None` on any day of any of their duties: a record is judged by its own day."""
    if day is not None:
        return scope_for(user, day).cells()
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_enterprise_account(user):
        return Grid.objects.none()
    if SEE_DISTRICT.allows(user):
        return Grid.objects.filter(level__gte=Grid.Level.LEVEL_2)
    codes = GridAssignment.objects.filter(user_id=user.pk).values_list("grid__code", flat=True)
    return Scope(False, frozenset(codes)).cells()


def check_on_duty(user, cell: Grid, day: dt.date, *, field: str, what: str) -> None:
    """A record is judged by its own day (not the day it arrives): the user answered for the
    cell on that day. On duty there on other days only: a ValidationError naming the record's
    time field; never on duty there: PermissionDenied."""
    if cells_on_duty(user, day).filter(pk=cell.pk).exists():
        return
    if cells_on_duty(user, None).filter(pk=cell.pk).exists():
        raise ValidationError({field: f"{day:%Y-%m-%d} 您不在 {cell.name}（{cell.code}）值守，"
                                      f"不能记录该日的{what}"})
    raise PermissionDenied(f"{cell.name}（{cell.code}）不在您负责的网格内")


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


def scope_for(user, on: dt.date | None = None) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(False, frozenset())
    if SEE_DISTRICT.allows(user):
        return Scope(True, frozenset())
    if is_enterprise_account(user):
        # An enterprise's account holds no grid, whatever else it was given: it sees only its
        # own enterprise, which enterprises.selectors adds (the link lives in enterprises,
        # above this floor).
        return Scope(False, frozenset())
    return Scope(False, assigned_codes(user.pk, on or timezone.localdate()))


# (user id, day) -> (assignments' data version, grid codes). Every scoped request asks for
# the scope (a map asks once per tile), and the query cost more than a kept tile. Kept per
# process as the lookup's cells and the kept tiles are: at most GRIDMAP_DATA_RECHECK_SECONDS
# behind a change of assignments (gridmap.core.versions).
_assigned: dict[tuple[int, dt.date], tuple[tuple, frozenset[str]]] = {}
ASSIGNED_CACHE_SIZE = 10_000


def assigned_codes(user_id: int, day: dt.date) -> frozenset[str]:
    """The codes of the grids a user is assigned to on a day."""
    version = versions.of(("grids_gridassignment",), versions.current(pin=False))
    remembered = _assigned.get((user_id, day))
    if remembered is not None and remembered[0] == version:
        return remembered[1]
    with dbrouting.primary():  # kept under the primary's version: read there
        codes = frozenset(GridAssignment.objects.filter(active_on(day), user_id=user_id)
                          .order_by().values_list("grid__code", flat=True))
    if versions.in_transaction():
        return codes
    if len(_assigned) >= ASSIGNED_CACHE_SIZE:
        _assigned.clear()
    _assigned[(user_id, day)] = (version, codes)
    return codes
