"""Phones sync patrols and reports: a client_id stores a record once, and a patrol is judged
by its own time (issue 16 parts 5 and 6, issue 23 item 7)."""

import datetime as dt
import json
import uuid
import zoneinfo

import pytest
from django.utils import timezone

from gridmap.grids.models import Grid, GridAssignment
from gridmap.inspections.models import Report
from gridmap.patrols.models import Patrol
from gridmap.patrols.services import patrol_sync
from tests.concurrency import committed, sent_twice_at_once
from tests.factories import inside, make_user, officer_of, png_bytes, png_upload

pytestmark = pytest.mark.django_db
MINE, OTHER = "120118105-001", "120118105-002"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def post_patrol(client, code=MINE, **extra):
    lon, lat = inside(code)
    return client.post("/api/patrols/", {"lon": lon, "lat": lat, "notes": "正常", **extra}, format="multipart")


@pytest.fixture
def officer_client(api_client):
    api_client.force_authenticate(officer_of(MINE))
    return api_client


def test_a_retried_post_answers_the_first_record_and_creates_nothing(officer_client):
    client_id = str(uuid.uuid4())
    first = post_patrol(officer_client, client_id=client_id, photos=[png_upload()])
    assert first.status_code == 201, first.content
    count = Patrol.objects.count()
    again = post_patrol(officer_client, client_id=client_id, photos=[png_upload()])
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["client_id"] == client_id
    assert Patrol.objects.count() == count


def test_the_same_client_id_with_other_content_is_a_conflict(officer_client):
    client_id = str(uuid.uuid4())
    assert post_patrol(officer_client, client_id=client_id, photos=[png_upload()]).status_code == 201
    count = Patrol.objects.count()
    other_notes = post_patrol(officer_client, client_id=client_id, notes="发现隐患", photos=[png_upload()])
    assert other_notes.status_code == 409 and "内容不同" in other_notes.json()["detail"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    other_photo = SimpleUploadedFile("photo.png", png_bytes(colour=(1, 2, 3)), content_type="image/png")
    assert post_patrol(officer_client, client_id=client_id, photos=[other_photo]).status_code == 409
    assert Patrol.objects.count() == count


def test_a_client_id_only_matches_the_callers_own_records(api_client):
    client_id = str(uuid.uuid4())
    api_client.force_authenticate(officer_of(MINE))
    mine = post_patrol(api_client, client_id=client_id)
    api_client.force_authenticate(officer_of(OTHER))
    theirs = post_patrol(api_client, code=OTHER, client_id=client_id)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["cell"]["code"] == OTHER


def test_records_made_otherwise_need_no_client_id(officer_client):
    first, second = post_patrol(officer_client), post_patrol(officer_client)
    assert first.status_code == second.status_code == 201 and first.json()["id"] != second.json()["id"]
    assert first.json()["client_id"] is None


def test_two_posts_at_the_same_moment_store_one_record():
    """Thread A inserts and holds its transaction open; thread B, which found nothing yet,
    inserts the same client_id and waits on the unique index; A commits; B answers A's record."""
    officer, client_id = officer_of(MINE), uuid.uuid4()
    lon, lat = inside(MINE)
    try:
        a, b = sent_twice_at_once(lambda: patrol_sync(actor=officer, client_id=client_id, lon=lon, lat=lat,
                                                      notes="同时"))
        assert a.created and not isinstance(b, Exception) and not b.created
        assert a.record.pk == b.record.pk
        assert Patrol.objects.filter(officer=officer, client_id=client_id).count() == 1
    finally:
        # The threads committed for real: remove what they stored.
        committed(lambda: Patrol.objects.filter(client_id=client_id).delete())


def test_a_report_is_stored_once_per_client_id(officer_client):
    lon, lat = inside(MINE)
    client_id = str(uuid.uuid4())
    body = {"description": "河边有人倾倒废液", "lon": lon, "lat": lat, "source": "staff", "client_id": client_id}
    first = officer_client.post("/api/inspections/reports/", body, format="json")
    assert first.status_code == 201, first.content
    count = Report.objects.count()
    again = officer_client.post("/api/inspections/reports/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    changed = officer_client.post("/api/inspections/reports/", {**body, "description": "另一件事"}, format="json")
    assert changed.status_code == 409 and "举报" in changed.json()["detail"]
    assert Report.objects.count() == count


# --- time decides scope -------------------------------------------------------------------

def local(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).isoformat()


@pytest.fixture
def substitute(api_client):
    """A substitute whose duty on MINE ended yesterday (Asia/Shanghai)."""
    user = make_user("sub-field", "grid_officer")
    today = timezone.localdate()
    GridAssignment.objects.create(user=user, grid=Grid.objects.get(code=MINE), role="substitute",
                                  valid_from=today - dt.timedelta(days=3), valid_to=today - dt.timedelta(days=1),
                                  district_code="120118")
    api_client.force_authenticate(user)
    return api_client


def test_a_substitutes_patrol_from_the_last_day_of_duty_synced_next_morning_is_accepted(substitute):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # 23:30 in Tianjin is 15:30 UTC: the day is judged in Asia/Shanghai.
    response = post_patrol(substitute, patrolled_at=local(yesterday, 23, 30), client_id=str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    assert response.json()["cell"]["code"] == MINE


def test_a_patrol_from_outside_the_substitutes_duty_is_refused_naming_patrolled_at(substitute):
    today = timezone.localdate()
    count = Patrol.objects.count()
    # 00:30 the day after the duty's last day: still that last day in UTC, not in Tianjin. The
    # duty is made to end the day before yesterday, so that the time is past whenever the test
    # runs (today's 00:30 is ahead of the clock in Tianjin's first half-hour).
    GridAssignment.objects.filter(user__username="sub-field").update(valid_to=today - dt.timedelta(days=2))
    after = post_patrol(substitute, patrolled_at=local(today - dt.timedelta(days=1), 0, 30))
    before = post_patrol(substitute, patrolled_at=local(today - dt.timedelta(days=5), 10))
    for response in (after, before):
        assert response.status_code == 400 and "值守" in response.json()["patrolled_at"][0]
    assert Patrol.objects.count() == count


def test_a_duty_without_a_start_date_covers_every_earlier_day(officer_client):
    assert GridAssignment.objects.filter(user=officer_of(MINE), valid_from__isnull=True).exists()
    response = post_patrol(officer_client, patrolled_at=(timezone.now() - dt.timedelta(days=29)).isoformat())
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("when, message", [
    ("0001-01-01T12:00:00Z", "早于 30 天前"),
    (-dt.timedelta(days=31), "早于 30 天前"),
    (dt.timedelta(minutes=11), "晚于现在"),
])
def test_impossible_times_are_refused(officer_client, when, message):
    if isinstance(when, dt.timedelta):
        when = (timezone.now() + when).isoformat()
    response = post_patrol(officer_client, patrolled_at=when)
    assert response.status_code == 400 and message in response.json()["patrolled_at"][0]


def test_a_phone_clock_a_few_minutes_ahead_is_accepted(officer_client):
    response = post_patrol(officer_client, patrolled_at=(timezone.now() + dt.timedelta(minutes=5)).isoformat())
    assert response.status_code == 201


def test_a_track_must_touch_the_officers_cell(officer_client):
    lon, lat = inside(OTHER)
    elsewhere = json.dumps([[lon, lat], [lon + 0.0001, lat + 0.0001]])
    count = Patrol.objects.count()
    response = post_patrol(officer_client, track=elsewhere)
    assert response.status_code == 400 and MINE in response.json()["track"][0]
    assert Patrol.objects.count() == count
