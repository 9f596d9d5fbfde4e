"""The enforcement API: documents (draft, legal review, issue), exposures and summons,
thin over the services and scoped by cell."""

from urllib.parse import urlencode

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import EnforcementDocument, Exposure, LegalReview, Summons
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()
URL = "/api/inspections/documents/"
# The four checks of a legal review, all passed.
CHECKS = {f"{name}_passed": True for name in ("subject", "authority", "basis", "procedure")}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def penalty(enterprise, signers, number="津静应急罚〔2026〕API1号", **extra):
    return {"kind": "penalty_decision", "number": number, "enterprise": enterprise.pk,
            "signers": [s.username for s in signers], "fine_amount": "80000.00", **extra}


@pytest.fixture
def other_officer(cell_enterprise):
    other = Enterprise.objects.filter(cell__isnull=False).exclude(cell=cell_enterprise.cell).order_by("pk").first()
    return officer_of(other.cell.code)


def test_major_decision_needs_an_approved_legal_review(supervisor, enforcers, cell_enterprise):
    api = client_for(supervisor)
    valid, other, _ = enforcers
    # Issued at once without a review: refused, and nothing is kept.
    response = api.post(URL, penalty(cell_enterprise, [valid, other], issued_on=TODAY), format="json")
    assert response.status_code == 400 and "legal_review" in response.json()
    assert not EnforcementDocument.objects.filter(number="津静应急罚〔2026〕API1号").exists()

    response = api.post(URL, penalty(cell_enterprise, [valid, other]), format="json")
    assert response.status_code == 201, response.json()
    doc = response.json()
    assert doc["status"] == "draft" and doc["is_major"] and doc["legal_review"] is None
    assert api.post(f"{URL}{doc['id']}/issue/", {"issued_on": TODAY}, format="json").status_code == 400

    # A rejected review does not open the way either.
    response = api.post(f"{URL}{doc['id']}/review/", {"reviewed_on": TODAY, "approved": False,
                                                       "opinion": "证据不足", **CHECKS, "basis_passed": False,
                                                       "basis_note": "证据不足"}, format="json")
    assert response.status_code == 201 and response.json()["legal_review"]["approved"] is False
    response = api.post(f"{URL}{doc['id']}/issue/", {"issued_on": TODAY}, format="json")
    assert response.status_code == 400 and "legal_review" in response.json()

    response = api.post(URL, penalty(cell_enterprise, [valid, other], number="津静应急罚〔2026〕API2号"),
                        format="json")
    second = response.json()["id"]
    assert api.post(f"{URL}{second}/review/", {"opinion": "缺日期"}, format="json").status_code == 400
    response = api.post(f"{URL}{second}/review/", {"reviewed_on": TODAY, "approved": True,
                                                    "opinion": "事实清楚，程序合法", **CHECKS}, format="json")
    assert response.status_code == 201
    # A second review of the same document is refused.
    assert api.post(f"{URL}{second}/review/", {"reviewed_on": TODAY, "approved": True,
                                                "opinion": "再审", **CHECKS}, format="json").status_code == 400
    response = api.post(f"{URL}{second}/issue/", {"issued_on": TODAY}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "issued" and response.json()["issued_on"] == TODAY
    assert LegalReview.objects.filter(document_id=second, approved=True).exists()


def test_a_review_sent_as_a_form_must_say_approved_or_not(supervisor, enforcers, cell_enterprise):
    api = client_for(supervisor)
    valid, other, _ = enforcers
    body = penalty(cell_enterprise, [valid, other], number="津静应急罚〔2026〕API9号")
    doc = api.post(URL, body, format="json").json()

    def review_form(**fields):
        return api.post(f"{URL}{doc['id']}/review/", urlencode(fields),
                        content_type="application/x-www-form-urlencoded")

    # Found by the schema fuzzer: form data without "approved" was read as "not approved".
    response = review_form(reviewed_on=TODAY, opinion="意见", **CHECKS)
    assert response.status_code == 400 and "approved" in response.json()
    assert not LegalReview.objects.filter(document_id=doc["id"]).exists()
    # Nor may a check be left unsaid.
    response = review_form(reviewed_on=TODAY, approved="false", opinion="意见",
                           **{k: v for k, v in CHECKS.items() if k != "procedure_passed"})
    assert response.status_code == 400 and "procedure_passed" in response.json()
    response = review_form(reviewed_on=TODAY, approved="false", opinion="意见", **CHECKS)
    assert response.status_code == 201 and response.json()["legal_review"]["approved"] is False


def test_signer_without_a_valid_certificate_is_refused(supervisor, enforcers, cell_enterprise):
    api = client_for(supervisor)
    valid, _, expired = enforcers
    body = {"kind": "order_to_correct", "number": "津静应急责改〔2026〕API3号", "enterprise": cell_enterprise.pk,
            "signers": [valid.username, expired.username], "issued_on": TODAY}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and "signers" in response.json()
    assert "执法证" in str(response.json()["signers"])
    assert not EnforcementDocument.objects.filter(number=body["number"]).exists()
    # Unknown signers, bad fields and a fine outside a penalty decision name their field.
    for change, field in (({"signers": [valid.username, "nobody-here"]}, "signers"),
                          ({"kind": "nonsense"}, "kind"), ({"enterprise": 2_000_000_000}, "enterprise"),
                          ({"fine_amount": "-1"}, "fine_amount"), ({"fine_amount": "100"}, "fine_amount"),
                          ({"number": "   "}, "number"), ({"equipment_sealed": -1}, "equipment_sealed")):
        response = api.post(URL, {**body, **change}, format="json")
        assert response.status_code == 400 and field in response.json(), (change, response.json())


def test_listing_is_scoped_and_filtered(supervisor, enforcers, cell_enterprise, officer, other_officer):
    valid, other, _ = enforcers
    api = client_for(supervisor)
    made = api.post(URL, {"kind": "order_to_correct", "number": "津静应急责改〔2026〕API4号",
                          "enterprise": cell_enterprise.pk, "signers": [valid.username, other.username],
                          "issued_on": TODAY}, format="json")
    assert made.status_code == 201, made.json()
    doc = made.json()["id"]
    year = timezone.localdate().year
    ids = [d["id"] for d in api.get(URL, {"kind": "order_to_correct", "year": year}).json()["results"]]
    assert doc in ids
    assert doc not in [d["id"] for d in api.get(URL, {"kind": "penalty_decision"}).json()["results"]]
    assert doc not in [d["id"] for d in api.get(URL, {"year": year - 3}).json()["results"]]
    assert api.get(URL, {"kind": "nonsense"}).status_code == 400
    # The cell's own officer sees it, but cannot write.
    own = client_for(officer)
    assert doc in [d["id"] for d in own.get(URL).json()["results"]]
    assert own.get(f"{URL}{doc}/").status_code == 200
    assert own.post(URL, {"kind": "order_to_correct", "number": "X", "enterprise": cell_enterprise.pk,
                          "signers": []}, format="json").status_code == 403
    assert own.post(f"{URL}{doc}/review/", {"reviewed_on": TODAY, "approved": True, "opinion": "x"},
                    format="json").status_code == 403


def test_officer_of_another_cell_sees_nothing_and_cannot_write(supervisor, enforcers, cell_enterprise, other_officer):
    valid, other, _ = enforcers
    doc = client_for(supervisor).post(URL, penalty(cell_enterprise, [valid, other]), format="json").json()["id"]
    api = client_for(other_officer)
    assert doc not in [d["id"] for d in api.get(URL).json()["results"]]
    assert api.get(f"{URL}{doc}/").status_code == 404
    assert api.post(f"{URL}{doc}/review/", {"reviewed_on": TODAY, "approved": True, "opinion": "越权"},
                    format="json").status_code == 404
    assert api.post(f"{URL}{doc}/issue/", {"issued_on": TODAY}, format="json").status_code == 404
    assert api.post(URL, penalty(cell_enterprise, [valid, other], number="越权"), format="json").status_code == 403
    for url, body in (("/api/inspections/exposures/", {"enterprise": cell_enterprise.pk, "exposed_on": TODAY,
                                                        "medium": "越权"}),
                      ("/api/inspections/summonses/", {"enterprise": cell_enterprise.pk, "held_on": TODAY})):
        assert api.post(url, body, format="json").status_code == 403
    assert not LegalReview.objects.filter(document_id=doc).exists()
    assert EnforcementDocument.objects.get(pk=doc).status == "draft"


def test_exposure_and_summons(supervisor, cell_enterprise, officer, other_officer):
    api = client_for(supervisor)
    response = api.post("/api/inspections/exposures/", {"enterprise": cell_enterprise.pk, "exposed_on": TODAY,
                                                         "medium": "静海区融媒体中心", "note": "重大隐患未整改"},
                        format="json")
    assert response.status_code == 201 and response.json()["enterprise"]["id"] == cell_enterprise.pk
    assert api.post("/api/inspections/exposures/", {"enterprise": cell_enterprise.pk, "exposed_on": TODAY,
                                                     "medium": "  "}, format="json").status_code == 400
    response = api.post("/api/inspections/summonses/", {"enterprise": cell_enterprise.pk, "held_on": TODAY,
                                                         "people": 3}, format="json")
    assert response.status_code == 201 and response.json()["people"] == 3
    assert Exposure.objects.filter(enterprise=cell_enterprise).count() == 1
    assert Summons.objects.filter(enterprise=cell_enterprise, people=3).count() == 1
    mine = client_for(officer)
    assert len(mine.get("/api/inspections/exposures/").json()["results"]) >= 1
    assert len(mine.get("/api/inspections/summonses/").json()["results"]) >= 1
    theirs = client_for(other_officer)
    assert cell_enterprise.pk not in [r["enterprise"]["id"] for r in
                                      theirs.get("/api/inspections/exposures/").json()["results"]]
    assert cell_enterprise.pk not in [r["enterprise"]["id"] for r in
                                      theirs.get("/api/inspections/summonses/").json()["results"]]


def test_documents_page_issues_after_review(supervisor, enforcers, cell_enterprise, officer):
    from django.test import Client

    valid, other, expired = enforcers
    web = Client(enforce_csrf_checks=True)
    web.force_login(supervisor)
    page = web.get("/inspections/documents/")
    assert page.status_code == 200 and "制作执法文书" in page.content.decode()
    assert "onclick" not in page.content.decode() and "<script>" not in page.content.decode()
    token = page.cookies["csrftoken"].value
    assert web.post("/inspections/documents/", {"kind": "order_to_correct"}).status_code == 403  # no CSRF token
    body = {"csrfmiddlewaretoken": token, "kind": "compulsory_measure", "number": "津静应急强〔2026〕WEB1号",
            "enterprise": cell_enterprise.credit_code, "signers": [valid.username, other.username],
            "equipment_sealed": "2", "issued_on": TODAY}
    response = web.post("/inspections/documents/", body, follow=True)
    assert "法制审核" in response.content.decode()
    assert not EnforcementDocument.objects.filter(number=body["number"]).exists()
    response = web.post("/inspections/documents/", {**body, "issued_on": ""})
    doc = EnforcementDocument.objects.get(number=body["number"])
    assert response.status_code == 302 and response["Location"] == f"/inspections/documents/{doc.pk}/"
    assert doc.equipment_sealed == 2 and doc.status == "draft"
    web.post(f"/inspections/documents/{doc.pk}/review/", {"csrfmiddlewaretoken": token, "reviewed_on": TODAY,
                                                          "approved": "1", "opinion": "程序合法",
                                                          **{k: "1" for k in CHECKS}})
    web.post(f"/inspections/documents/{doc.pk}/issue/", {"csrfmiddlewaretoken": token, "issued_on": TODAY})
    doc.refresh_from_db()
    assert doc.status == "issued" and doc.legal_review.approved
    year = timezone.localdate().year
    listed = web.get("/inspections/documents/", {"kind": "compulsory_measure", "year": year}).content.decode()
    assert body["number"] in listed
    assert body["number"] not in web.get("/inspections/documents/", {"kind": "penalty_decision"}).content.decode()
    # The cell's officer reads it but gets no forms and cannot post.
    own = Client()
    own.force_login(officer)
    assert body["number"] in own.get("/inspections/documents/").content.decode()
    detail = own.get(f"/inspections/documents/{doc.pk}/").content.decode()
    assert body["number"] in detail and "记录法制审核" not in detail
    assert own.post("/inspections/documents/", {"kind": "order_to_correct"}).status_code == 403
