"""An enterprise records its self-inspection on a phone without signal: the check waits in the
same outbox as the officers' records, with each hazard item's own photo, and goes up exactly
once when the signal is back, sent with the enterprise user's own device token."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gridmap.accounts.models import DeviceToken
from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import Hazard, SelfInspection
from gridmap.inspections.self_checks import check_items
from tests.concurrency import committed
from tests.factories import png_bytes

from .conftest import login

pytestmark = pytest.mark.django_db


def test_a_self_inspection_recorded_offline_goes_up_once(open_page, live_site):
    enterprise = (Enterprise.objects.filter(cell__isnull=False, risk_points__isnull=False)
                  .exclude(cell__code__startswith="120118108-").exclude(cell__code__startswith="120118113-")
                  .order_by("-id").first())
    code, second = [i.code for i in check_items(enterprise) if not i.major_criterion][:2]
    # Today's (the sample's self-inspections run to yesterday, gridmap.demo.self_checks).
    mine = SelfInspection.objects.filter(enterprise=enterprise, checked_on=timezone.localdate())
    page, _watch = open_page(width=390, height=844, mobile=True)
    try:
        login(page, live_site, enterprise.credit_code)
        page.goto(f"{live_site.url}/enterprise/check/")
        expect(page.locator("#self-check-form input[name=checked_at]")).not_to_have_value("")
        page.context.set_offline(True)
        page.check(f"[data-code='{code}'] input[value=hazard]")
        page.fill(f"[data-code='{code}'] input[name='note-{code}']", "离线自查：灭火器过期")
        page.set_input_files(f"input[name='photo_{code}']",
                             {"name": "first.png", "mimeType": "image/png", "buffer": png_bytes()})
        expect(page.locator(f"[data-photo-list='photo_{code}'] img")).to_have_count(1)
        page.check(f"[data-code='{second}'] input[value=hazard]")
        page.fill(f"[data-code='{second}'] input[name='note-{second}']", "离线自查：通道堵塞")
        for name in ("second-1.png", "second-2.png"):
            page.set_input_files(f"input[name='photo_{second}']",
                                 {"name": name, "mimeType": "image/png", "buffer": png_bytes()})
        expect(page.locator(f"[data-photo-list='photo_{second}'] img")).to_have_count(2)
        page.click("#self-check-form button[type=submit]")
        expect(page.locator("#self-check-result")).to_contain_text("待上传")
        assert not mine.exists()
        page.context.set_offline(False)
        expect(page.locator("[data-outbox-count]")).to_have_text("0", timeout=30000)
        assert mine.count() == 1 and mine.get().client_id is not None
        by_code = {i["code"]: Hazard.objects.get(pk=i["hazard"]) for i in mine.get().items}
        hazard = by_code[code]
        assert hazard.source == "self_inspection" and "灭火器过期" in hazard.description
        # Each item's photos on its own hazard only.
        assert (by_code[code].photos.count(), by_code[second].photos.count()) == (1, 2)
        # Sent with the enterprise user's own device token, as an officer's records are.
        assert DeviceToken.objects.filter(user__username=enterprise.credit_code).exists()
        page.reload()
        assert mine.count() == 1
    finally:
        def clean():
            Hazard.objects.filter(self_inspection__in=mine).delete()
            mine.delete()
            DeviceToken.objects.filter(user__username=enterprise.credit_code).delete()
        committed(clean)
