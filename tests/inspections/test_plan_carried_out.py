"""The annual plan carried out (issue 18 §4): a plan page with every drawn visit, a draw that
asks for confirmation, the leader's approval, tasks for the drawn pair as windows open
(idempotent), execution by level-I grid and month; the sample's key list covered in full."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Q
from django.test import Client

from gridmap.enterprises.models import Enterprise
from gridmap.inspections.models import AnnualPlan, InspectionTask, PlanEntry, PlanVisit
from gridmap.inspections.planning import plan_approve, plan_execution, plan_make, plan_tasks_open
from gridmap.inspections.selectors import tasks_for_user
from gridmap.inspections.services import task_transition
from tests.conftest import table_checksum

pytestmark = pytest.mark.django_db
PLAN_TABLES = ("inspections_annualplan", "inspections_planentry", "inspections_planvisit")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin():
    return get_user_model().objects.get(username="admin")


@pytest.fixture
def plan_2020(supervisor):
    return plan_make(actor=supervisor, year=2020, key_visits_target=40, general_visits_target=20)


def test_the_plan_page_shows_every_drawn_visit_with_its_window_and_pair(supervisor):
    plan = AnnualPlan.objects.get(year=2019)
    client = signed_in(supervisor)
    page = client.get(f"/inspections/plans/{plan.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "共 610 户次" in text and "第 1 / 13 页" in text
    visit = PlanVisit.objects.filter(entry__plan=plan).order_by("planned_on", "entry__rank", "number") \
        .select_related("entry__enterprise").first()
    pair = [u.full_name for u in visit.inspectors.order_by("pk")]
    assert visit.entry.enterprise.name in text and "、".join(pair) in text
    assert f"{visit.window_start:%Y-%m-%d} 至 {visit.window_end:%Y-%m-%d}" in text
    # Filters: key visits of March that are late, and a search by name.
    late = client.get(f"/inspections/plans/{plan.pk}/", {"class": "key", "month": "3", "state": "late"})
    expected = PlanVisit.objects.filter(entry__plan=plan, entry__supervision_class="key", planned_on__month=3) \
        .exclude(task__status="done").count()
    assert f"共 {expected} 户次" in late.content.decode()
    named = client.get(f"/inspections/plans/{plan.pk}/", {"q": visit.entry.enterprise.name})
    assert f"共 {visit.entry.visits} 户次" in named.content.decode()
    assert client.get(f"/inspections/plans/{plan.pk}/", {"page": "13"}).status_code == 200


def test_the_plan_pages_are_the_bureaus(supervisor):
    plan = AnnualPlan.objects.get(year=2019)
    grid_officer = get_user_model().objects.filter(groups__name="grid_officer").first()
    assert signed_in(grid_officer).get(f"/inspections/plans/{plan.pk}/").status_code == 403
    assert Client().get(f"/inspections/plans/{plan.pk}/").status_code == 302


def test_drawing_asks_for_confirmation_before_anything_is_written(supervisor):
    client = signed_in(supervisor)
    before = table_checksum(*PLAN_TABLES)
    preview = client.post("/inspections/plan/", {"year": "2021", "general_visits_target": "12"})
    assert preview.status_code == 200
    shown = int(re.search(r'id="draw-visits">(\d+)<', preview.content.decode()).group(1))
    assert table_checksum(*PLAN_TABLES) == before
    # A confirmation that differs from the preview draws nothing.
    changed = client.post("/inspections/plan/", {"year": "2021", "general_visits_target": "13", "confirm": "1"})
    assert changed.status_code == 302 and table_checksum(*PLAN_TABLES) == before
    # Nor does one without a preview (the pending draw was spent above).
    client.post("/inspections/plan/", {"year": "2021", "general_visits_target": "12", "confirm": "1"})
    assert table_checksum(*PLAN_TABLES) == before
    client.post("/inspections/plan/", {"year": "2021", "general_visits_target": "12"})
    seed = client.session["plan_pending_draw"]["seed"]
    done = client.post("/inspections/plan/", {"year": "2021", "general_visits_target": "12", "confirm": "1"})
    plan = AnnualPlan.objects.get(year=2021)
    assert done["Location"] == f"/inspections/plans/{plan.pk}/"
    assert plan.seed == seed and plan.status == AnnualPlan.Status.DRAFT
    assert sum(PlanEntry.objects.filter(plan=plan).values_list("visits", flat=True)) == shown
    assert not InspectionTask.objects.filter(plan=plan).exists()


def test_bureau_staff_cannot_approve_a_plan(supervisor, plan_2020):
    with pytest.raises(PermissionDenied):
        plan_approve(actor=supervisor, plan=plan_2020)
    response = signed_in(supervisor).post(f"/inspections/plans/{plan_2020.pk}/approve/")
    assert response.status_code == 403
    plan_2020.refresh_from_db()
    assert plan_2020.status == AnnualPlan.Status.DRAFT and not InspectionTask.objects.filter(plan=plan_2020).exists()
    # Nor does a draft plan make tasks.
    assert plan_tasks_open(on=dt.date(2020, 12, 31)) == 0


def test_an_approved_plan_makes_tasks_for_the_drawn_pairs_as_windows_open(admin, plan_2020):
    visits = PlanVisit.objects.filter(entry__plan=plan_2020)
    march, july = dt.date(2020, 3, 15), dt.date(2020, 7, 1)
    plan_approve(actor=admin, plan=plan_2020, today=march)
    plan_2020.refresh_from_db()
    assert plan_2020.status == AnnualPlan.Status.APPROVED and plan_2020.approved_by == admin
    tasks = InspectionTask.objects.filter(plan=plan_2020).select_related("plan_visit")
    assert tasks.count() == visits.filter(window_start__lte=march).count() > 0
    assert visits.filter(window_start__gt=march).exists()
    for task in tasks.prefetch_related("plan_visit__inspectors"):
        pair = sorted(u.pk for u in task.plan_visit.inspectors.all())
        assert [task.assignee_id, task.co_assignee_id] == pair
        assert task.due_date == task.plan_visit.window_end and task.enterprise_id == task.plan_visit.entry.enterprise_id
    # Idempotent: the same day again makes nothing; a later day makes only the newly opened.
    assert plan_tasks_open(on=march) == 0
    opened = plan_tasks_open(on=july)
    assert opened == visits.filter(window_start__gt=march, window_start__lte=july).count() > 0
    call_command("open_plan_tasks", "--date", "2020-12-31", stdout=open("/dev/null", "w"))
    call_command("open_plan_tasks", "--date", "2020-12-31", stdout=open("/dev/null", "w"))
    assert InspectionTask.objects.filter(plan=plan_2020).count() == visits.count()
    # Approving twice is refused.
    with pytest.raises(Exception, match="已于"):
        plan_approve(actor=admin, plan=plan_2020)


def test_the_second_of_the_pair_sees_and_works_the_task(admin, plan_2020):
    plan_approve(actor=admin, plan=plan_2020, today=dt.date(2020, 1, 1))
    task = InspectionTask.objects.filter(plan=plan_2020).select_related("co_assignee").first()
    second = task.co_assignee
    assert tasks_for_user(second, mine=True).filter(pk=task.pk).exists()
    task_transition(actor=second, task=task, action="accept")
    task.refresh_from_db()
    assert task.status == "accepted"


def test_the_leader_approves_on_the_page(admin, plan_2020):
    client = signed_in(admin)
    page = client.get(f"/inspections/plans/{plan_2020.pk}/")
    assert "批准计划" in page.content.decode()
    response = client.post(f"/inspections/plans/{plan_2020.pk}/approve/")
    assert response.status_code == 302
    plan_2020.refresh_from_db()
    # Approved today (after 2020): every window has opened, so every visit has its task.
    assert plan_2020.status == AnnualPlan.Status.APPROVED
    visits = PlanVisit.objects.filter(entry__plan=plan_2020)
    assert InspectionTask.objects.filter(plan=plan_2020).count() == visits.count()


def test_execution_by_grid_and_month_agrees_with_a_count(supervisor):
    plan = AnnualPlan.objects.get(year=2019)
    today = dt.date(2019, 10, 15)
    execution = plan_execution(plan, today=today)
    visits = PlanVisit.objects.filter(entry__plan=plan)
    done = visits.filter(task__status="done")
    assert execution["sum"] == {"done": done.count(),
                                "late": visits.exclude(task__status="done").filter(window_end__lt=today).count(),
                                "to_come": visits.exclude(task__status="done").filter(window_end__gte=today).count()}
    assert sum(execution["sum"].values()) == 610
    # Per level-I grid and month, counted another way.
    counted = Counter((v["entry__enterprise__cell__parent__code"], v["planned_on"].month)
                      for v in done.values("entry__enterprise__cell__parent__code", "planned_on"))
    for row in execution["rows"]:
        for month, cell in row["months"].items():
            assert cell["done"] == counted.get((row["code"], month), 0)
    page = signed_in(supervisor).get(f"/inspections/plans/{plan.pk}/").content.decode()
    now = plan_execution(plan, today=dt.date.today())["sum"]
    assert f'id="execution-sum">{now["done"]} / {now["late"]} / {now["to_come"]}<' in page


def test_the_sample_key_list_is_covered_by_the_382_key_visits():
    plan = AnnualPlan.objects.get(year=2019)
    keys = Enterprise.objects.filter(supervision_class="key", status="operating", cell__isnull=False)
    planned = set(PlanEntry.objects.filter(plan=plan, supervision_class="key").values_list("enterprise_id", flat=True))
    assert set(keys.values_list("pk", flat=True)) == planned
    assert sum(PlanEntry.objects.filter(plan=plan, supervision_class="key").values_list("visits", flat=True)) == 382
    red = keys.filter(risk_level="major").count()
    assert 0.05 <= red / keys.count() <= 0.15
    # A red enterprise is a key one.
    assert not Enterprise.objects.filter(Q(risk_level="major") & ~Q(supervision_class="key")).exists()
    # 2019 was carried out: nearly every visit done, the rest late.
    states = Counter(InspectionTask.objects.filter(plan=plan).values_list("status", flat=True))
    assert sum(states.values()) == 610 and states["done"] > 550
