"""An enterprise records its self-inspection on a phone without signal: the check waits in the
same outbox as the officers' records and goes up exactly once when the signal is back."""

import pytest
from playwright.sync_api import expect

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import Hazard, SelfInspection
from gridmap.inspections.self_checks import check_items
from tests.concurrency import committed

from .conftest import login

pytestmark = pytest.mark.django_db


def test_a_self_inspection_recorded_offline_goes_up_once(open_page, live_site):
    enterprise = (Enterprise.objects.filter(cell__isnull=False, risk_points__isnull=False)
                  .exclude(cell__code__startswith="120118108-").exclude(cell__code__startswith="120118113-")
                  .order_by("-id").first())
    code = next(i.code for i in check_items(enterprise) if not i.major_criterion)
    mine = SelfInspection.objects.filter(enterprise=enterprise)
    page, _watch = open_page(width=390, height=844, mobile=True)
    try:
        login(page, live_site, enterprise.credit_code)
        page.goto(f"{live_site.url}/enterprise/check/")
        expect(page.locator("#self-check-form input[name=checked_at]")).not_to_have_value("")
        page.context.set_offline(True)
        page.check(f"[data-code='{code}'] input[value=hazard]")
        page.fill(f"[data-code='{code}'] input[name='note-{code}']", "离线自查：灭火器过期")
        page.click("#self-check-form button[type=submit]")
        expect(page.locator("#self-check-result")).to_contain_text("待上传")
        assert not mine.exists()
        page.context.set_offline(False)
        expect(page.locator("[data-outbox-count]")).to_have_text("0", timeout=30000)
        assert mine.count() == 1 and mine.get().client_id is not None
        hazard = Hazard.objects.get(self_inspection=mine.get())
        assert hazard.source == "self_inspection" and "灭火器过期" in hazard.description
        page.reload()
        assert mine.count() == 1
    finally:
        def clean():
            Hazard.objects.filter(self_inspection__enterprise=enterprise).delete()
            SelfInspection.objects.filter(enterprise=enterprise).delete()
        committed(clean)
