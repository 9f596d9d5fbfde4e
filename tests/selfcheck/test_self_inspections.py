"""Enterprises inspect themselves (issue 21): the register as JSON in scope, self-inspections
item by item into the same hazard loop, and the enterprise's rectification with proof."""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from gridmap.demo.conf import app_settings as demo_settings
from gridmap.inspections import services
from gridmap.inspections.models import Hazard, SelfInspection
from gridmap.inspections.self_checks import check_items, due_on, period_of
from tests.concurrency import committed, sent_twice_at_once
from tests.factories import jpeg_upload, png_upload

from .conftest import api_as

pytestmark = pytest.mark.django_db


def general_code(enterprise) -> str:
    return next(i.code for i in check_items(enterprise) if not i.major_criterion)


def major_code(enterprise) -> str:
    return next(i.code for i in check_items(enterprise) if i.major_criterion)


def test_the_sample_account_signs_in_with_the_demo_password(enterprise):
    client = Client()
    signed_in = client.post("/accounts/login/", {"username": enterprise.credit_code,
                                                  "password": demo_settings.DEMO_PASSWORD})
    assert signed_in.status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/enterprise/"
    page = client.get("/enterprise/")
    assert page.status_code == 200 and enterprise.name in page.content.decode()


def test_an_enterprise_reads_its_own_register_and_no_other(enterprise_api, enterprise, other_enterprise):
    listed = enterprise_api.get("/api/enterprises/").json()
    assert [e["id"] for e in listed["results"]] == [enterprise.pk] and listed["next"] is None
    own = enterprise_api.get(f"/api/enterprises/{enterprise.pk}/")
    assert own.status_code == 200
    body = own.json()
    assert body["credit_code"] == enterprise.credit_code and body["risk_points"]
    assert body["check_items"] and set(body["check_items"][0]) >= {"code", "title", "frequency", "due"}
    assert enterprise_api.get(f"/api/enterprises/{other_enterprise.pk}/").status_code == 404


def test_check_items_follow_tiers_and_the_criteria_in_force(enterprise):
    items = check_items(enterprise)
    points = list(enterprise.risk_points.all())
    tiers = {"post": "day", "team": "day", "workshop": "week", "company": "month"}
    for point in points:
        for tier in point.control_tiers:
            item = next(i for i in items if i.code == f"RP{point.number}-{tier}")
            assert item.frequency == tiers[tier] and not item.major_criterion
    assert any(i.major_criterion and i.frequency == "month" for i in items)
    # Before Order No. 10 (15 May 2023) the 2017 standard's items apply.
    old = [i.code for i in check_items(enterprise, dt.date(2022, 6, 1)) if i.major_criterion]
    new = [i.code for i in check_items(enterprise, dt.date(2024, 6, 1)) if i.major_criterion]
    assert old and new and not set(old) & set(new)


def test_due_dates_by_period():
    wednesday = dt.date(2026, 12, 9)
    assert period_of("week", wednesday) == (dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    assert period_of("month", wednesday) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    item = check_items.__globals__["CheckItem"]("X", "x", "week", False)
    assert due_on(item, None, wednesday) == dt.date(2026, 12, 13)
    assert due_on(item, dt.date(2026, 12, 8), wednesday) == dt.date(2026, 12, 20)


def test_a_hazard_item_is_one_hazard_seen_by_its_cell_officer_only(enterprise_api, enterprise, cell_officer,
                                                                    other_officer):
    code, client_id = general_code(enterprise), str(uuid.uuid4())
    body = {"client_id": client_id, "items": [{"code": code, "result": "hazard", "note": "消防通道堵塞"}]}
    first = enterprise_api.post("/api/self-inspections/", body, format="json")
    assert first.status_code == 201, first.content
    again = enterprise_api.post("/api/self-inspections/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    hazards = Hazard.objects.filter(self_inspection_id=first.json()["id"])
    assert hazards.count() == 1
    hazard = hazards.get()
    assert (hazard.source, hazard.level, hazard.status, hazard.cell_id) == (
        "self_inspection", "general", "found", enterprise.cell_id)
    seen = api_as(cell_officer).get("/api/inspections/hazards/", {"source": "self_inspection",
                                                                   "enterprise": enterprise.pk}).json()
    assert [h["id"] for h in seen["results"]] == [hazard.pk] and seen["results"][0]["source"] == "self_inspection"
    unseen = api_as(other_officer).get("/api/inspections/hazards/", {"source": "self_inspection"}).json()
    assert hazard.pk not in [h["id"] for h in unseen["results"]]
    assert api_as(other_officer).get(f"/api/inspections/hazards/{hazard.pk}/").status_code == 404
    changed = enterprise_api.post("/api/self-inspections/", {**body, "items": [
        {"code": code, "result": "ok", "note": ""}]}, format="json")
    assert changed.status_code == 409


def test_a_major_criterion_item_is_a_major_hazard_awaiting_the_bureau(enterprise_api, enterprise, supervisor):
    code = major_code(enterprise)
    response = enterprise_api.post("/api/self-inspections/", {"items": [
        {"code": code, "result": "hazard", "note": "未按规定设置泄爆设施"},
        {"code": general_code(enterprise), "result": "ok"}]}, format="json")
    assert response.status_code == 201, response.content
    hazard = Hazard.objects.get(pk=response.json()["hazards"][0])
    assert (hazard.level, hazard.status, hazard.criterion_code) == ("major", "lead", code)
    services.hazard_confirm(actor=supervisor, hazard=hazard)
    hazard.refresh_from_db()
    assert hazard.status == "supervised"


@pytest.mark.parametrize("item, word", [
    ({"code": "NO-SUCH-1", "result": "ok"}, "NO-SUCH-1"),
    ({"code": "RP1-post", "result": "maybe"}, "result"),
])
def test_bad_items_are_refused_by_name(enterprise_api, enterprise, item, word):
    before = SelfInspection.objects.count()
    response = enterprise_api.post("/api/self-inspections/", {"items": [item]}, format="json")
    assert response.status_code == 400 and word in response.content.decode()
    assert SelfInspection.objects.count() == before


def test_a_check_more_than_ten_minutes_ahead_is_refused(enterprise_api, enterprise):
    code = general_code(enterprise)
    ahead = timezone.now() + dt.timedelta(minutes=11)
    response = enterprise_api.post("/api/self-inspections/", {"checked_at": ahead.isoformat(), "items": [
        {"code": code, "result": "ok"}]}, format="json")
    assert response.status_code == 400 and "checked_at" in response.json()
    soon = timezone.now() + dt.timedelta(minutes=9)
    assert enterprise_api.post("/api/self-inspections/", {"checked_at": soon.isoformat(), "items": [
        {"code": code, "result": "ok"}]}, format="json").status_code == 201


def test_only_its_own_enterprise(enterprise_api, other_enterprise, cell_officer, enterprise):
    response = enterprise_api.post("/api/self-inspections/", {"enterprise": other_enterprise.pk, "items": [
        {"code": general_code(other_enterprise), "result": "ok"}]}, format="json")
    assert response.status_code == 404
    officer = api_as(cell_officer).post("/api/self-inspections/", {"enterprise": enterprise.pk, "items": [
        {"code": general_code(enterprise), "result": "ok"}]}, format="json")
    assert officer.status_code == 403


def test_two_posts_at_the_same_moment_store_one(account, enterprise):
    client_id = uuid.uuid4()
    items = [{"code": general_code(enterprise), "result": "hazard", "note": "同时提交"}]
    try:
        a, b = sent_twice_at_once(lambda: services.self_inspection_sync(actor=account, items=items,
                                                                        client_id=client_id))
        assert a.created and not isinstance(b, Exception) and not b.created
        assert a.record.pk == b.record.pk
        assert committed(lambda: (SelfInspection.objects.filter(client_id=client_id).count(),
                                  Hazard.objects.filter(self_inspection__client_id=client_id).count())) == (1, 1)
    finally:
        def clean():
            Hazard.objects.filter(self_inspection__client_id=client_id).delete()
            SelfInspection.objects.filter(client_id=client_id).delete()
        committed(clean)


def _general_hazard(enterprise_api, enterprise) -> Hazard:
    response = enterprise_api.post("/api/self-inspections/", {"items": [
        {"code": general_code(enterprise), "result": "hazard", "note": "配电箱未上锁"}]}, format="json")
    return Hazard.objects.get(pk=response.json()["hazards"][0])


def test_a_general_hazard_closed_with_proof_waits_for_the_officer(account, enterprise_api, enterprise, cell_officer):
    hazard = _general_hazard(enterprise_api, enterprise)
    services.hazard_rectified(actor=account, hazard=hazard, measures="已加锁并张贴警示",
                              rectified_on=timezone.localdate(), photos=[png_upload()])
    hazard.refresh_from_db()
    assert hazard.status == "rectified" and hazard.closed_on is None and hazard.photos.filter(proof=True).count() == 1
    # Not closed until the cell's officer checks it.
    with pytest.raises(services.ValidationError):
        services.hazard_close(actor=cell_officer, hazard=hazard)
    services.hazard_reinspect(actor=cell_officer, hazard=hazard, passed=True, findings="现场核实已整改")
    services.hazard_close(actor=cell_officer, hazard=hazard)
    hazard.refresh_from_db()
    assert hazard.status == "closed"


def test_the_page_takes_proof(account, enterprise_api, enterprise):
    hazard = _general_hazard(enterprise_api, enterprise)
    client = Client()
    client.force_login(account)
    assert client.get(f"/enterprise/hazards/{hazard.pk}/").status_code == 200
    response = client.post(f"/enterprise/hazards/{hazard.pk}/", {
        "measures": "已整改", "rectified_on": timezone.localdate().isoformat(), "photos": [png_upload()]})
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.status == "rectified"


def test_a_major_hazard_cannot_be_closed_by_the_enterprise(account, enterprise_api, enterprise, supervisor):
    response = enterprise_api.post("/api/self-inspections/", {"items": [
        {"code": major_code(enterprise), "result": "hazard", "note": "重大"}]}, format="json")
    hazard = Hazard.objects.get(pk=response.json()["hazards"][0])
    services.hazard_confirm(actor=supervisor, hazard=hazard)
    with pytest.raises(services.PermissionDenied):
        services.hazard_rectified(actor=account, hazard=hazard, measures="已整改", rectified_on=timezone.localdate(),
                                  photos=[png_upload()])
    hazard.refresh_from_db()
    assert hazard.status == "supervised"
    client = Client()
    client.force_login(account)
    page = client.post(f"/enterprise/hazards/{hazard.pk}/", {
        "measures": "已整改", "rectified_on": timezone.localdate().isoformat(), "photos": [png_upload()]})
    assert page.status_code == 400 and "企业不能自行销号" in page.content.decode()


def test_the_hazard_list_pages_and_filters(supervisor_client):
    first = supervisor_client.get("/api/inspections/hazards/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    assert all("source" in h for h in first["results"])
    second = supervisor_client.get(first["next"]).json()
    assert not {h["id"] for h in first["results"]} & {h["id"] for h in second["results"]}
    for source in ("inspection", "patrol", "report"):
        rows = supervisor_client.get("/api/inspections/hazards/", {"source": source}).json()["results"]
        assert {h["source"] for h in rows} <= {source}
    assert supervisor_client.get("/api/inspections/hazards/", {"source": "x"}).status_code == 400


def test_the_enterprise_user_pages(account, enterprise):
    client = Client()
    client.force_login(account)
    for url in ("/enterprise/", "/enterprise/check/", "/enterprise/hazards/", f"/enterprises/{enterprise.pk}/"):
        assert client.get(url).status_code == 200, url
    code = general_code(enterprise)
    response = client.post("/enterprise/check/", {f"result-{code}": "ok"})
    assert response.status_code == 302
    assert SelfInspection.objects.filter(enterprise=enterprise, recorded_by=account).exists()
    for url in ("/map/", "/enterprises/", "/inspections/hazards/", "/my-cell/", "/api/patrols/", "/api/grids/"):
        assert client.get(url).status_code == 403, url


def two_general_codes(enterprise) -> list[str]:
    codes = [i.code for i in check_items(enterprise) if not i.major_criterion][:2]
    assert len(codes) == 2
    return codes


def test_each_hazard_item_carries_its_own_photos(enterprise_api, enterprise):
    first, second = two_general_codes(enterprise)
    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "items": json.dumps([
        {"code": first, "result": "hazard", "note": "灭火器过期"},
        {"code": second, "result": "hazard", "note": "安全出口上锁"}])}

    def sent():
        return enterprise_api.post("/api/self-inspections/", {
            **body, f"photo_{first}": [png_upload("first.png")],
            f"photo_{second}": [jpeg_upload("second-1.jpg"), jpeg_upload("second-2.jpg")]}, format="multipart")

    response = sent()
    assert response.status_code == 201, response.content
    by_code = {i["code"]: Hazard.objects.get(pk=i["hazard"]) for i in response.json()["items"]}
    assert [p.image_format for p in by_code[first].photos.all()] == ["PNG"]
    assert sorted(p.image_format for p in by_code[second].photos.all()) == ["JPEG", "JPEG"]
    # Sent again by the outbox (same client_id, same photos): the same record, no new photo.
    again = sent()
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    assert sum(h.photos.count() for h in by_code.values()) == 3
    # The same client_id with another item's photo is another submission.
    other = enterprise_api.post("/api/self-inspections/", {**body, f"photo_{second}": [png_upload()]},
                                format="multipart")
    assert other.status_code == 409


def test_the_json_contract_stays_without_photos(enterprise_api, enterprise):
    first, second = two_general_codes(enterprise)
    response = enterprise_api.post("/api/self-inspections/", {"items": [
        {"code": first, "result": "hazard", "note": "无照片"}, {"code": second, "result": "ok", "note": ""}]},
        format="json")
    assert response.status_code == 201, response.content
    assert not Hazard.objects.get(pk=response.json()["hazards"][0]).photos.exists()


@pytest.mark.parametrize("which, word", [("ok", "结果为正常"), ("absent", "没有对应的自查项目")])
def test_a_photo_without_its_hazard_item_is_refused(enterprise_api, enterprise, which, word):
    first, second = two_general_codes(enterprise)
    before = (SelfInspection.objects.count(), Hazard.objects.count())
    items = [{"code": first, "result": "hazard", "note": "有隐患"}]
    if which == "ok":
        items.append({"code": second, "result": "ok", "note": ""})
    response = enterprise_api.post("/api/self-inspections/", {
        "items": json.dumps(items), f"photo_{second}": [png_upload()]}, format="multipart")
    assert response.status_code == 400 and f"photo_{second}" in response.json(), response.content
    assert word in response.content.decode()
    assert (SelfInspection.objects.count(), Hazard.objects.count()) == before


def test_the_page_takes_a_photo_per_item(account, enterprise):
    first, second = two_general_codes(enterprise)
    client = Client()
    client.force_login(account)
    page = client.get("/enterprise/check/").content.decode()
    assert f'name="photo_{first}"' in page and 'capture="environment"' in page
    response = client.post("/enterprise/check/", {
        f"result-{first}": "hazard", f"note-{first}": "护栏缺失", f"photo_{first}": [png_upload()],
        f"result-{second}": "hazard", f"note-{second}": "照明损坏"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = SelfInspection.objects.filter(recorded_by=account).latest("pk")
    by_code = {i["code"]: Hazard.objects.get(pk=i["hazard"]) for i in record.items}
    assert by_code[first].photos.count() == 1 and not by_code[second].photos.exists()
