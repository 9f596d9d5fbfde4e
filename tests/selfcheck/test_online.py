"""上线率 (issue 21, part 5): the layer and the table agree with a count made in SQL."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import SelfInspection
from gridmap.inspections.online import window

pytestmark = pytest.mark.django_db

SQL = """
WITH counted AS (
  SELECT e.id, e.cell_id, c.parent_id AS town_id,
         EXISTS (SELECT 1 FROM inspections_selfinspection s
                 WHERE s.enterprise_id = e.id AND s.checked_on BETWEEN %(start)s AND %(end)s) AS online,
         EXISTS (SELECT 1 FROM enterprises_riskpoint r WHERE r.enterprise_id = e.id) AS checkable,
         (SELECT count(DISTINCT s.checked_on) FROM inspections_selfinspection s
          WHERE s.enterprise_id = e.id AND s.checked_on BETWEEN %(start)s AND %(end)s) AS days
  FROM enterprises_enterprise e JOIN grids_grid c ON c.id = e.cell_id
  WHERE e.status <> 'closed')
SELECT g.code, count(x.id), count(x.id) FILTER (WHERE x.online), count(x.id) FILTER (WHERE x.checkable),
       coalesce(sum(x.days) FILTER (WHERE x.checkable), 0)
FROM grids_grid g LEFT JOIN counted x ON (CASE WHEN g.level = 2 THEN x.cell_id ELSE x.town_id END) = g.id
WHERE g.level = %(level)s GROUP BY g.code ORDER BY g.code
"""


def half_up(value: float) -> float:
    """PostgreSQL's ROUND(numeric, 1): halves away from zero (Python's round() goes to even)."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def sql_counts(level: int) -> dict[str, tuple[int, int, int, int]]:
    start, end = window()
    with connection.cursor() as cursor:
        cursor.execute(SQL, {"start": start, "end": end, "level": level})
        return {code: tuple(int(v) for v in rest) for code, *rest in cursor.fetchall()}


def checks(enterprise, *days_ago):
    today = timezone.localdate()
    for n in days_ago:
        day = today - dt.timedelta(days=n)
        SelfInspection.objects.create(
            enterprise=enterprise, cell_id=enterprise.cell_id, district_code=enterprise.district_code,
            checked_on=day, checked_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
            items=[{"code": "X", "result": "ok", "note": ""}])


@pytest.fixture
def some_checks():
    # Enterprises the sample has no self-inspection of (gridmap.demo.self_checks), so that the
    # fixture's checks alone decide whether they are online.
    enterprises = list(Enterprise.objects.filter(cell__isnull=False, self_inspections__isnull=True)
                       .exclude(status="closed")
                       .order_by("cell__code", "id")[:400:40])
    checks(enterprises[0], 0, 0, 3, 29)      # two on one day count once; day 29 is the window's first
    checks(enterprises[1], 30, 45)          # before the window: not online
    checks(enterprises[2], 1)
    checks(enterprises[3], 2, 5)
    enterprises[3].status = "closed"        # a closed enterprise is not counted
    enterprises[3].save(update_fields=["status"])
    checks(enterprises[4], 7)
    enterprises[4].risk_points.all().delete()  # online, but owes no daily check
    return enterprises


def test_the_layer_and_the_tables_agree_with_sql(some_checks, supervisor):
    client = Client()
    client.force_login(supervisor)
    expected2, expected1 = sql_counts(2), sql_counts(1)
    start, end = window()
    online = {e.pk for e in some_checks if e.status != "closed"
              and SelfInspection.objects.filter(enterprise=e, checked_on__range=(start, end)).exists()}
    assert online == {some_checks[0].pk, some_checks[2].pk, some_checks[4].pk}  # the fixture's three
    assert 0 < sum(v[1] for v in expected2.values()) < sum(v[0] for v in expected2.values())
    features = client.get("/api/layers/enterprises-online.geojson").json()["features"]
    assert len(features) == len(expected2)
    for feature in features:
        p = feature["properties"]
        total, online, checkable, days = expected2[p["code"]]
        assert (p["enterprise_count"], p["online_count"], p["checkable_count"], p["check_days"]) == \
            (total, online, checkable, days), p["code"]
        assert p["online_percent"] == (half_up(100 * online / total) if total else None)
        assert p["on_time_percent"] == (half_up(100 * days / (30 * checkable)) if checkable else None)
    page = client.get("/registers/online/")
    assert page.status_code == 200
    for level, expected in (("level1", expected1), ("level2", expected2)):
        rows = {g.code: (g.enterprise_count, g.online_count, g.checkable_count, g.check_days)
                for g in page.context[level]}
        assert rows == expected, level


def test_the_officers_cell_page_lists_its_enterprises_not_online(some_checks):
    from tests.factories import officer_of

    online = some_checks[0]
    officer = officer_of(online.cell.code)
    client = Client()
    client.force_login(officer)
    page = client.get("/my-cell/", {"cell": online.cell.code})
    assert page.status_code == 200
    not_online = page.context["not_online"]
    assert online not in not_online
    expected = set(Enterprise.objects.filter(cell=online.cell).exclude(status="closed").exclude(pk=online.pk)
                   .exclude(self_inspections__checked_on__range=window()).values_list("pk", flat=True))
    assert {e.pk for e in not_online} == expected
