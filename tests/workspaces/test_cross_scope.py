"""The cross-scope suite: every routed URL, tried as the officer of another cell with real ids.

The list of URLs comes from the URL conf, so a new endpoint fails `test_every_route_is_probed`
until it has a probe here. Expected: 403/404, or a response that holds nothing of the other
cell.
"""

import json

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.enterprises.services import enterprise_save
from gridmap.grids.models import Grid, GridAssignment
from gridmap.inspections import services as inspection_services
from gridmap.inspections.models import EnforcementCertificate, Hazard, InspectionTask, Report
from gridmap.patrols.models import Patrol
from gridmap.patrols.services import patrol_record
from layers.registry import all_layers
from tests.factories import inside, officer_of, png_upload

pytestmark = pytest.mark.django_db
VICTIM, ATTACKER = "120118107-001", "120118107-002"
# A valid GB 32100 code (check character computed) that the sample does not use.
VICTIM_CREDIT_CODE = "91120118MA05XKCTXD"

# Routes without per-cell data, and why.
EXEMPT = {
    "accounts/login/": "sign-in form",
    "accounts/logout/": "ends the caller's own session",
    "accounts/password/": "the caller's own password",
    "accounts/password/done/": "static confirmation",
    "api/auth/token/": "the caller's own credentials",
    "api/schema/": "API description, no records",
    "api/docs/": "API description, no records",
    "manifest.webmanifest": "the phone app's manifest, the same for everyone",
    "sw.js": "the service worker script, the same for everyone",
    "healthz": "liveness: the process answers, no records",
    "readyz": "readiness: database, replica and worker states, no records",
    "metrics": "counts per route pattern and queue, no records (operator's network only)",
    "ogc/": "OGC API landing page: links, no records (open by the standard's contract)",
    "ogc/conformance": "OGC API conformance classes, no records",
    "ogc/api": "OGC API definition (OpenAPI), no records",
    "public/": "published decisions and credit lists, public by law (tests/workspaces/test_public_page.py)",
    "enterprise/activate/": "first sign-in form of an enterprise account (username, one-time code)",
}


def routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


class World:
    """Real records of the victim cell, and clients signed in as the attacker."""

    def __init__(self):
        self.victim_officer = officer_of(VICTIM)
        self.attacker = officer_of(ATTACKER)
        lon, lat = inside(VICTIM)
        self.victim_point = (lon, lat)
        self.patrol = patrol_record(actor=self.victim_officer, lon=lon, lat=lat, visited="受害网格企业",
                                    photos=[png_upload()])
        self.photo = self.patrol.photos.get()
        self.assignment = GridAssignment.objects.filter(grid__code=VICTIM).first()
        self.enterprise = enterprise_save(
            credit_code=VICTIM_CREDIT_CODE, location=Point(lon, lat, srid=4326), name="受害网格企业",
            industry_code="3130", supervision_class="key", status="operating")
        self._inspection_records(lon, lat)
        self.api = APIClient()
        self.api.force_authenticate(self.attacker)
        self.web = Client()
        self.web.force_login(self.attacker)
        self.patrols_before = Patrol.objects.count()
        self.assignments_before = list(GridAssignment.objects.filter(grid__code=VICTIM).values_list(
            "id", "user_id", "valid_from", "valid_to"))

    def _inspection_records(self, lon, lat):
        import datetime as dt

        from django.contrib.auth import get_user_model
        from django.utils import timezone

        supervisor = get_user_model().objects.get(username="supervisor")
        self.task = inspection_services.tasks_assign(actor=supervisor, enterprise_ids=[self.enterprise.pk],
                                                     due_date=timezone.localdate() + dt.timedelta(days=9)).created[0]
        self.inspection = inspection_services.inspection_record(
            actor=self.victim_officer, enterprise=self.enterprise, findings="受害网格企业检查", photos=[png_upload()])
        # Registered by the bureau (an officer's would be a lead): a hazard the victim's officer acts on.
        self.hazard = inspection_services.hazard_report(
            actor=supervisor, enterprise=self.enterprise, description="受害网格企业隐患",
            deadline=timezone.localdate() + dt.timedelta(days=5), photos=[png_upload()])
        self.report = inspection_services.report_submit(actor=self.victim_officer, description="受害网格企业举报",
                                                        lon=lon, lat=lat, photos=[png_upload()])
        self.evidence = [self.inspection.photos.get(), self.hazard.photos.get(), self.report.photos.get()]
        EnforcementCertificate.objects.get_or_create(number="受害网格执法证", defaults={
            "user": supervisor, "issued": dt.date(2020, 1, 1), "expires": dt.date(2099, 12, 31)})
        self.document = inspection_services.document_create(
            actor=supervisor, kind="penalty_decision", number="受害网格企业罚〔2026〕1号", enterprise=self.enterprise,
            signers=[supervisor], fine_amount="90000", content="受害网格企业文书")
        self.exposure = inspection_services.exposure_record(actor=supervisor, enterprise=self.enterprise,
                                                            exposed_on=timezone.localdate(), medium="受害网格企业曝光")
        self.summons = inspection_services.summons_record(actor=supervisor, enterprise=self.enterprise,
                                                          held_on=timezone.localdate(), note="受害网格企业约谈")

    def enforcement_unchanged(self):
        from gridmap.inspections.models import EnforcementDocument, Exposure, LegalReview, Summons

        assert EnforcementDocument.objects.get(pk=self.document.pk).status == "draft"
        assert not LegalReview.objects.filter(document=self.document).exists()
        assert EnforcementDocument.objects.filter(enterprise=self.enterprise).count() == 1
        assert Exposure.objects.filter(enterprise=self.enterprise).count() == 1
        assert Summons.objects.filter(enterprise=self.enterprise).count() == 1

    def inspection_records_unchanged(self):
        task, hazard, report = (InspectionTask.objects.get(pk=self.task.pk), Hazard.objects.get(pk=self.hazard.pk),
                                Report.objects.get(pk=self.report.pk))
        assert (task.status, hazard.status, report.status) == ("assigned", "found", "received")

    def unchanged(self):
        assert Patrol.objects.count() == self.patrols_before
        assert list(GridAssignment.objects.filter(grid__code=VICTIM).values_list(
            "id", "user_id", "valid_from", "valid_to")) == self.assignments_before


def text_bytes(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def text(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


def holds_nothing_of_the_victim(response, w: World):
    body = text(response)
    assert VICTIM not in body and "受害网格企业" not in body and VICTIM_CREDIT_CODE not in body
    assert w.victim_officer.username not in body


def probe_home(w):
    response = w.web.get("/")
    assert response.status_code == 302 and response["Location"] == "/my-cell/"


def probe_map(w):
    holds_nothing_of_the_victim(w.web.get("/map/"), w)


def probe_my_cell(w):
    response = w.web.get("/my-cell/", {"cell": VICTIM})
    assert response.status_code == 200 and ATTACKER in text(response)
    holds_nothing_of_the_victim(response, w)


def probe_patrol_list(w):
    response = w.web.get("/patrols/", {"cell": VICTIM})
    assert response.status_code == 200
    holds_nothing_of_the_victim(response, w)
    assert f"/patrols/{w.patrol.pk}/" not in text(response)


def probe_field_package(w):
    response = w.web.get("/api/field/package/")
    assert response.status_code == 200
    package = response.json()
    assert [c["code"] for c in package["cells"]] == [ATTACKER]
    assert w.enterprise.pk not in [e["id"] for e in package["enterprises"]]
    assert w.hazard.pk not in [h["id"] for h in package["hazards"]]
    assert w.task.pk not in [t["id"] for t in package["tasks"]]
    holds_nothing_of_the_victim(response, w)


def probe_outbox(w):
    response = w.web.get("/outbox/")
    assert response.status_code == 200
    holds_nothing_of_the_victim(response, w)


def probe_patrol_new(w):
    lon, lat = w.victim_point
    response = w.web.post("/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84", "visited": "越权"})
    assert response.status_code == 400 and "不在您负责的网格内" in text(response)
    w.unchanged()


def probe_patrol_page(w):
    assert w.web.get(f"/patrols/{w.patrol.pk}/").status_code == 404


def probe_cell_page(w):
    assert w.web.get(f"/cells/{VICTIM}/").status_code == 404
    assert w.web.get("/cells/120118107/").status_code == 404  # the level-I parent either


def probe_assign(w):
    assert w.web.get("/assign/", {"cells": VICTIM}).status_code == 403


def probe_assign_new(w):
    response = w.web.post("/assign/new/", {"cells": VICTIM, "username": w.attacker.username, "role": "cell_officer"})
    assert response.status_code == 403
    w.unchanged()


def probe_assignment_action(w):
    for action, data in (("move", {"to_cell": ATTACKER}), ("replace", {"username": w.attacker.username}),
                         ("end", {})):
        assert w.web.post(f"/assign/{w.assignment.pk}/{action}/", data).status_code == 403
    w.unchanged()


def probe_roster(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster = SimpleUploadedFile("r.csv", f"username,name,phone,grid_code,role\n{w.attacker.username},x,,"
                                f"{VICTIM},officer\n".encode())
    assert w.web.post("/assign/roster/", {"roster": roster}).status_code == 403
    w.unchanged()


def probe_coverage(w):
    assert w.web.get("/coverage/").status_code == 403


def probe_grids(w):
    for level in (0, 1, 2, 3):
        features = json.loads(w.api.get("/api/grids/", {"level": level}).content)["features"]
        assert {f["properties"]["code"] for f in features} <= {ATTACKER}


def probe_lookup(w):
    # By design "where am I" tells anyone signed in which cell a point is in and who is on
    # duty there (the public directory of the grid); it carries no records of the cell.
    lon, lat = w.victim_point
    body = w.api.get("/api/grids/lookup/", {"lon": lon, "lat": lat}).json()
    assert body["code"] == VICTIM
    assert set(body) == {"code", "name", "level", "kind", "parent", "officers", "lon", "lat"}


def probe_grid_assignments(w):
    assert w.api.get(f"/api/grids/{VICTIM}/assignments/").status_code == 404
    assert w.api.get("/api/grids/120118107/assignments/").status_code == 404


def probe_grid_detail(w):
    assert w.api.get(f"/api/grids/{VICTIM}/").status_code == 404


def probe_patrols_api(w):
    assert w.patrol.pk not in [p["id"] for p in w.api.get("/api/patrols/").json()["results"]]
    assert w.api.get("/api/patrols/", {"cell": VICTIM}).json()["results"] == []
    lon, lat = w.victim_point
    assert w.api.post("/api/patrols/", {"lon": lon, "lat": lat}, format="multipart").status_code == 403
    w.unchanged()


def probe_patrol_api_detail(w):
    assert w.api.get(f"/api/patrols/{w.patrol.pk}/").status_code == 404


def probe_photo(w):
    assert w.api.get(f"/api/patrols/photos/{w.photo.pk}/").status_code == 404


def probe_layer_list(w):
    names = {layer["name"] for layer in w.api.get("/api/layers/").json()["layers"]}
    assert "coverage" not in names


def probe_layers(w):
    own_town = Grid.objects.get(code=ATTACKER).parent.code
    for layer in all_layers():
        response = w.api.get(f"/api/layers/{layer.name}.geojson")
        if not layer.allowed(w.attacker):
            assert response.status_code == 404
            continue
        if layer.name == "stations":
            # Gauges are shared by everyone signed in (issue 17); their code is a station's.
            continue
        features = json.loads(response.content)["features"]
        codes = {f["properties"].get("code") or f["properties"].get("cell_code") for f in features}
        assert codes <= {ATTACKER, own_town, None}, layer.name
        if layer.name == "patrols":
            assert w.patrol.pk not in [f["id"] for f in features]
        for key in ("code", "cell", "id", "parent"):
            if key in layer.filters:
                value = {"id": w.patrol.pk, "parent": "120118107"}.get(key, VICTIM)
                features = json.loads(w.api.get(f"/api/layers/{layer.name}.geojson", {key: value}).content)
                assert VICTIM not in json.dumps(features["features"]), (layer.name, key)


def probe_enterprise_list(w):
    holds_nothing_of_the_victim(w.web.get("/enterprises/"), w)
    holds_nothing_of_the_victim(w.web.get("/enterprises/", {"q": "受害"}), w)


def probe_enterprise_page(w):
    assert w.web.get(f"/enterprises/{w.enterprise.pk}/").status_code == 404


def probe_enterprise_pdf(w):
    assert w.web.get(f"/enterprises/{w.enterprise.pk}/register.pdf").status_code == 404


def probe_enterprise_export(w):
    import io

    from openpyxl import load_workbook

    for fmt in ("csv", "geojson"):
        holds_nothing_of_the_victim(w.web.get(f"/enterprises/export.{fmt}"), w)
    response = w.web.get("/enterprises/export.xlsx")
    assert response.status_code == 200
    cells = [str(c) for row in load_workbook(io.BytesIO(text_bytes(response))).active.iter_rows(values_only=True)
             for c in row]
    assert VICTIM_CREDIT_CODE not in cells and "受害网格企业" not in cells


def probe_registers(w):
    holds_nothing_of_the_victim(w.web.get("/registers/"), w)


def probe_register_map(w):
    holds_nothing_of_the_victim(w.web.get("/registers/map/"), w)


def probe_tiles(w):
    import math

    import mapbox_vector_tile

    lon, lat = w.victim_point
    for z in (12, 14):
        n = 2 ** z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        for layer in all_layers():
            response = w.api.get(f"/tiles/{layer.name}/{z}/{x}/{y}.mvt")
            if not layer.allowed(w.attacker):
                assert response.status_code == 404
                continue
            assert response.status_code in (200, 204), layer.name
            if response.status_code == 200:
                decoded = json.dumps(mapbox_vector_tile.decode(response.content), default=str)
                assert VICTIM not in decoded and "受害网格企业" not in decoded, layer.name


def probe_ogc_collections(w):
    response = w.api.get("/ogc/collections", {"f": "json"})
    assert response.status_code == 200
    assert "coverage" not in {c["id"] for c in response.json()["collections"]}
    holds_nothing_of_the_victim(response, w)


def probe_ogc_collection(w):
    for layer in all_layers():
        response = w.api.get(f"/ogc/collections/{layer.name}", {"f": "json"})
        assert response.status_code == (200 if layer.allowed(w.attacker) else 404), layer.name
        holds_nothing_of_the_victim(response, w)


def probe_ogc_items(w):
    """Each OGC collection holds what the layer's GeoJSON holds: the attacker's cell only, with
    the filters and a box around the victim's records too."""
    own_town = Grid.objects.get(code=ATTACKER).parent.code
    lon, lat = w.victim_point
    around = f"{lon - 0.002},{lat - 0.002},{lon + 0.002},{lat + 0.002}"
    for layer in all_layers():
        url = f"/ogc/collections/{layer.name}/items"
        response = w.api.get(url, {"f": "json", "limit": 10000})
        if not layer.allowed(w.attacker):
            assert response.status_code == 404, layer.name
            continue
        assert response.status_code == 200, layer.name
        if layer.name != "stations":  # gauges are shared; their code is a station's
            features = json.loads(response.content)["features"]
            codes = {f["properties"].get("code") or f["properties"].get("cell_code") for f in features}
            assert codes <= {ATTACKER, own_town, None}, layer.name
        for key in ("code", "cell", "id", "parent"):
            if key in layer.filters:
                value = {"id": w.patrol.pk, "parent": "120118107"}.get(key, VICTIM)
                features = json.loads(w.api.get(url, {"f": "json", key: value}).content)["features"]
                assert VICTIM not in json.dumps(features), (layer.name, key)
        assert "受害网格企业" not in text(w.api.get(url, {"f": "json", "bbox": around})), layer.name
    holds_nothing_of_the_victim(w.web.get("/ogc/collections/enterprises/items", {"f": "html", "limit": 10000}), w)


def probe_ogc_item(w):
    victim_cell = Grid.objects.get(code=VICTIM).pk
    for layer, pk in (("patrols", w.patrol.pk), ("enterprises", w.enterprise.pk), ("tasks", w.task.pk),
                      ("open-hazards", w.hazard.pk), ("grids-level2", victim_cell)):
        for f in ("json", "html"):
            assert w.api.get(f"/ogc/collections/{layer}/items/{pk}", {"f": f}).status_code == 404, (layer, f)


def _flood_ids():
    from gridmap.flood.models import FloodZone, StockItem

    return FloodZone.objects.order_by("pk").first().pk, StockItem.objects.order_by("pk").first()


def probe_flood_pages(w):
    zone, _ = _flood_ids()
    for url in ("/flood/", "/flood/stock/", "/flood/duty/", f"/flood/exposure/?zone={zone}"):
        assert w.web.get(url).status_code == 403, url


def probe_flood_exposure(w):
    zone, _ = _flood_ids()
    assert w.web.get("/flood/exposure/", {"zone": zone}).status_code == 403


def probe_flood_pdf(w):
    zone, _ = _flood_ids()
    assert w.web.get("/flood/exposure.pdf", {"zone": zone}).status_code == 403


def probe_flood_tasks(w):
    from gridmap.flood.models import PreFloodTask

    zone, _ = _flood_ids()
    assert w.web.post(f"/flood/zones/{zone}/tasks/", {"due_date": "2030-01-01"}).status_code == 403
    assert not PreFloodTask.objects.filter(zone_id=zone).exists()


def probe_flood_stock(w):
    assert w.web.get("/flood/stock/").status_code == 403


def probe_flood_stock_move(w):
    _, item = _flood_ids()
    before = item.quantity
    assert w.web.post(f"/flood/stock/{item.pk}/move/", {"kind": "issue", "quantity": 1}).status_code == 403
    item.refresh_from_db()
    assert item.quantity == before and not item.movements.filter(kind="issue").exists()


def probe_flood_duty(w):
    assert w.web.get("/flood/duty/").status_code == 403


def probe_flood_exposure_api(w):
    zone, _ = _flood_ids()
    assert w.api.get("/api/flood/exposure/", {"zone": zone}).status_code == 403
    lon, lat = w.victim_point
    square = {"type": "Polygon", "coordinates": [[[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01],
                                                  [lon + 0.01, lat + 0.01], [lon - 0.01, lat - 0.01]]]}
    response = w.api.post("/api/flood/exposure/", {"geometry": square}, format="json")
    assert response.status_code == 403
    holds_nothing_of_the_victim(response, w)


def probe_readings_api(w):
    from gridmap.flood.models import Reading

    before = Reading.objects.count()
    row = {"station": "JH-W01", "time": timezone.now().isoformat(), "value": 9.9}
    assert w.api.post("/api/flood/readings/", {"readings": [row]}, format="json").status_code == 403
    assert Reading.objects.count() == before


def probe_readings_upload(w):
    assert w.web.get("/flood/readings/upload/").status_code == 403


def probe_stations_api(w):
    # Gauges are shared facts of the storm, open to every signed-in user; nothing of a cell.
    response = w.api.get("/api/flood/stations/")
    assert response.status_code == 200
    holds_nothing_of_the_victim(response, w)


def probe_situation_api(w):
    assert w.api.get("/api/flood/situation/").status_code == 403


# --- inspections (issue 6) -------------------------------------------------------------------

def probe_area_page(w):
    assert w.web.get("/inspections/area/").status_code == 403


def probe_batch_undo(w):
    response = w.web.post(f"/inspections/area/batches/{w.task.batch_id}/undo/")
    assert response.status_code == 403
    w.inspection_records_unchanged()


def probe_list_export(w, kind):
    for query in ({}, {"status": ""}, {"q": "受害"}):
        response = w.web.get(f"/inspections/{kind}/export.csv", query)
        assert response.status_code == 200
        holds_nothing_of_the_victim(response, w)


def probe_task_list(w):
    for query in ({}, {"mine": "0", "all": "1"}):
        response = w.web.get("/inspections/tasks/", query)
        assert response.status_code == 200
        holds_nothing_of_the_victim(response, w)


def probe_task_page(w):
    assert w.web.get(f"/inspections/tasks/{w.task.pk}/").status_code == 404


def probe_task_action(w):
    for action in ("accept", "start", "decline", "cannot_inspect", "inspect"):
        response = w.web.post(f"/inspections/tasks/{w.task.pk}/{action}/", {"reason": "x", "cannot_reason": "closed"})
        assert response.status_code == 404
    w.inspection_records_unchanged()


def probe_hazard_list(w):
    for query in ({}, {"all": "1"}):
        holds_nothing_of_the_victim(w.web.get("/inspections/hazards/", query), w)


def probe_hazard_page(w):
    assert w.web.get(f"/inspections/hazards/{w.hazard.pk}/").status_code == 404


def probe_hazard_action(w):
    for action in ("rectify", "reinspect", "close"):
        assert w.web.post(f"/inspections/hazards/{w.hazard.pk}/{action}/", {"passed": "1"}).status_code == 404
    w.inspection_records_unchanged()


def probe_report_list(w):
    holds_nothing_of_the_victim(w.web.get("/inspections/reports/"), w)
    # Anyone signed in may file a report anywhere (it goes to that cell's officer); what
    # they get back says it was routed, not to whom.
    lon, lat = w.victim_point
    response = w.web.post("/inspections/reports/", {"description": "越权举报", "lon": lon, "lat": lat}, follow=True)
    assert response.status_code == 200 and "举报已受理" in text(response)
    holds_nothing_of_the_victim(response, w)


def probe_report_page(w):
    assert w.web.get(f"/inspections/reports/{w.report.pk}/").status_code == 404
    assert w.web.post(f"/inspections/reports/{w.report.pk}/", {"status": "handled", "result": "x"}).status_code == 404
    w.inspection_records_unchanged()


def probe_publication_manage(w):
    """The bureau's publication page: a grid officer is refused reading and every action."""
    from gridmap.inspections.models import CreditListing, Exposure, Publication

    before = (Publication.objects.count(), CreditListing.objects.count(), Exposure.objects.count())
    assert w.web.get("/inspections/publication/").status_code == 403
    assert w.web.get("/inspections/publication/", {"list": "blacklist"}).status_code == 403
    for data in ({"action": "list", "kind": "blacklist", "enterprise": VICTIM_CREDIT_CODE,
                  "entered_on": "2026-01-01", "reason": "越权"},
                 {"action": "wechat", "enterprise": VICTIM_CREDIT_CODE, "exposed_on": "2026-01-01"},
                 {"action": "withdraw", "record": "1", "withdrawn_on": "2026-01-01", "reason": "越权"}):
        assert w.web.post("/inspections/publication/", data).status_code == 403
    assert (Publication.objects.count(), CreditListing.objects.count(), Exposure.objects.count()) == before


def probe_plan_page(w):
    assert w.web.get("/inspections/plan/").status_code == 403
    assert w.web.post("/inspections/plan/", {"year": "2040"}).status_code == 403


def probe_statistics(w):
    for level in ("1", "2"):
        holds_nothing_of_the_victim(w.web.get("/inspections/statistics/", {"level": level}), w)


def probe_statistics_export(w):
    import io

    from openpyxl import load_workbook

    holds_nothing_of_the_victim(w.web.get("/inspections/statistics/export.csv", {"level": "2"}), w)
    response = w.web.get("/inspections/statistics/export.xlsx", {"level": "2"})
    cells = [str(c) for row in load_workbook(io.BytesIO(text_bytes(response))).active.iter_rows(values_only=True)
             for c in row]
    assert VICTIM not in cells


def probe_statistics_cells(w):
    holds_nothing_of_the_victim(w.web.get("/inspections/statistics/cells.geojson"), w)


def probe_area_enterprises(w):
    lon, lat = w.victim_point
    square = {"type": "Polygon", "coordinates": [[[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01],
                                                  [lon + 0.01, lat + 0.01], [lon - 0.01, lat + 0.01],
                                                  [lon - 0.01, lat - 0.01]]]}
    for body in ({"polygon": square}, {"cells": [VICTIM]}):
        response = w.api.post("/api/inspections/area/enterprises/", body, format="json")
        assert response.status_code == 200 and response.json()["count"] == 0
        holds_nothing_of_the_victim(response, w)


def probe_area_assign(w):
    response = w.api.post("/api/inspections/area/assign/", {"cells": [VICTIM], "due_date": "2099-01-01"}, format="json")
    assert response.status_code == 403
    w.inspection_records_unchanged()


def probe_tasks_api(w):
    for query in ({}, {"mine": "1"}, {"open": "1"}):
        response = w.api.get("/api/inspections/tasks/", query)
        assert w.task.pk not in [t["id"] for t in response.json()["results"]]
        holds_nothing_of_the_victim(response, w)


def probe_task_api_detail(w):
    assert w.api.get(f"/api/inspections/tasks/{w.task.pk}/").status_code == 404


def probe_task_api_action(w):
    for action in ("accept", "decline"):
        assert w.api.post(f"/api/inspections/tasks/{w.task.pk}/{action}/", {"reason": "x"}).status_code == 404
    w.inspection_records_unchanged()


def probe_task_api_inspections(w):
    body = {"findings": "越权检查", "hazard": {"description": "越权隐患"}}
    assert w.api.post(f"/api/inspections/tasks/{w.task.pk}/inspections/", body, format="json").status_code == 404
    w.inspection_records_unchanged()


def probe_hazard_api_reinspections(w):
    body = {"passed": True, "findings": "越权复查"}
    assert w.api.post(f"/api/inspections/hazards/{w.hazard.pk}/reinspections/", body,
                      format="json").status_code == 404
    w.inspection_records_unchanged()


def probe_hazard_api_action(w):
    for action in ("rectify", "close", "confirm", "dismiss"):
        assert w.api.post(f"/api/inspections/hazards/{w.hazard.pk}/{action}/", {"reason": "越权"},
                          format="json").status_code == 404
    w.inspection_records_unchanged()


def probe_hazards_api(w):
    holds_nothing_of_the_victim(w.api.get("/api/inspections/hazards/"), w)


def probe_hazard_api_detail(w):
    assert w.api.get(f"/api/inspections/hazards/{w.hazard.pk}/").status_code == 404


def probe_criteria_api(w):
    response = w.api.get("/api/inspections/criteria/", {"enterprise": w.enterprise.pk})
    assert response.status_code == 404 and response.json() == {"detail": "企业不存在或无权查看"}
    holds_nothing_of_the_victim(w.api.get("/api/inspections/criteria/"), w)


def probe_reports_api(w):
    holds_nothing_of_the_victim(w.api.get("/api/inspections/reports/"), w)
    lon, lat = w.victim_point
    response = w.api.post("/api/inspections/reports/", {"description": "越权举报", "lon": lon, "lat": lat})
    assert response.status_code == 201
    assert set(response.json()) == {"id", "status", "routed", "deadline", "client_id"}
    holds_nothing_of_the_victim(response, w)


def victim_device(w):
    from gridmap.accounts.services import device_token_create

    return device_token_create(user=w.victim_officer, name="受害网格员手机")[0]


def probe_devices_api(w):
    victim_device(w)
    assert w.api.get("/api/auth/devices/", {"user": w.victim_officer.username}).status_code == 403
    assert "受害网格员手机" not in w.api.get("/api/auth/devices/").content.decode()


def probe_device_api(w):
    device = victim_device(w)
    assert w.api.delete(f"/api/auth/devices/{device.pk}/").status_code == 404
    assert type(device).objects.filter(pk=device.pk).exists()


def probe_devices_page(w):
    device = victim_device(w)
    assert w.web.get("/accounts/devices/", {"user": w.victim_officer.username}).status_code == 403
    assert "受害网格员手机" not in w.web.get("/accounts/devices/").content.decode()
    w.web.post("/accounts/devices/", {"device": device.pk})
    assert type(device).objects.filter(pk=device.pk).exists()


def probe_report_api_detail(w):
    assert w.api.get(f"/api/inspections/reports/{w.report.pk}/").status_code == 404


def probe_evidence_photo(w):
    for photo in w.evidence:
        assert w.api.get(f"/api/inspections/photos/{photo.pk}/").status_code == 404


def probe_document_list(w):
    for query in ({}, {"kind": "penalty_decision"}, {"year": "2026"}):
        response = w.web.get("/inspections/documents/", query)
        assert response.status_code == 200
        holds_nothing_of_the_victim(response, w)
    response = w.web.post("/inspections/documents/", {"kind": "order_to_correct", "number": "越权文书",
                                                      "enterprise": str(w.enterprise.pk)})
    assert response.status_code == 403
    w.enforcement_unchanged()


def probe_document_page(w):
    assert w.web.get(f"/inspections/documents/{w.document.pk}/").status_code == 404


def probe_document_action(w):
    for action, body in (("review", {"reviewed_on": "2026-01-01", "approved": "1", "opinion": "越权"}),
                         ("issue", {"issued_on": "2026-01-01"})):
        assert w.web.post(f"/inspections/documents/{w.document.pk}/{action}/", body).status_code == 404
    w.enforcement_unchanged()


def _probe_enforcement_record_page(w, url, body):
    for query in ({}, {"year": str(timezone.localdate().year)}, {"enterprise": str(w.enterprise.pk)}):
        response = w.web.get(url, query)
        assert response.status_code == 200 and 'id="record"' not in text(response)
        holds_nothing_of_the_victim(response, w)
    response = w.web.post(url, {"enterprise": str(w.enterprise.pk), **body})
    assert response.status_code == 403
    holds_nothing_of_the_victim(response, w)
    w.enforcement_unchanged()


def probe_exposure_list(w):
    _probe_enforcement_record_page(w, "/inspections/exposures/", {"exposed_on": "2026-01-01", "medium": "越权"})


def probe_summons_list(w):
    _probe_enforcement_record_page(w, "/inspections/summonses/", {"held_on": "2026-01-01", "people": "1"})


def probe_documents_api(w):
    for query in ({}, {"kind": "penalty_decision"}, {"status": "draft"}):
        response = w.api.get("/api/inspections/documents/", query)
        assert response.status_code == 200
        holds_nothing_of_the_victim(response, w)
    body = {"kind": "order_to_correct", "number": "越权文书", "enterprise": w.enterprise.pk,
            "signers": [w.attacker.username, w.victim_officer.username]}
    response = w.api.post("/api/inspections/documents/", body, format="json")
    assert response.status_code == 403
    holds_nothing_of_the_victim(response, w)
    w.enforcement_unchanged()


def probe_document_api_detail(w):
    assert w.api.get(f"/api/inspections/documents/{w.document.pk}/").status_code == 404


def probe_document_api_issue(w):
    response = w.api.post(f"/api/inspections/documents/{w.document.pk}/issue/", {"issued_on": "2026-01-01"})
    assert response.status_code == 404
    w.enforcement_unchanged()


def probe_document_api_review(w):
    response = w.api.post(f"/api/inspections/documents/{w.document.pk}/review/",
                          {"reviewed_on": "2026-01-01", "approved": True, "opinion": "越权"})
    assert response.status_code == 404
    w.enforcement_unchanged()


def probe_exposures_api(w):
    holds_nothing_of_the_victim(w.api.get("/api/inspections/exposures/"), w)
    response = w.api.post("/api/inspections/exposures/", {"enterprise": w.enterprise.pk, "exposed_on": "2026-01-01",
                                                          "medium": "越权"}, format="json")
    assert response.status_code == 403
    w.enforcement_unchanged()


def probe_summonses_api(w):
    holds_nothing_of_the_victim(w.api.get("/api/inspections/summonses/"), w)
    response = w.api.post("/api/inspections/summonses/", {"enterprise": w.enterprise.pk, "held_on": "2026-01-01"},
                          format="json")
    assert response.status_code == 403
    w.enforcement_unchanged()


def victim_export(w):
    from gridmap.jobs.models import Export

    return Export.objects.create(requester=w.victim_officer, kind="enterprises", format="csv",
                                 status="done", progress=1, rows=1, file="exports/victim.csv")


def probe_exports_api(w):
    victim_export(w)
    holds_nothing_of_the_victim(w.api.get("/api/exports/"), w)
    assert "victim.csv" not in w.api.get("/api/exports/").content.decode()


def probe_export_api(w):
    assert w.api.get(f"/api/exports/{victim_export(w).pk}/").status_code == 404


def probe_export_download(w):
    assert w.api.get(f"/api/exports/{victim_export(w).pk}/download/").status_code == 404


def probe_my_exports(w):
    victim_export(w)
    response = w.web.get("/exports/")
    assert response.status_code == 200
    assert "victim" not in response.content.decode()
# --- storm events (issue 17): flood command only; situation reports by cell -----------------------

def _lekima():
    from gridmap.flood.events.models import Event

    event = Event.objects.get(name="2019年第9号台风利奇马")
    return event, event.roll_calls.get(), event.dispatches.get()


EVENT_TABLES = ("flood_event", "flood_levelchange", "flood_consultation", "flood_order", "flood_rollcall",
                "flood_rollcallround", "flood_rollcallanswer", "flood_dispatch", "flood_teamdeployment",
                "flood_stockmovement")


def command_only(path: str, *, post: dict | None = None, api: bool = False):
    """A probe: the officer of another cell is refused (403) and nothing of the events changes."""

    def probe(w):
        from tests.conftest import table_checksum

        event, roll_call, dispatch = _lekima()
        url = "/" + path.format(pk=event.pk, rc=roll_call.pk, dispatch=dispatch.pk)
        before = table_checksum(*EVENT_TABLES)
        client = w.api if api else w.web
        response = client.get(url) if post is None else client.post(url, post, format="json") if api \
            else client.post(url, post)
        assert response.status_code == 403, url
        assert "利奇马" not in response.content.decode(errors="ignore")
        assert table_checksum(*EVENT_TABLES) == before

    return probe


def _victim_situation(w):
    from gridmap.flood.events.services import situation_report_submit

    lon, lat = w.victim_point
    return situation_report_submit(actor=w.victim_officer, kind="waterlogging", severity="general",
                                   description="受害网格险情", lon=lon, lat=lat, photos=[png_upload()])


def probe_situation_reports_api(w):
    from gridmap.flood.events.models import SituationReport

    report = _victim_situation(w)
    holds_nothing_of_the_victim(w.api.get("/api/flood/situation-reports/"), w)
    assert "受害网格险情" not in w.api.get("/api/flood/situation-reports/").content.decode()
    lon, lat = w.victim_point
    response = w.api.post("/api/flood/situation-reports/", {"kind": "breach", "description": "越权险情",
                                                            "lon": lon, "lat": lat}, format="json")
    assert response.status_code == 403
    assert not SituationReport.objects.filter(description="越权险情").exists()
    assert report.cell.code == VICTIM


def probe_situation_report_api_detail(w):
    report = _victim_situation(w)
    assert w.api.get(f"/api/flood/situation-reports/{report.pk}/").status_code == 404


def probe_situation_photo(w):
    report = _victim_situation(w)
    assert w.api.get(f"/api/flood/situation-photos/{report.photos.get().pk}/").status_code == 404


def probe_situation_page(w):
    from gridmap.flood.events.models import SituationReport

    _victim_situation(w)
    page = w.web.get("/situation-reports/")
    assert page.status_code == 200 and "受害网格险情" not in page.content.decode()
    lon, lat = w.victim_point
    refused = w.web.post("/situation-reports/", {"kind": "breach", "severity": "general", "description": "越权险情",
                                                 "lon": lon, "lat": lat, "crs": "wgs84"})
    assert refused.status_code == 400
    assert not SituationReport.objects.filter(description="越权险情").exists()


EVENT_PROBES = {
    "flood/events/": command_only("flood/events/"),
    "flood/events/<int:pk>/": command_only("flood/events/{pk}/"),
    "flood/events/<int:pk>/level/": command_only("flood/events/{pk}/level/", post={"level": "1"}),
    "flood/events/<int:pk>/consultations/": command_only("flood/events/{pk}/consultations/", post={
        "topic": "越权", "attendees": "越权", "decisions": "越权"}),
    "flood/events/<int:pk>/orders/": command_only("flood/events/{pk}/orders/",
                                                  post={"recipients": "x", "content": "x"}),
    "flood/events/<int:pk>/close/": command_only("flood/events/{pk}/close/", post={"summary": "越权"}),
    "flood/events/<int:pk>/roll-calls/": command_only("flood/events/{pk}/roll-calls/", post={}),
    "flood/events/<int:pk>/roll-calls/<int:rc>/answers/": command_only(
        "flood/events/{pk}/roll-calls/{rc}/answers/", post={"post": 1, "answerer": "越权"}),
    "flood/events/<int:pk>/roll-calls/<int:rc>/repeat/": command_only("flood/events/{pk}/roll-calls/{rc}/repeat/",
                                                                      post={}),
    "flood/events/<int:pk>/dispatches/": command_only("flood/events/{pk}/dispatches/", post={"depot": 1}),
    "flood/events/<int:pk>/dispatches/<int:dispatch>/recall/": command_only(
        "flood/events/{pk}/dispatches/{dispatch}/recall/", post={}),
    "flood/events/<int:pk>/briefing.pdf": command_only("flood/events/{pk}/briefing.pdf"),
    "api/flood/events/": command_only("api/flood/events/", api=True),
    "api/flood/events/<int:pk>/": command_only("api/flood/events/{pk}/", api=True),
    "api/flood/events/<int:pk>/level/": command_only("api/flood/events/{pk}/level/", post={"level": 1}, api=True),
    "api/flood/events/<int:pk>/consultations/": command_only("api/flood/events/{pk}/consultations/", post={
        "topic": "越权", "attendees": "越权", "decisions": "越权"}, api=True),
    "api/flood/events/<int:pk>/orders/": command_only("api/flood/events/{pk}/orders/", post={
        "recipients": "x", "content": "x"}, api=True),
    "api/flood/events/<int:pk>/close/": command_only("api/flood/events/{pk}/close/", post={"summary": "x"}, api=True),
    "api/flood/events/<int:pk>/roll-calls/": command_only("api/flood/events/{pk}/roll-calls/", post={}, api=True),
    "api/flood/events/<int:pk>/roll-calls/<int:rc>/": command_only("api/flood/events/{pk}/roll-calls/{rc}/",
                                                                   api=True),
    "api/flood/events/<int:pk>/roll-calls/<int:rc>/answers/": command_only(
        "api/flood/events/{pk}/roll-calls/{rc}/answers/", post={"post": 1, "answerer": "x"}, api=True),
    "api/flood/events/<int:pk>/roll-calls/<int:rc>/repeat/": command_only(
        "api/flood/events/{pk}/roll-calls/{rc}/repeat/", post={}, api=True),
    "api/flood/events/<int:pk>/dispatches/": command_only("api/flood/events/{pk}/dispatches/", post={
        "depot": 1, "teams": [1], "to": {"lon": 116.9, "lat": 38.9}}, api=True),
    "api/flood/events/<int:pk>/dispatches/<int:dispatch>/recall/": command_only(
        "api/flood/events/{pk}/dispatches/{dispatch}/recall/", post={}, api=True),
    "api/flood/depots/": command_only("api/flood/depots/", api=True),
    "api/flood/situation-reports/": probe_situation_reports_api,
    "api/flood/situation-reports/<int:pk>/": probe_situation_report_api_detail,
    "api/flood/situation-photos/<int:pk>/": probe_situation_photo,
    "situation-reports/": probe_situation_page,
}



def probe_overview(w):
    assert w.web.get("/overview/").status_code == 403


def probe_victim_town(w):
    from gridmap.grids.models import Grid

    town = Grid.objects.get(code=VICTIM).parent
    response = w.web.get(f"/towns/{town.code}/")
    assert response.status_code in (403, 404) or town.name not in response.content.decode()


def probe_plan_detail(w):
    from gridmap.inspections.models import AnnualPlan

    assert w.web.get(f"/inspections/plans/{AnnualPlan.objects.first().pk}/").status_code == 403


def probe_plan_approve(w):
    from gridmap.inspections.models import AnnualPlan

    plan = AnnualPlan.objects.first()
    before = (plan.status, plan.approved_by_id)
    assert w.web.post(f"/inspections/plans/{plan.pk}/approve/").status_code == 403
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by_id) == before


def probe_enterprises_api(w):
    response = w.api.get("/api/enterprises/")
    assert response.status_code == 200 and w.enterprise.pk not in [e["id"] for e in response.json()["results"]]
    holds_nothing_of_the_victim(response, w)
    holds_nothing_of_the_victim(w.api.get("/api/enterprises/", {"q": VICTIM_CREDIT_CODE}), w)


def probe_enterprise_api_detail(w):
    assert w.api.get(f"/api/enterprises/{w.enterprise.pk}/").status_code == 404


def probe_self_inspections_api(w):
    from gridmap.inspections.models import SelfInspection

    holds_nothing_of_the_victim(w.api.get("/api/self-inspections/", {"enterprise": w.enterprise.pk}), w)
    before = SelfInspection.objects.count()
    response = w.api.post("/api/self-inspections/", {"enterprise": w.enterprise.pk, "items": [
        {"code": "RP1-post", "result": "hazard", "note": "越权"}]}, format="json")
    assert response.status_code == 403 and SelfInspection.objects.count() == before
    w.inspection_records_unchanged()


def probe_enterprise_desk_pages(route):
    def probe(w):
        url = "/" + route.replace("<int:pk>", str(w.hazard.pk))
        assert w.web.get(url).status_code == 403
        assert w.web.post(url, {"measures": "越权", "rectified_on": "2026-01-01"}).status_code == 403
        w.inspection_records_unchanged()
    return probe


def probe_enterprise_accounts_page(w):
    from gridmap.enterprises.models import EnterpriseAccount

    assert w.web.get(f"/enterprises/{w.enterprise.pk}/accounts/").status_code == 404
    assert w.web.post(f"/enterprises/{w.enterprise.pk}/accounts/", {"duty": "principal"}).status_code == 404
    assert not EnterpriseAccount.objects.filter(enterprise=w.enterprise).exists()


def probe_online_page(w):
    response = w.web.get("/registers/online/")
    assert response.status_code == 200
    holds_nothing_of_the_victim(response, w)


def probe_register_changes(w):
    assert w.web.get("/registers/changes/").status_code == 403


def probe_register_change_action(w):
    from gridmap.enterprises.models import RegisterChange

    for action in ("approve", "return"):
        assert w.web.post(f"/registers/changes/1/{action}/", {"note": "越权"}).status_code == 403
    assert not RegisterChange.objects.filter(status__in=("approved", "returned")).exists()


PROBES = {
    "ogc/collections": probe_ogc_collections,
    "ogc/collections/<slug:name>": probe_ogc_collection,
    "ogc/collections/<slug:name>/items": probe_ogc_items,
    "ogc/collections/<slug:name>/items/<int:fid>": probe_ogc_item,
    "registers/changes/": probe_register_changes,
    "registers/changes/<int:pk>/<slug:action>/": probe_register_change_action,
    "enterprise/changes/": probe_enterprise_desk_pages("enterprise/changes/"),
    "registers/online/": probe_online_page,
    "api/enterprises/": probe_enterprises_api,
    "api/enterprises/<int:pk>/": probe_enterprise_api_detail,
    "api/self-inspections/": probe_self_inspections_api,
    "enterprise/": probe_enterprise_desk_pages("enterprise/"),
    "enterprise/check/": probe_enterprise_desk_pages("enterprise/check/"),
    "enterprise/hazards/": probe_enterprise_desk_pages("enterprise/hazards/"),
    "enterprise/hazards/<int:pk>/": probe_enterprise_desk_pages("enterprise/hazards/<int:pk>/"),
    "enterprises/<int:pk>/accounts/": probe_enterprise_accounts_page,
    "flood/": probe_flood_pages,
    "flood/exposure/": probe_flood_exposure,
    "flood/exposure.pdf": probe_flood_pdf,
    "flood/zones/<int:pk>/tasks/": probe_flood_tasks,
    "flood/stock/": probe_flood_stock,
    "flood/stock/<int:pk>/move/": probe_flood_stock_move,
    "flood/duty/": probe_flood_duty,
    "api/flood/exposure/": probe_flood_exposure_api,
    "api/flood/readings/": probe_readings_api,
    "api/flood/stations/": probe_stations_api,
    "api/flood/situation/": probe_situation_api,
    "flood/readings/upload/": probe_readings_upload,
    "": probe_home,
    "api/exports/": probe_exports_api,
    "api/exports/<int:pk>/": probe_export_api,
    "api/exports/<int:pk>/download/": probe_export_download,
    "exports/": probe_my_exports,
    "map/": probe_map,
    "my-cell/": probe_my_cell,
    "patrols/": probe_patrol_list,
    "patrols/new/": probe_patrol_new,
    "patrols/<int:pk>/": probe_patrol_page,
    "cells/<str:code>/": probe_cell_page,
    "assign/": probe_assign,
    "assign/new/": probe_assign_new,
    "assign/<int:pk>/<slug:action>/": probe_assignment_action,
    "assign/roster/": probe_roster,
    "coverage/": probe_coverage,
    "api/grids/": probe_grids,
    "api/grids/lookup/": probe_lookup,
    "api/grids/<str:code>/assignments/": probe_grid_assignments,
    "api/grids/<str:code>/": probe_grid_detail,
    "api/patrols/": probe_patrols_api,
    "api/patrols/<int:pk>/": probe_patrol_api_detail,
    "api/patrols/photos/<int:pk>/": probe_photo,
    "api/layers/": probe_layer_list,
    "api/layers/<slug:name>.geojson": probe_layers,
    "tiles/<slug:name>/<int:z>/<int:x>/<int:y>.mvt": probe_tiles,
    "enterprises/": probe_enterprise_list,
    "enterprises/<int:pk>/": probe_enterprise_page,
    "enterprises/<int:pk>/register.pdf": probe_enterprise_pdf,
    "enterprises/export.<str:fmt>": probe_enterprise_export,
    "registers/": probe_registers,
    "registers/map/": probe_register_map,
    "inspections/area/": probe_area_page,
    "inspections/area/batches/<int:pk>/undo/": probe_batch_undo,
    "inspections/tasks/export.csv": lambda w: probe_list_export(w, "tasks"),
    "inspections/hazards/export.csv": lambda w: probe_list_export(w, "hazards"),
    "inspections/reports/export.csv": lambda w: probe_list_export(w, "reports"),
    "inspections/documents/export.csv": lambda w: probe_list_export(w, "documents"),
    "inspections/tasks/": probe_task_list,
    "inspections/tasks/<int:pk>/": probe_task_page,
    "inspections/tasks/<int:pk>/<slug:action>/": probe_task_action,
    "inspections/hazards/": probe_hazard_list,
    "inspections/hazards/<int:pk>/": probe_hazard_page,
    "inspections/hazards/<int:pk>/<slug:action>/": probe_hazard_action,
    "inspections/reports/": probe_report_list,
    "inspections/reports/<int:pk>/": probe_report_page,
    "inspections/documents/": probe_document_list,
    "inspections/documents/<int:pk>/": probe_document_page,
    "inspections/documents/<int:pk>/<slug:action>/": probe_document_action,
    "inspections/exposures/": probe_exposure_list,
    "inspections/summonses/": probe_summons_list,
    "inspections/publication/": probe_publication_manage,
    "inspections/plan/": probe_plan_page,
    "inspections/statistics/": probe_statistics,
    "inspections/statistics/export.<str:fmt>": probe_statistics_export,
    "inspections/statistics/cells.geojson": probe_statistics_cells,
    "api/inspections/area/enterprises/": probe_area_enterprises,
    "api/inspections/area/assign/": probe_area_assign,
    "api/inspections/tasks/": probe_tasks_api,
    "api/inspections/tasks/<int:pk>/": probe_task_api_detail,
    "api/inspections/tasks/<int:pk>/<slug:action>/": probe_task_api_action,
    "api/inspections/tasks/<int:pk>/inspections/": probe_task_api_inspections,
    "api/inspections/hazards/<int:pk>/reinspections/": probe_hazard_api_reinspections,
    "api/inspections/hazards/<int:pk>/<slug:action>/": probe_hazard_api_action,
    "api/inspections/hazards/": probe_hazards_api,
    "api/inspections/hazards/<int:pk>/": probe_hazard_api_detail,
    "api/inspections/criteria/": probe_criteria_api,
    "api/inspections/reports/": probe_reports_api,
    "api/auth/devices/": probe_devices_api,
    "api/auth/devices/<int:pk>/": probe_device_api,
    "accounts/devices/": probe_devices_page,
    "api/inspections/reports/<int:pk>/": probe_report_api_detail,
    "api/inspections/photos/<int:pk>/": probe_evidence_photo,
    "api/inspections/documents/": probe_documents_api,
    "api/inspections/documents/<int:pk>/": probe_document_api_detail,
    "api/inspections/documents/<int:pk>/issue/": probe_document_api_issue,
    "api/inspections/documents/<int:pk>/review/": probe_document_api_review,
    "api/inspections/exposures/": probe_exposures_api,
    "api/inspections/summonses/": probe_summonses_api,
    "api/field/package/": probe_field_package,
    "outbox/": probe_outbox,
    **EVENT_PROBES,
    "overview/": probe_overview,
    "towns/<str:code>/": probe_victim_town,
    "inspections/plans/<int:pk>/": probe_plan_detail,
    "inspections/plans/<int:pk>/approve/": probe_plan_approve,
}


def test_every_route_is_probed():
    routed = {r for r in routes() if not r.startswith("admin/")}
    assert routed - set(PROBES) - set(EXEMPT) == set()
    assert set(PROBES) - routed == set()


@pytest.mark.parametrize("route", sorted(PROBES))
def test_officer_of_another_cell_gets_nothing(route):
    PROBES[route](World())


def test_admin_site_refuses_officers():
    client = Client()
    client.force_login(officer_of(ATTACKER))
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/grids/gridassignment/").status_code == 302


CONCRETE = {"api/exports/<int:pk>/": "api/exports/1/", "api/exports/<int:pk>/download/": "api/exports/1/download/",
            "flood/zones/<int:pk>/tasks/": "flood/zones/1/tasks/", "flood/stock/<int:pk>/move/": "flood/stock/1/move/",
            "patrols/<int:pk>/": "patrols/1/", "cells/<str:code>/": f"cells/{VICTIM}/",
            "api/auth/devices/<int:pk>/": "api/auth/devices/1/",
            "assign/<int:pk>/<slug:action>/": "assign/1/end/",
            "api/grids/<str:code>/assignments/": f"api/grids/{VICTIM}/assignments/",
            "api/grids/<str:code>/": f"api/grids/{VICTIM}/", "api/patrols/<int:pk>/": "api/patrols/1/",
            "api/patrols/photos/<int:pk>/": "api/patrols/photos/1/",
            "api/layers/<slug:name>.geojson": "api/layers/grids-level2.geojson",
            "tiles/<slug:name>/<int:z>/<int:x>/<int:y>.mvt": "tiles/grids-level2/12/3378/1566.mvt",
            "ogc/collections/<slug:name>": "ogc/collections/grids-level2",
            "ogc/collections/<slug:name>/items": "ogc/collections/grids-level2/items",
            "ogc/collections/<slug:name>/items/<int:fid>": "ogc/collections/grids-level2/items/1",
            "enterprises/<int:pk>/": "enterprises/1/",
            "enterprises/<int:pk>/register.pdf": "enterprises/1/register.pdf",
            "enterprises/<int:pk>/accounts/": "enterprises/1/accounts/",
            "registers/changes/<int:pk>/<slug:action>/": "registers/changes/1/approve/",
            "api/enterprises/<int:pk>/": "api/enterprises/1/",
            "enterprise/hazards/<int:pk>/": "enterprise/hazards/1/",
            "enterprises/export.<str:fmt>": "enterprises/export.csv",
            "inspections/tasks/<int:pk>/": "inspections/tasks/1/",
            "inspections/tasks/<int:pk>/<slug:action>/": "inspections/tasks/1/accept/",
            "inspections/hazards/<int:pk>/": "inspections/hazards/1/",
            "inspections/hazards/<int:pk>/<slug:action>/": "inspections/hazards/1/close/",
            "inspections/reports/<int:pk>/": "inspections/reports/1/",
            "inspections/documents/<int:pk>/": "inspections/documents/1/",
            "inspections/documents/<int:pk>/<slug:action>/": "inspections/documents/1/review/",
            "inspections/statistics/export.<str:fmt>": "inspections/statistics/export.csv",
            "inspections/area/batches/<int:pk>/undo/": "inspections/area/batches/1/undo/",
            "inspections/plans/<int:pk>/": "inspections/plans/1/",
            "inspections/plans/<int:pk>/approve/": "inspections/plans/1/approve/",
            "api/inspections/tasks/<int:pk>/": "api/inspections/tasks/1/",
            "api/inspections/tasks/<int:pk>/<slug:action>/": "api/inspections/tasks/1/accept/",
            "api/inspections/hazards/<int:pk>/": "api/inspections/hazards/1/",
            "api/inspections/tasks/<int:pk>/inspections/": "api/inspections/tasks/1/inspections/",
            "api/inspections/hazards/<int:pk>/reinspections/": "api/inspections/hazards/1/reinspections/",
            "api/inspections/hazards/<int:pk>/<slug:action>/": "api/inspections/hazards/1/close/",
            "api/inspections/reports/<int:pk>/": "api/inspections/reports/1/",
            "api/inspections/photos/<int:pk>/": "api/inspections/photos/1/",
            "api/inspections/documents/<int:pk>/": "api/inspections/documents/1/",
            "api/inspections/documents/<int:pk>/issue/": "api/inspections/documents/1/issue/",
            "api/inspections/documents/<int:pk>/review/": "api/inspections/documents/1/review/",
            **{route: route.replace("<int:pk>", "1").replace("<int:rc>", "1").replace("<int:dispatch>", "1")
               for route in EVENT_PROBES if "<int:" in route}}


@pytest.mark.parametrize("route", sorted(set(PROBES) | {"api/docs/", "api/schema/", "accounts/password/"}))
def test_anonymous_is_refused(route):
    url = "/" + CONCRETE.get(route, route)
    client = Client()
    response = client.post(url) if route.startswith("assign/") and route != "assign/" else client.get(url)
    if route.startswith(("api/", "tiles/", "ogc/")) and route != "api/docs/":
        # The OGC API answers a client (no Accept for HTML) with JSON: 401 (test_ogc covers
        # a browser's redirect to the sign-in page).
        assert response.status_code in (401, 403), url
    else:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- an enterprise user (企业用户): every route, with the victim's ids -----------------------------
# The enterprise user's own enterprise lies in the victim's cell, next to the victim enterprise:
# being in the same cell must show nothing of the neighbour either.

OWN_NAME = "本企业自查用户企业"


def own_credit_code() -> str:
    from gridmap.enterprises.credit_code import check_character, organisation_check_character

    organisation = "MA05XKD1"
    body = "91120118" + organisation + organisation_check_character(organisation)
    return body + check_character(body)


def enterprise_user(w: World):
    from django.contrib.auth.models import Group

    from gridmap.accounts.models import Role, User
    from gridmap.enterprises.models import EnterpriseAccount

    lon, lat = w.victim_point
    own = enterprise_save(credit_code=own_credit_code(), location=Point(lon, lat, srid=4326), name=OWN_NAME,
                          industry_code="3130", supervision_class="general", status="operating")
    user = User.objects.create(username=own.credit_code, full_name="企业安全员")
    user.groups.add(Group.objects.get_or_create(name=Role.ENTERPRISE)[0])
    EnterpriseAccount.objects.create(user=user, enterprise=own)
    return user, own


def victim_url(route: str, w: World) -> str:
    """The route with the victim's ids (the record each part of the path names)."""
    import math

    by_prefix = (("patrols/photos/", w.photo.pk), ("api/patrols/photos/", w.photo.pk),
                 ("patrols/", w.patrol.pk), ("api/patrols/", w.patrol.pk),
                 ("enterprises/", w.enterprise.pk), ("api/enterprises/", w.enterprise.pk),
                 ("inspections/tasks/", w.task.pk), ("api/inspections/tasks/", w.task.pk),
                 ("inspections/hazards/", w.hazard.pk), ("api/inspections/hazards/", w.hazard.pk),
                 ("enterprise/hazards/", w.hazard.pk),
                 ("inspections/reports/", w.report.pk), ("api/inspections/reports/", w.report.pk),
                 ("inspections/documents/", w.document.pk), ("api/inspections/documents/", w.document.pk),
                 ("api/inspections/photos/", w.evidence[0].pk), ("assign/", w.assignment.pk))
    pk = next((value for prefix, value in by_prefix if route.startswith(prefix)), 1)
    lon, lat = w.victim_point
    n = 2 ** 14
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    url = route
    for part, value in (("<int:pk>", pk), ("<str:code>", VICTIM), ("<slug:action>", "close"),
                        ("<slug:name>", "enterprises"), ("<str:fmt>", "csv"), ("<int:z>", 14), ("<int:x>", x),
                        ("<int:y>", y), ("<int:rc>", 1), ("<int:dispatch>", 1)):
        url = url.replace(part, str(value))
    return "/" + url


def holds_nothing_of_the_neighbour(response, w: World, url: str):
    body = text(response)
    assert "受害网格企业" not in body and VICTIM_CREDIT_CODE not in body, url
    assert w.victim_officer.username not in body, url


ENTERPRISE_ROUTES = sorted((set(PROBES) | set(EXEMPT)) - {"accounts/logout/"})


@pytest.mark.parametrize("route", ENTERPRISE_ROUTES)
def test_an_enterprise_user_gets_nothing_of_another_enterprise(route):
    """Every route, read and written, as the account of an enterprise in the victim's cell: a
    refusal, or an answer that holds nothing of the neighbour; nothing of the victim changes."""
    w = World()
    user, own = enterprise_user(w)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    url = victim_url(route, w)
    client = api if route.startswith(("api/", "tiles/")) else web
    for response in (client.get(url), client.post(url, {})):
        if response.status_code not in (401, 403, 404, 405):
            holds_nothing_of_the_neighbour(response, w, url)
    w.unchanged()
    w.inspection_records_unchanged()
    w.enforcement_unchanged()


def test_the_enterprise_user_reads_its_own():
    w = World()
    user, own = enterprise_user(w)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/enterprises/{own.pk}/").status_code == 200
    assert api.get(f"/api/enterprises/{w.enterprise.pk}/").status_code == 404
    assert [e["id"] for e in api.get("/api/enterprises/").json()["results"]] == [own.pk]
