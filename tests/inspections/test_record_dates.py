"""Bureau dates that cannot be (issue 23, item 7): a legal review, a service (送达), an
exposure, a summons, an inspection or a hazard dated ahead of today (beyond a clock's drift) or
before the platform's data starts is refused, naming the field, and nothing is stored."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gridmap.core.dates import CLOCK_DRIFT, check_record_date, check_record_moment
from gridmap.inspections.models import EnforcementDocument, Exposure, LegalReview, Summons

pytestmark = pytest.mark.django_db
URL = "/api/inspections/documents/"
TODAY = timezone.localdate().isoformat()
BAD_DATES = ["2030-01-01", "2009-12-31", "0001-01-01", "9999-12-31"]
CHECKS = {f"{name}_passed": True for name, _label in LegalReview.CHECKS}


@pytest.fixture
def api(supervisor):
    client = APIClient()
    client.force_authenticate(supervisor)
    return client


@pytest.fixture
def draft(api, enforcers, cell_enterprise):
    response = api.post(URL, {"kind": "penalty_decision", "number": "津静应急罚〔2026〕日期1号",
                              "enterprise": cell_enterprise.pk, "signers": [s.username for s in enforcers[:2]],
                              "fine_amount": "80000.00"}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


@pytest.mark.parametrize("day", BAD_DATES)
def test_a_legal_review_dated_ahead_or_before_the_data_is_refused(api, draft, day):
    response = api.post(f"{URL}{draft}/review/", {"reviewed_on": day, "approved": True, "opinion": "同意", **CHECKS},
                        format="json")
    assert response.status_code == 400 and "reviewed_on" in response.json(), response.json()
    assert not LegalReview.objects.filter(document_id=draft).exists()


@pytest.mark.parametrize("day", BAD_DATES[:2])
def test_a_service_date_ahead_or_before_the_data_is_refused(api, draft, day):
    assert api.post(f"{URL}{draft}/review/", {"reviewed_on": TODAY, "approved": True, "opinion": "同意", **CHECKS},
                    format="json").status_code == 201
    response = api.post(f"{URL}{draft}/issue/", {"issued_on": day}, format="json")
    assert response.status_code == 400 and "issued_on" in response.json(), response.json()
    assert EnforcementDocument.objects.get(pk=draft).status == "draft"


@pytest.mark.parametrize("day", BAD_DATES[:2])
def test_exposure_and_summons_dates_are_bounded(api, cell_enterprise, day):
    response = api.post("/api/inspections/exposures/", {"enterprise": cell_enterprise.pk, "exposed_on": day,
                                                         "medium": "静海区融媒体中心"}, format="json")
    assert response.status_code == 400 and "exposed_on" in response.json()
    response = api.post("/api/inspections/summonses/", {"enterprise": cell_enterprise.pk, "held_on": day,
                                                         "people": 2}, format="json")
    assert response.status_code == 400 and "held_on" in response.json()
    assert not Exposure.objects.filter(exposed_on=day).exists() and not Summons.objects.filter(held_on=day).exists()


def test_the_bounds_allow_today_and_a_clock_a_little_fast(settings):
    check_record_date(timezone.localdate(), field="d", label="日期")
    check_record_date(dt.date.fromisoformat(settings.GRIDMAP_DATA_START), field="d", label="日期")
    check_record_moment(timezone.now() + CLOCK_DRIFT - dt.timedelta(seconds=5), field="t", label="时间")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        check_record_moment(timezone.now() + CLOCK_DRIFT + dt.timedelta(minutes=1), field="t", label="时间")
    assert "t" in error.value.message_dict
