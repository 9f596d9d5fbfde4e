"""Assignment by area: a drawn polygon → every enterprise inside, one transaction, no
duplicates on repeat, and none when two supervisors assign at once."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape

from gridmap.enterprises.models import Enterprise
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import on_duty_on
from gridmap.inspections.models import InspectionTask
from gridmap.inspections.services import period_of, tasks_assign
from tests.factories import officer_of
from tests.security.test_concurrency import run_together

pytestmark = pytest.mark.django_db

# A quadrilateral across several cells of 大邱庄镇 and its neighbours (WGS84).
POLYGON = {"type": "Polygon", "coordinates": [[[116.96, 38.80], [117.06, 38.79], [117.07, 38.86],
                                               [116.97, 38.87], [116.96, 38.80]]]}


def _due(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_polygon_assignment_matches_point_in_polygon_and_does_not_duplicate(supervisor_client):
    due = _due(400)
    body = {"polygon": POLYGON, "due_date": due}
    preview = supervisor_client.post("/api/inspections/area/enterprises/", {"polygon": POLYGON}, format="json")
    assert preview.status_code == 200
    first = supervisor_client.post("/api/inspections/area/assign/", body, format="json")
    assert first.status_code == 201, first.content
    polygon = shape(POLYGON)
    expected = {pk for pk, lon, lat in ((e.pk, e.location.x, e.location.y)
                                        for e in Enterprise.objects.filter(cell__isnull=False))
                if polygon.covers(ShapelyPoint(lon, lat))}
    assert len(expected) > 100  # hundreds in one action
    period = period_of(dt.date.fromisoformat(due))
    tasks = InspectionTask.objects.filter(period=period, status="assigned")
    assert set(tasks.values_list("enterprise_id", flat=True)) == expected
    assert {e["id"] for e in preview.json()["enterprises"]} == expected
    assert first.json()["created"] == len(expected)
    # Each task went to an officer on duty in its cell.
    on_duty = set(GridAssignment.objects.filter(on_duty_on(timezone.localdate()), role="cell_officer")
                  .values_list("grid_id", "user_id"))
    assert set(tasks.values_list("cell_id", "assignee_id")) <= on_duty
    again = supervisor_client.post("/api/inspections/area/assign/", body, format="json")
    assert again.status_code == 201 and again.json()["created"] == 0
    assert again.json()["already_open"] == len(expected)
    assert tasks.count() == len(expected)


def test_filters_narrow_the_area(supervisor_client):
    all_rows = supervisor_client.post("/api/inspections/area/enterprises/", {"polygon": POLYGON}, format="json").json()
    key = supervisor_client.post("/api/inspections/area/enterprises/",
                                 {"polygon": POLYGON, "supervision_class": "key", "risk_level": "major"},
                                 format="json").json()
    assert 0 < key["count"] < all_rows["count"]
    assert all(e["supervision_class"] == "key" and e["risk_level"] == "major" for e in key["enterprises"])


def test_officers_cannot_assign(api_client):
    api_client.force_authenticate(officer_of("120118108-005"))
    body = {"polygon": POLYGON, "due_date": _due(5)}
    response = api_client.post("/api/inspections/area/assign/", body, format="json")
    assert response.status_code == 403


def test_two_supervisors_at_once_create_each_task_once():
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.get(username="supervisor")
    ids = list(Enterprise.objects.filter(cell__code__startswith="120118110").order_by("pk")
               .values_list("pk", flat=True)[:300])
    due = timezone.localdate() + dt.timedelta(days=800)
    period = period_of(due)
    try:
        results = []
        errors = run_together(*[lambda: results.append(tasks_assign(actor=supervisor, enterprise_ids=ids, due_date=due))
                                for _ in range(2)])
        assert errors == []
        created = sorted(len(r.created) for r in results)
        assert created == [0, len(ids)]  # the second waited for the first, then found its tasks
        with connection.cursor() as cursor:  # committed by the threads' own connections
            cursor.execute("SELECT count(*), count(DISTINCT enterprise_id) FROM inspections_inspectiontask "
                           "WHERE period = %s AND status = 'assigned'", [period])
            assert cursor.fetchone() == (len(ids), len(ids))
    finally:
        def cleanup():
            InspectionTask.objects.filter(period=period).delete()

        run_together(cleanup)


def test_polygon_input_is_checked(supervisor_client):
    bowtie = {"type": "Polygon", "coordinates": [[[117, 38.8], [117.1, 38.9], [117.1, 38.8], [117, 38.9], [117, 38.8]]]}
    point = {"type": "Point", "coordinates": [1, 2]}
    for bad in ({"polygon": bowtie}, {"polygon": "not json"}, {"polygon": point}, {}):
        assert supervisor_client.post("/api/inspections/area/enterprises/", bad, format="json").status_code == 400
