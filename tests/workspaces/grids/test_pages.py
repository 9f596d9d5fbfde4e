"""The role pages: landing, my cell, assigning on the map, roster upload, coverage audit."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from gridmap.core.history import history_of
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import scope_for
from tests.conftest import table_checksum
from tests.factories import make_user, officer_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def supervisor_web():
    return signed_in(get_user_model().objects.get(username="supervisor"))


def test_officers_land_on_their_cell_and_others_on_the_map(supervisor_web):
    assert signed_in(officer_of("120118108-001")).get("/")["Location"] == "/my-cell/"
    assert supervisor_web.get("/")["Location"] == "/overview/"
    head = get_user_model().objects.get(username="head01")
    assert signed_in(head).get("/")["Location"].startswith("/towns/")


def test_my_cell_page_has_the_map_the_people_and_marked_empty_sections():
    officer = officer_of("120118108-001")
    page = signed_in(officer).get("/my-cell/").content.decode()
    assert "120118108-001" in page and officer.full_name in page
    assert "/api/layers/grids-level2.geojson?code=120118108-001" in page and "/api/layers/my-town.geojson" in page
    for section in ("本网格企业", "我的检查任务", "未整改隐患"):
        assert section in page
    # Enterprises, tasks and open hazards all come from their modules now.
    assert page.count("模块上线后显示") == 0
    assert "本网格企业" in page
    assert 'id="my-tasks"' in page and 'id="open-hazards"' in page
    # The officer's own tasks on the map (folium writes & as \u0026 in its JSON).
    assert f"/api/layers/tasks.geojson?cell=120118108-001\\u0026assignee={officer.username}" in page
    assert "我在哪里" in page and 'name="lon"' in page


def test_assigning_several_cells_at_once_from_the_map_form(supervisor_web):
    person = make_user("multi-cell", full_name="多网格")
    response = supervisor_web.post("/assign/new/", {
        "cells": "120118109-001,120118109-002", "username": "multi-cell", "role": "substitute",
        "valid_from": TODAY.isoformat(), "valid_to": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 302 and "cells=120118109-001,120118109-002" in response["Location"]
    assert sorted(scope_for(person).cells().values_list("code", flat=True)) == ["120118109-001", "120118109-002"]


def test_a_refused_assignment_changes_nothing(supervisor_web):
    before = table_checksum("grids_gridassignment")
    response = supervisor_web.post("/assign/new/", {"cells": "120118109-003,120118109", "username": "officer0001",
                                                    "role": "cell_officer"}, follow=True)
    assert "二级" in response.content.decode()
    assert table_checksum("grids_gridassignment") == before


def test_move_from_the_map_form_is_seen_at_once_and_in_the_history(supervisor_web):
    assignment = GridAssignment.objects.filter(grid__code="120118110-001", role="cell_officer").first()
    officer = assignment.user
    officer_web = signed_in(officer)
    assert "120118110-001" in officer_web.get("/my-cell/").content.decode()
    response = supervisor_web.post(f"/assign/{assignment.pk}/move/", {"to_cell": "120118110-002", "note": "调整"})
    assert response.status_code == 302
    page = officer_web.get("/my-cell/").content.decode()
    assert "120118110-002" in page and "120118110-001" not in page
    history = supervisor_web.get("/cells/120118110-001/").content.decode()
    assert "调动" in history and "区应急管理局监管人员" in history
    assert [e.action for e in history_of(assignment)] == ["", "调动"]


def test_roster_upload_validates_and_changes_nothing_on_error(supervisor_web):
    tables = ("accounts_user", "grids_gridassignment")
    before = table_checksum(*tables)
    bad = SimpleUploadedFile("roster.csv", "username,name,phone,grid_code,role\nnew01,张三,abc,120118999-001,boss\n"
                             .encode())
    page = supervisor_web.post("/assign/roster/", {"roster": bad}, follow=True).content.decode()
    assert "名册未导入" in page and "roster.csv 第 2 行" in page and "grid_code" in page
    assert table_checksum(*tables) == before
    good = "username,name,phone,grid_code,role\nnew02,李四,13800000000,120118111-001,officer\n".encode()
    page = supervisor_web.post("/assign/roster/", {"roster": SimpleUploadedFile("r.csv", good), "dry_run": "on"},
                               follow=True).content.decode()
    assert "将新建账户 1" in page and table_checksum(*tables) == before
    page = supervisor_web.post("/assign/roster/", {"roster": SimpleUploadedFile("r.csv", good)},
                               follow=True).content.decode()
    assert "已新建账户 1" in page
    assert GridAssignment.objects.filter(user__username="new02", grid__code="120118111-001").exists()
    refused = supervisor_web.post("/assign/roster/", {"roster": SimpleUploadedFile("r.exe", b"MZ")}, follow=True)
    assert "只接受" in refused.content.decode()


def test_coverage_audit_finds_uncovered_away_and_idle(supervisor_web):
    supervisor = get_user_model().objects.get(username="supervisor")
    from gridmap.grids.services import assignment_create, assignment_end

    code = "120118112-001"
    duties = list(GridAssignment.objects.filter(grid__code=code, role="cell_officer"))
    for duty in duties:
        assignment_end(actor=supervisor, assignment=duty, last_day=TODAY - dt.timedelta(days=1))
    idle = make_user("idle-officer", "grid_officer", full_name="待分配")
    page = supervisor_web.get("/coverage/").content.decode()
    uncovered = page.split('id="uncovered"')[1].split('id="away"')[0]
    away = page.split('id="away"')[1].split('id="idle"')[0]
    assert code in uncovered and code in away and f"/assign/?cells={code}" in page
    assert "idle-officer" in page.split('id="idle"')[1] and "/assign/?user=idle-officer" in page
    # A substitute covers the cell: no longer uncovered, still "away".
    assignment_create(actor=supervisor, user=idle, grid=duties[0].grid, role="substitute", valid_from=TODAY,
                      valid_to=TODAY + dt.timedelta(days=5))
    page = supervisor_web.get("/coverage/").content.decode()
    assert code not in page.split('id="uncovered"')[1].split('id="away"')[0]
    assert "待分配" in page.split('id="away"')[1].split('id="idle"')[0]
