"""The one scope rule, as the grid endpoints apply it."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.scope import scope_for

pytestmark = pytest.mark.django_db


def officer_of(code: str):
    return GridAssignment.objects.filter(grid__code=code, role="cell_officer").first().user


def test_officer_sees_only_their_cell(api_client):
    officer = officer_of("120118108-003")
    api_client.force_authenticate(officer)
    features = json.loads(api_client.get("/api/grids/", {"level": 2}).content)["features"]
    assert [f["properties"]["code"] for f in features] == ["120118108-003"]
    assert json.loads(api_client.get("/api/grids/", {"level": 1}).content)["features"] == []
    assert api_client.get("/api/grids/120118108-004/").status_code == 404
    assert api_client.get("/api/grids/120118108-003/").status_code == 200
    for name in ("grids-level2", "grids-level1", "district"):
        body = json.loads(api_client.get(f"/api/layers/{name}.geojson").content)
        assert {f["properties"]["code"] for f in body["features"]} <= {"120118108-003"}


def test_town_supervisor_sees_the_cells_of_the_town(api_client):
    head = GridAssignment.objects.get(grid__code="120118108", role="town_supervisor").user
    api_client.force_authenticate(head)
    features = json.loads(api_client.get("/api/grids/", {"level": 2}).content)["features"]
    codes = {f["properties"]["code"] for f in features}
    assert codes == set(Grid.objects.filter(parent__code="120118108").values_list("code", flat=True))


def test_substitute_access_follows_the_date_range():
    user = get_user_model().objects.create(username="sub1", full_name="代岗员")
    cell = Grid.objects.get(code="120118100-001")
    GridAssignment.objects.create(user=user, grid=cell, role="substitute", district_code="120118",
                                  valid_from=dt.date(2026, 7, 1), valid_to=dt.date(2026, 7, 31))
    assert not scope_for(user, dt.date(2026, 6, 30)).cells().exists()
    assert list(scope_for(user, dt.date(2026, 7, 1)).cells()) == [cell]
    assert list(scope_for(user, dt.date(2026, 7, 31)).cells()) == [cell]
    assert not scope_for(user, dt.date(2026, 8, 1)).cells().exists()


def test_user_without_assignment_sees_nothing(api_client):
    user = get_user_model().objects.create(username="nobody")
    user.groups.add(Group.objects.get(name="grid_officer"))
    api_client.force_authenticate(user)
    for level in (0, 1, 2):
        assert json.loads(api_client.get("/api/grids/", {"level": level}).content)["features"] == []


def test_district_wide_roles_see_everything():
    for username in ("supervisor", "flood", "admin"):
        user = get_user_model().objects.get(username=username)
        assert scope_for(user).cells().count() == 432


def test_a_remembered_scope_is_read_again_once_assignments_change(settings, django_assert_num_queries):
    """The assignments of a scope are kept per process until the assignments table's data
    version changes (read every GRIDMAP_DATA_RECHECK_SECONDS)."""
    from gridmap.core import versions

    settings.GRIDMAP_DATA_RECHECK_SECONDS = 3600
    officer = officer_of("120118108-003")
    versions.forget()
    assert scope_for(officer).root_codes == {"120118108-003"}
    with django_assert_num_queries(0):
        assert scope_for(officer).root_codes == {"120118108-003"}
    GridAssignment.objects.filter(user=officer).update(valid_to=dt.date(2000, 1, 1))
    # Another process (or this one, within the recheck time) may still answer from memory...
    assert scope_for(officer).root_codes == {"120118108-003"}
    # ...until it reads the versions again.
    versions.forget()
    assert scope_for(officer).root_codes == frozenset()
    cell = Grid.objects.get(code="120118108-004")
    GridAssignment.objects.create(user=officer, grid=cell, role="cell_officer", district_code="120118")
    versions.forget()
    assert scope_for(officer).root_codes == {"120118108-004"}


def test_a_scope_read_inside_a_rolled_back_transaction_is_not_kept(settings):
    from django.db import transaction

    from gridmap.core import versions

    settings.GRIDMAP_DATA_RECHECK_SECONDS = 3600
    officer = officer_of("120118108-003")
    versions.forget()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        GridAssignment.objects.create(user=officer, grid=Grid.objects.get(code="120118108-004"),
                                      role="cell_officer", district_code="120118")
        assert scope_for(officer).root_codes == {"120118108-003", "120118108-004"}
        raise Undo
    assert scope_for(officer).root_codes == {"120118108-003"}


def test_on_duty_q_and_sql_fragment_agree_on_every_boundary():
    """The ORM and the raw SQL (lookup, layers, flood impact) spell "on duty on a day" from one
    definition; they must pick the same assignments, ends included."""
    from django.db import connection

    from gridmap.grids.scope import active_on, active_on_sql, on_duty_on, on_duty_on_sql

    grid = Grid.objects.filter(level=2).order_by("code").first()
    person = get_user_model().objects.create(username="boundary-duty")
    day = dt.date(2030, 6, 15)
    one = dt.timedelta(days=1)
    ranges = [(None, None), (day, None), (day + one, None), (None, day), (None, day - one),
              (day, day), (day - one, day + one), (day + one, day + 2 * one)]
    for role in ("cell_officer", "contact_leader"):
        for start, end in ranges:
            GridAssignment.objects.create(user=person, grid=grid, role=role, valid_from=start, valid_to=end,
                                          district_code=grid.district_code)
    mine = GridAssignment.objects.filter(user=person)
    for probe in (day - one, day, day + one):
        for q, sql in ((active_on, active_on_sql), (on_duty_on, on_duty_on_sql)):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT a.id FROM grids_gridassignment a WHERE a.user_id = %(user)s "
                               f"AND {sql('a', '%(day)s')}", {"user": person.pk, "day": probe})
                from_sql = {row[0] for row in cursor.fetchall()}
            assert from_sql == set(mine.filter(q(probe)).values_list("pk", flat=True)), (probe, q)
    on_the_day = mine.filter(on_duty_on(day))
    assert on_the_day.count() == 5 and set(on_the_day.values_list("role", flat=True)) == {"cell_officer"}
