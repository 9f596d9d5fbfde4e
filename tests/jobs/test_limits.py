"""Per-user hourly limits on tokens issued and reports filed: 429 with Retry-After."""

import pytest
from rest_framework.test import APIClient

from gridmap.accounts.models import DeviceToken
from gridmap.core.ratelimit import RateLimited
from gridmap.inspections.models import Report
from gridmap.inspections.services import report_submit
from tests.factories import inside, officer_of

pytestmark = pytest.mark.django_db
CELL = "120118108-003"


def test_tokens_beyond_the_hourly_limit_are_refused(supervisor, settings):
    settings.GRIDMAP_RATE_TOKENS_PER_HOUR = 3
    client = APIClient()
    for _ in range(2):
        assert client.post("/api/auth/token/", {"username": "supervisor", "password": "gridmap-demo"},
                           format="json").status_code == 200
    client.force_authenticate(supervisor)
    assert client.post("/api/auth/devices/", {"name": "第三台"}, format="json").status_code == 201
    refused = client.post("/api/auth/devices/", {"name": "第四台"}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3500
    assert "签发令牌过于频繁" in refused.json()["detail"]
    again = APIClient().post("/api/auth/token/", {"username": "supervisor", "password": "gridmap-demo"}, format="json")
    assert again.status_code == 429 and "Retry-After" in again
    assert DeviceToken.objects.filter(user=supervisor).count() == 3


def test_reports_beyond_the_hourly_limit_are_refused_on_the_page_and_the_api(client, settings):
    settings.GRIDMAP_RATE_REPORTS_PER_HOUR = 1
    officer = officer_of(CELL)
    lon, lat = inside(CELL)
    report_submit(actor=officer, description="第一次举报", lon=lon, lat=lat)
    with pytest.raises(RateLimited):
        report_submit(actor=officer, description="第二次举报", lon=lon, lat=lat)
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/inspections/reports/", {"description": "第三次举报", "lon": lon, "lat": lat})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    client.force_login(officer)
    page = client.post("/inspections/reports/", {"description": "第四次举报", "lon": lon, "lat": lat,
                                                 "crs": "wgs84", "source": "public"})
    assert page.status_code == 429 and "提交举报过于频繁" in page.content.decode()
    assert Report.objects.filter(created_by=officer, description__endswith="次举报").count() == 1
