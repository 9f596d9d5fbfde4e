"""The sample year: the plan's figures and its reproducible draw; statistics computed by
ORM aggregation and independently in Python reconcile, and match the 2019 report's counts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gridmap.grids.models import Grid
from gridmap.inspections.models import AnnualPlan, PlanVisit
from gridmap.inspections.planning import digest, plan_create, plan_draw, plan_summary, redraw, stored_draw
from gridmap.inspections.services import certificate_holders
from gridmap.inspections.statistics import statistics_by_grid, statistics_in_python
from tests.factories import officer_of

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2019, 1, 1), dt.date(2019, 12, 31))


def test_sample_plan_has_the_reported_figures():
    plan = AnnualPlan.objects.get(year=2019)
    summary = plan_summary(plan)
    assert (summary["visits"], summary["key_visits"], summary["general_visits"]) == (610, 382, 228)


def test_double_random_draw_is_reproducible_from_the_recorded_seed():
    plan = AnnualPlan.objects.get(year=2019)
    again = redraw(plan)
    assert again == stored_draw(plan)
    assert digest(again) == plan.draw_digest
    # A different seed gives a different draw of general enterprises.
    plan.seed += 1
    other = redraw(plan)
    assert {e.enterprise_id for e in other if e.supervision_class == "general"} != \
        {e.enterprise_id for e in again if e.supervision_class == "general"}


def test_every_visit_has_two_inspectors_certified_on_its_date():
    visits = PlanVisit.objects.filter(entry__plan__year=2019).prefetch_related("inspectors")
    for visit in visits:
        people = {u.pk for u in visit.inspectors.all()}
        assert len(people) == 2
        assert people <= set(certificate_holders(visit.planned_on).values_list("pk", flat=True))


def test_a_fresh_plan_covers_every_key_enterprise_and_cannot_be_redrawn(supervisor):
    from gridmap.enterprises.models import Enterprise

    plan = plan_create(actor=supervisor, year=2031, seed=7, general_visits_target=50)
    # No certificate is valid in 2031: the draw refuses rather than plan visits without inspectors.
    with pytest.raises(ValidationError):
        plan_draw(actor=supervisor, plan=plan)
    AnnualPlan.objects.filter(pk=plan.pk).update(year=2020)
    plan.refresh_from_db()
    plan_draw(actor=supervisor, plan=plan)
    keys = Enterprise.objects.filter(supervision_class="key", status="operating", cell__isnull=False).count()
    summary = plan_summary(plan)
    assert summary["key_enterprises"] == keys and summary["general_visits"] == 50
    with pytest.raises(ValidationError):
        plan_draw(actor=supervisor, plan=plan)


def test_statistics_reconcile_both_ways_and_match_the_report(supervisor):
    for level in (Grid.Level.LEVEL_1, Grid.Level.LEVEL_2):
        orm = statistics_by_grid(supervisor, start=YEAR[0], end=YEAR[1], level=level)
        python = statistics_in_python(supervisor, start=YEAR[0], end=YEAR[1], level=level)
        assert orm["total"] == python["total"]
        for code, row in orm["rows"].items():
            assert {k: v for k, v in row.items() if v} == {k: v for k, v in python["rows"].get(code, {}).items() if v}
    total = orm["total"]
    assert total["enterprises_fined"] == 306 and total["fines_total"] == Decimal("7420000")
    # 71 sets of equipment ordered out of use (责令暂时停止使用), none sealed or seized (查封扣押).
    assert (total["production_stops"], total["equipment_out_of_use"], total["equipment_sealed"]) == (127, 71, 0)
    assert (total["exposures"], total["summons"], total["legal_reviews"]) == (280, 201, 62)
    assert total["reports_handled"] == 203 and total["documents"] == 1250 and total["hazards_found"] == 4400


def test_statistics_follow_the_scope():
    officer = officer_of("120118108-005")
    orm = statistics_by_grid(officer, start=YEAR[0], end=YEAR[1], level=Grid.Level.LEVEL_2)
    assert set(orm["rows"]) == {"120118108-005"}
    assert orm["total"] == statistics_in_python(officer, start=YEAR[0], end=YEAR[1], level=Grid.Level.LEVEL_2)["total"]


def test_exports_neutralise_formulas_and_honour_the_filters(supervisor):
    import csv
    import io

    from openpyxl import load_workbook

    from gridmap.inspections.exports import export_csv, export_xlsx

    stats = statistics_by_grid(supervisor, start=YEAR[0], end=YEAR[1], level=Grid.Level.LEVEL_1)
    code = sorted(stats["rows"])[0]
    names = {code: "=HYPERLINK(\"http://x\")"}
    rows = list(csv.reader(io.StringIO(export_csv(stats, names).decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=") and rows[-1][0] == "合计"
    sheet = load_workbook(io.BytesIO(export_xlsx(stats, names))).active
    assert sheet.cell(row=2, column=2).data_type == "s"
    from django.test import Client

    client = Client()
    client.force_login(supervisor)
    body = client.get("/inspections/statistics/export.csv", {"start": "2019-07-01", "end": "2019-07-31"}).content
    july = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[-1]
    half = statistics_by_grid(supervisor, start=dt.date(2019, 7, 1), end=dt.date(2019, 7, 31))["total"]
    assert july[2] == str(half["inspections"]) and int(july[2]) < stats["total"]["inspections"]
