"""Inspection pages, composed from the inspections app's selectors and services and the
layer registry. Views stay thin: a form parses the input, one service does the work (the same
service the API calls), and the page redirects with a message or shows the form's errors."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.accounts.capabilities import (
    APPROVE_PLANS,
    ASSIGN_INSPECTIONS,
    INSPECT_ENTERPRISES,
    ISSUE_DOCUMENTS,
    SUPERVISE_HAZARDS,
    capability_required,
)
from gridmap.core.geojson import feature_collection
from gridmap.core.history import history_of
from gridmap.enterprises.risk import SHORT_LABELS, colour
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for
from gridmap.grids.selectors import district_centre
from gridmap.inspections import exports, filters, selectors, services
from gridmap.inspections.criteria import BY_CODE, SECTORS, checklist_for, referred_to, standard_on
from gridmap.inspections.models import (
    AnnualPlan,
    EnforcementDocument,
    Hazard,
    HazardStatus,
    Inspection,
    InspectionTask,
    LegalReview,
    Report,
)
from gridmap.inspections.planning import (
    VisitState,
    new_seed,
    plan_approve,
    plan_execution,
    plan_make,
    plan_preview,
    plan_summary,
    plan_visits_listed,
)
from gridmap.inspections.statistics import (
    FIGURES,
    NOT_HAZARDS,
    UNITS,
    cell_statistics_for_map,
    measure_basis,
    statistics_by_grid,
)
from gridmap.workspaces.charts import bar_chart
from layers.maps import add_draw_tools, build_map, keep_view, map_context
from layers.registry import layers_named

from ..lists import csv_export, filtered, list_context
from ..templatetags.numbers import yuan
from . import forms as pages


def _parts(request, fmap) -> dict:
    return map_context(fmap, nonce=str(request.csp_nonce))


def _errors(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _add_errors(form, exc) -> None:
    """A service's refusal on the form: by field where the form has that field."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _errors(exc))


def submit(form, service: Callable, **arguments):
    """Run one service with the form's data in one transaction. On any refusal (the form's own
    or the service's) the form carries the errors and nothing is written; returns None."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            return service(**{**form.cleaned_data, **arguments})
    except (ValidationError, PermissionDenied) as exc:
        _add_errors(form, exc)
        return None


def form_refusal(form) -> str:
    """The form's errors in one line, for the message shown after a redirect."""
    return "；".join(message for errors in form.errors.values() for message in errors)


def flash(request, form, result, done: str, refused: str = "未保存") -> None:
    if result is None:
        messages.error(request, f"{refused}：{form_refusal(form)}")
    else:
        messages.success(request, done)


def _in_scope_or_404(selector: Callable, request, pk: int, what: str):
    """The record if the user's scope holds it; otherwise a 404 that does not say which."""
    record = selector(request.user, pk)
    if record is None:
        raise Http404(f"{what}不存在或无权查看")
    return record


def _date(text, default=None):
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


# --- assignment by area ---------------------------------------------------------------------

@capability_required(ASSIGN_INSPECTIONS)
def area_assign(request):
    layers = layers_named(request.user, ("district", "grids-level1", "grids-level2", "tasks"))
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="district",
                     passive=("district", "grids-level1"))
    keep_view(add_draw_tools(fmap))
    parts = _parts(request, fmap)
    today = timezone.localdate()
    batches = [(batch, services.batch_undo_refusal(batch, today))
               for batch in selectors.batches_of_day(request.user, today)]
    return render(request, "inspections/area.html", {
        "due_default": (today + dt.timedelta(days=30)).isoformat(),
        "loads": selectors.officer_loads(request.user)[:30], "batches": batches, **parts,
        "risk_legend": [{"label": label, "colour": colour(level)} for level, label in
                        [*SHORT_LABELS.items(), ("", "未评估")]],
        "cells_layer": parts["layer_names"]["grids-level2"], "tasks_layer": parts["layer_names"]["tasks"]})


@capability_required(ASSIGN_INSPECTIONS)
@require_POST
def batch_undo(request, pk: int):
    batch = selectors.batches_of_day(request.user, timezone.localdate()).filter(pk=pk).first()
    if batch is None:
        raise Http404("分配批次不存在或已不能撤销")
    try:
        removed = services.assignment_batch_undo(actor=request.user, batch=batch)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未撤销：{_errors(exc)}")
    else:
        messages.success(request, f"已撤销{batch}，删除未开始的检查任务 {removed} 项")
    return redirect("workspaces:area_assign")


# --- tasks ------------------------------------------------------------------------------------

def _tasks(request):
    defaults = {"status": "" if request.GET.get("all") == "1" else filters.OPEN,
                "mine": "" if scope_for(request.user).everything else "1"}
    return filtered(request, filters.TaskFilterSet,
                    selectors.tasks_for_user(request.user).select_related("cell__parent"), defaults=defaults)


@login_required
def task_list(request):
    return render(request, "inspections/task_list.html",
                  list_context(request, _tasks(request), export_url=reverse("workspaces:task_export")))


@login_required
def task_detail(request, pk: int):
    task = _in_scope_or_404(selectors.task_in_scope, request, pk, "任务")
    items = checklist_for(task.enterprise)
    return render(request, "inspections/task_detail.html", {
        "task": task, "items": items, "reasons": InspectionTask.CannotReason.choices,
        "inspections": task.inspections.all(), "history": history_of(task),
        "today": timezone.localdate(), "referred_to": referred_to(task.enterprise),
        "standard": standard_on(timezone.localdate()), "can_inspect": INSPECT_ENTERPRISES.allows(request.user),
        "deadline_default": (timezone.localdate() + dt.timedelta(days=15)).isoformat()})


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    task = _in_scope_or_404(selectors.task_in_scope, request, pk, "任务")
    if action == "inspect":
        form = pages.InspectionForm(request.POST, request.FILES, task=task)
        inspection = submit(form, services.inspection_record, actor=request.user, task=task)
        flash(request, form, inspection, "检查记录已保存，任务已完成")
    elif action in services.TASK_MOVES:
        form = pages.TaskActionForm(request.POST)
        result = submit(form, services.task_transition, actor=request.user, task=task, action=action)
        flash(request, form, result, "任务状态已更新")
    else:
        raise Http404("未知操作")
    return redirect("workspaces:task_detail", pk=task.pk)


# --- hazards ----------------------------------------------------------------------------------

def _hazards(request):
    defaults = {"status": "" if request.GET.get("all") == "1" else filters.OPEN}
    return filtered(request, filters.HazardFilterSet,
                    selectors.hazards_for_user(request.user).exclude(status__in=NOT_HAZARDS)
                    .select_related("cell__parent"), defaults=defaults)


@login_required
def hazard_list(request):
    if request.GET.get("leads") == "1":
        leads = filtered(request, filters.HazardFilterSet, selectors.leads_for_user(request.user),
                         defaults={"status": ""})
        return render(request, "inspections/hazard_list.html", {**list_context(request, leads), "leads": True})
    return render(request, "inspections/hazard_list.html",
                  list_context(request, _hazards(request), export_url=reverse("workspaces:hazard_export")))


@login_required
def hazard_detail(request, pk: int):
    hazard = _in_scope_or_404(selectors.hazard_in_scope, request, pk, "隐患")
    today = timezone.localdate()
    supervises = SUPERVISE_HAZARDS.allows(request.user)
    # An overdue general hazard: an order to rectify within a time limit, then a penalty.
    overdue_general = hazard.level == Hazard.Level.GENERAL and hazard.is_overdue
    return render(request, "inspections/hazard_detail.html", {
        "hazard": hazard, "criterion": BY_CODE.get(hazard.criterion_code), "history": history_of(hazard),
        "today": today, "can_act": services.hazard_actions_allowed(request.user, hazard),
        "can_confirm": supervises and hazard.status == HazardStatus.LEAD, "supervises": supervises,
        "levels": Hazard.Level.choices, "article_102": services.ARTICLE_102 if overdue_general else "",
        "can_order": overdue_general and ISSUE_DOCUMENTS.allows(request.user)})


HAZARD_MOVES = {"rectify": (pages.RectifyForm, services.hazard_start_rectification),
                "reinspect": (pages.ReinspectForm, services.hazard_reinspect),
                "close": (pages.CloseForm, services.hazard_close),
                "confirm": (pages.ConfirmForm, services.hazard_confirm),
                "dismiss": (pages.DismissForm, services.hazard_dismiss)}


@login_required
@require_POST
def hazard_action(request, pk: int, action: str):
    hazard = _in_scope_or_404(selectors.hazard_in_scope, request, pk, "隐患")
    if action not in HAZARD_MOVES:
        raise Http404("未知操作")
    # Refused before the form is read: flood command and others act on no hazard (403).
    services.require_hazard_action(request.user, hazard, action)
    form_class, service = HAZARD_MOVES[action]
    form = form_class(request.POST, request.FILES)
    flash(request, form, submit(form, service, actor=request.user, hazard=hazard), "隐患状态已更新")
    return redirect("workspaces:hazard_detail", pk=hazard.pk)


# --- reports (举报) ---------------------------------------------------------------------------

@login_required
def report_list(request):
    if request.method == "POST":
        form = pages.ReportForm(request.POST, request.FILES)
        report = submit(form, services.report_submit, actor=request.user)
        if report is not None:
            routed = "已转交所在网格网格员办理" if report.assignee_id else "所在网格暂无在岗网格员，由监管人员分派"
            messages.success(request, f"举报已受理（编号 {report.pk}），{routed}")
            return redirect("workspaces:report_list")
        # Refused: the list again with the reason, as a 400 (nothing was stored).
        messages.error(request, f"未提交：{form_refusal(form)}")
    return render(request, "inspections/report_list.html", {
        **list_context(request, _reports(request), export_url=reverse("workspaces:report_export")),
        "sources": Report.Source.choices}, status=400 if request.method == "POST" else 200)


def _reports(request):
    return filtered(request, filters.ReportFilterSet,
                    selectors.reports_for_user(request.user).select_related("cell__parent"))


@login_required
def report_detail(request, pk: int):
    report = _in_scope_or_404(selectors.report_in_scope, request, pk, "举报")
    if request.method == "POST":
        form = pages.ReportHandleForm(request.POST)
        flash(request, form, submit(form, services.report_handle, actor=request.user, report=report),
              "举报状态已更新")
        return redirect("workspaces:report_detail", pk=report.pk)
    return render(request, "inspections/report_detail.html", {"report": report, "history": history_of(report)})


# --- the annual plan --------------------------------------------------------------------------

PENDING_DRAW = "plan_pending_draw"


@capability_required(ASSIGN_INSPECTIONS)
def plan_page(request):
    """The plans, and a new plan drawn in two steps: the first shows how many visits the draw
    will give and writes nothing; the second, confirmed, draws with the same seed. The seed
    stays in the session, never in the form, so that it cannot be chosen."""
    if request.method == "POST":
        form = pages.PlanForm(request.POST)
        if "confirm" not in request.POST:
            if form.is_valid():
                seed = new_seed()
                try:
                    preview = plan_preview(actor=request.user, seed=seed, **form.cleaned_data)
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    request.session[PENDING_DRAW] = {**form.cleaned_data, "seed": seed}
                    return render(request, "inspections/plan_confirm.html", {"preview": preview, "form": form})
            messages.error(request, f"未抽取：{form_refusal(form)}")
            return redirect("workspaces:plan")
        pending = request.session.pop(PENDING_DRAW, None)
        if not form.is_valid() or pending is None or pending != {**form.cleaned_data, "seed": pending["seed"]}:
            messages.error(request, "未抽取：确认的内容与预览不一致或已过期，请重新预览")
            return redirect("workspaces:plan")
        plan = submit(form, plan_make, actor=request.user, seed=pending["seed"])
        flash(request, form, plan, plan and f"{plan.year} 年度计划已抽取（种子 {plan.seed}），待局领导批准",
              refused="未抽取")
        return redirect("workspaces:plan_detail", pk=plan.pk) if plan else redirect("workspaces:plan")
    plans = [(plan, plan_summary(plan)) for plan in AnnualPlan.objects.all()]
    return render(request, "inspections/plan.html", {"plans": plans,
                                                     "next_year": timezone.localdate().year + 1})


def _int_in(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


@capability_required(ASSIGN_INSPECTIONS)
def plan_detail(request, pk: int):
    plan = get_object_or_404(AnnualPlan.objects.select_related("approved_by", "drawn_by"), pk=pk)
    today = timezone.localdate()
    filters = {"grid": request.GET.get("grid", "")[:32], "supervision_class": request.GET.get("class", ""),
               "month": _int_in(request.GET.get("month", ""), 1, 12), "state": request.GET.get("state", ""),
               "text": request.GET.get("q", "").strip()[:50]}
    visits = plan_visits_listed(plan, today=today, **filters)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    execution = plan_execution(plan, today=today)
    for row in execution["rows"]:
        row["cells"] = [row["months"][m] for m in range(1, 13)]
    return render(request, "inspections/plan_detail.html", {
        "plan": plan, "summary": plan_summary(plan), "page": page, "query": query.urlencode(),
        "filters": filters, "states": VisitState.LABELS, "months": range(1, 13),
        "grids": Grid.objects.current().filter(level=Grid.Level.LEVEL_1).order_by("code").values_list("code", "name"),
        "execution": execution, "execution_total": [execution["total"][m] for m in range(1, 13)],
        "can_approve": APPROVE_PLANS.allows(request.user) and plan.status == AnnualPlan.Status.DRAFT,
        "today": today})


@capability_required(APPROVE_PLANS)
@require_POST
def plan_approve_page(request, pk: int):
    plan = get_object_or_404(AnnualPlan, pk=pk)
    form = forms.Form(request.POST)
    approved = submit(form, plan_approve, actor=request.user, plan=plan)
    flash(request, form, approved, f"{plan} 已批准，检查窗口已开始的计划检查已生成任务", refused="未批准")
    return redirect("workspaces:plan_detail", pk=plan.pk)


# --- statistics -------------------------------------------------------------------------------

def _level_one_in_scope(user) -> bool:
    return scope_for(user).grids().filter(level=Grid.Level.LEVEL_1).exists()


def _period(request):
    latest = Inspection.objects.order_by("-inspected_on").values_list("inspected_on", flat=True).first()
    year = (latest or timezone.localdate()).year
    start = _date(request.GET.get("start"), dt.date(year, 1, 1))
    end = _date(request.GET.get("end"), dt.date(year, 12, 31))
    # An officer's scope holds cells, no level-I grid: their figures are by cell.
    wanted = request.GET.get("level") or ("1" if _level_one_in_scope(request.user) else "2")
    level = Grid.Level.LEVEL_2 if wanted == "2" else Grid.Level.LEVEL_1
    return start, end, level


def _names(request, level):
    return dict(scope_for(request.user).grids().filter(level=level).values_list("code", "name"))


def scope_total_label(user) -> str:
    """What a total on a page adds up: the district, the town(s) or the cell(s) a user sees."""
    if scope_for(user).everything:
        return "全区合计"
    return "本镇合计" if _level_one_in_scope(user) else "本网格合计"


# Charts of the totals, one unit each; the figures alone in their unit are shown as numbers.
TOTAL_CHARTS = (("hazards_found", "hazards_rectified"), ("enterprises_fined", "production_stops", "exposures"))


def _shown(key: str, value) -> str:
    return yuan(value) if key == "fines_total" else f"{value:,}"


@login_required
def statistics_page(request):
    start, end, level = _period(request)
    stats = statistics_by_grid(request.user, start=start, end=end, level=level)
    names = _names(request, level)
    label = scope_total_label(request.user)
    query = f"start={start}&end={end}"
    basis = measure_basis(start, end)
    layers = layers_named(request.user, ("district", "inspection-stats"))
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="district",
                     urls={"inspection-stats": f"/inspections/statistics/cells.geojson?{query}"})
    top = sorted(stats["rows"].items(), key=lambda kv: -kv[1]["inspections"])[:15]
    labels, total = dict(FIGURES), stats["total"]
    by = "一级网格" if level == Grid.Level.LEVEL_1 else "二级网格"
    charts = [bar_chart([(names.get(code, code), row["inspections"]) for code, row in top],
                        title=f"检查户次（按{by}，前 15）", unit=UNITS["inspections"])]
    charted = {key for group in TOTAL_CHARTS for key in group}
    for group in TOTAL_CHARTS:
        unit = UNITS[group[0]]
        charts.append(bar_chart([(labels[key], float(total[key])) for key in group],
                                title=f"{label} · 单位：{unit}", colour="#00796b", unit=unit))
    cards = [(labels[key], _shown(key, total[key]), "" if key == "fines_total" else UNITS[key])
             for key, _ in FIGURES if key not in charted]
    rows = [(code, names.get(code, code), [_shown(k, row[k]) for k, _ in FIGURES])
            for code, row in sorted(stats["rows"].items())]
    return render(request, "inspections/statistics.html", {
        "start": start, "end": end, "level": level, "figures": FIGURES, "rows": rows, "total_label": label,
        "total": [_shown(k, total[k]) for k, _ in FIGURES], "charts": charts, "cards": cards,
        "query": f"{query}&level={level}",
        "measure_basis": [(label, basis[key]) for key, label in FIGURES if key in basis],
        **_parts(request, fmap)})


@login_required
def statistics_export(request, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404("不支持的格式")
    start, end, level = _period(request)
    stats = statistics_by_grid(request.user, start=start, end=end, level=level)
    names = _names(request, level)
    if fmt == "csv":
        body, content_type = exports.export_csv(stats, names), "text/csv; charset=utf-8"
    else:
        body = exports.export_xlsx(stats, names)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="inspection-statistics-{start}-{end}.{fmt}"'
    return response


@login_required
def statistics_cells(request):
    start, end, _level = _period(request)
    queryset = cell_statistics_for_map(request.user, start=start, end=end)
    body = feature_collection(queryset, geom="geom", properties=(
        "code", "name", "parent_name", "inspection_count", "hazard_count", "band", "period"))
    return HttpResponse(body, content_type="application/geo+json")


# --- pieces for other pages -------------------------------------------------------------------

def my_cell_sections(user, cell) -> dict:
    """The officer's tasks and the cell's open hazards, overdue first."""
    return {
        "my_tasks": selectors.tasks_for_user(user, mine=True, open_only=True).filter(cell=cell)[:20],
        "open_hazards": selectors.hazards_for_user(user, open_only=True).filter(cell=cell)[:20],
        "hazard_levels": dict(Hazard.Level.choices), "sectors": SECTORS,
    }


# --- enforcement documents (执法文书) ---------------------------------------------------------

def _year(request) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2999 else None


def _recent_years() -> range:
    this_year = timezone.localdate().year
    return range(this_year, this_year - 6, -1)


@login_required
def document_list(request):
    can_write = ISSUE_DOCUMENTS.allows(request.user)
    if request.method == "POST":
        ISSUE_DOCUMENTS.require(request.user)
        form = pages.DocumentForm(request.POST, user=request.user)
        document = submit(form, services.document_create, actor=request.user)
        if document is None:
            messages.error(request, f"未保存：{form_refusal(form)}")
            return redirect("workspaces:document_list")
        done = "已送达" if document.status == EnforcementDocument.Status.ISSUED else "已保存为草稿"
        messages.success(request, f"{document} {done}")
        return redirect("workspaces:document_detail", pk=document.pk)
    # Opened from an overdue general hazard: an order to rectify within a time limit (安全生产法 第一百零二条).
    hazard_text = request.GET.get("hazard", "")
    prefill = {"kind": request.GET.get("new_kind", ""), "enterprise": request.GET.get("enterprise", "")[:32],
               "hazard": int(hazard_text) if hazard_text.isdigit() and len(hazard_text) < 10 else None}
    return render(request, "inspections/document_list.html", {
        **list_context(request, _documents(request), export_url=reverse("workspaces:document_export")),
        "prefill": prefill, "article_102": services.ARTICLE_102,
        "kinds": EnforcementDocument.Kind.choices, "can_write": can_write, "today": timezone.localdate(),
        "holders": services.certificate_holders(timezone.localdate()).order_by("username") if can_write else []})


def _documents(request):
    return filtered(request, filters.DocumentFilterSet,
                    selectors.documents_filtered(request.user).select_related("cell__parent"))


@login_required
def document_detail(request, pk: int):
    document = _in_scope_or_404(selectors.document_in_scope, request, pk, "文书")
    return render(request, "inspections/document_detail.html", {
        "document": document, "review": getattr(document, "legal_review", None),
        "review_checks": LegalReview.CHECKS,
        "can_write": ISSUE_DOCUMENTS.allows(request.user), "today": timezone.localdate(),
        "history": history_of(document)})


@login_required
@require_POST
def document_action(request, pk: int, action: str):
    document = _in_scope_or_404(selectors.document_in_scope, request, pk, "文书")
    actions = {"review": (pages.LegalReviewForm, services.legal_review_record, "法制审核已记录"),
               "issue": (pages.IssueForm, services.document_issue, "文书已送达")}
    if action not in actions:
        raise Http404("未知操作")
    ISSUE_DOCUMENTS.require(request.user)
    form_class, service, done = actions[action]
    form = form_class(request.POST)
    flash(request, form, submit(form, service, actor=request.user, document=document), done)
    return redirect("workspaces:document_detail", pk=document.pk)


# --- public exposures (公开曝光) and summons (约谈) ---------------------------------------------

@dataclass(frozen=True)
class EnforcementRecord:
    """One of the two bureau records kept per enterprise: how its page lists and records it."""

    name: str
    title: str
    url: str
    form: type[forms.Form]
    date_field: str
    detail_field: str
    hint: str
    rows: Callable
    record: Callable

    def date_label(self) -> str:
        return self.form.base_fields[self.date_field].label

    def detail_label(self) -> str:
        return self.form.base_fields[self.detail_field].label


EXPOSURES = EnforcementRecord(
    "exposure", "公开曝光", "workspaces:exposure_list", pages.ExposureForm, "exposed_on", "medium",
    "对拒不整改重大隐患、屡查屡犯的企业，在媒体上公开曝光。", selectors.exposures_for_user, services.exposure_record)
SUMMONSES = EnforcementRecord(
    "summons", "约谈", "workspaces:summons_list", pages.SummonsForm, "held_on", "people",
    "约谈企业主要负责人、安全管理人员等，督促落实安全生产主体责任。", selectors.summonses_for_user,
    services.summons_record)


def _visible_enterprise(request, text: str):
    """The enterprise a page was opened for (from its 一企一册 page), if the user sees it."""
    if not (text.isdigit() and len(text) < 10):
        return None
    return selectors.enterprises_visible(request.user).filter(pk=int(text)).first()


def _enforcement_record_page(request, kind: EnforcementRecord):
    can_write = ISSUE_DOCUMENTS.allows(request.user)
    today = timezone.localdate()
    enterprise = _visible_enterprise(request, request.GET.get("enterprise", ""))
    form_options = {"today": today, "user": request.user}
    form = None
    if request.method == "POST":
        ISSUE_DOCUMENTS.require(request.user)
        form = kind.form(request.POST, **form_options)
        record = submit(form, kind.record, actor=request.user)
        if record is not None:
            day = getattr(record, kind.date_field)
            messages.success(request, f"已记录{kind.title}：{record.enterprise.name}（{day:%Y-%m-%d}）")
            return redirect(kind.url)
    elif can_write:
        form = kind.form(initial={"enterprise": enterprise.pk if enterprise else "", kind.date_field: today},
                         **form_options)
    year = _year(request)
    rows = kind.rows(request.user)
    # The years that hold records as well as the recent ones: the sample (and imported
    # history) may lie further back than the last six years.
    years = sorted(set(_recent_years()) | {d.year for d in rows.dates(kind.date_field, "year")}, reverse=True)
    if year is not None:
        rows = rows.filter(**{f"{kind.date_field}__year": year})
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    rows = (rows.select_related("enterprise", "cell", "recorded_by")
            .annotate(day=F(kind.date_field), detail=F(kind.detail_field))
            .order_by(f"-{kind.date_field}", "-id"))
    return render(request, "inspections/enforcement_record_list.html", {
        "kind": kind, "rows": rows[:300], "year": year, "years": years, "enterprise": enterprise,
        "form": form})


@login_required
def exposure_list(request):
    return _enforcement_record_page(request, EXPOSURES)


@login_required
def summons_list(request):
    return _enforcement_record_page(request, SUMMONSES)


# --- the lists' exports: what the list shows, with the same filters ---------------------------

def _grid1(row) -> str:
    return row.cell.parent.name if row.cell.parent_id else ""


def _day(value) -> str:
    return value.isoformat() if value else ""


LIST_EXPORTS = {
    "tasks": (_tasks, "inspection-tasks", [
        ("企业", lambda t: t.enterprise.name), ("统一社会信用代码", lambda t: t.enterprise.credit_code),
        ("一级网格", _grid1), ("二级网格", lambda t: t.cell.name), ("承办人", lambda t: str(t.assignee)),
        ("完成期限", lambda t: _day(t.due_date)), ("状态", lambda t: t.get_status_display()),
        ("逾期", lambda t: "是" if t.overdue else "否")]),
    "hazards": (_hazards, "hazards", [
        ("企业", lambda h: h.enterprise.name), ("一级网格", _grid1), ("二级网格", lambda h: h.cell.name),
        ("隐患等级", lambda h: h.get_level_display()), ("隐患描述", lambda h: h.description),
        ("发现日期", lambda h: _day(h.found_on)), ("整改期限", lambda h: _day(h.due)),
        ("状态", lambda h: h.get_status_display()), ("逾期", lambda h: "是" if h.overdue else "否")]),
    "reports": (_reports, "reports", [
        ("编号", lambda r: r.pk), ("来源", lambda r: r.get_source_display()), ("举报内容", lambda r: r.description),
        ("一级网格", _grid1), ("二级网格", lambda r: r.cell.name),
        ("承办网格员", lambda r: str(r.assignee) if r.assignee_id else ""),
        ("受理日期", lambda r: _day(r.received_on)), ("办理期限", lambda r: _day(r.deadline)),
        ("状态", lambda r: r.get_status_display())]),
    "documents": (_documents, "enforcement-documents", [
        ("文书编号", lambda d: d.number), ("种类", lambda d: d.get_kind_display()),
        ("企业", lambda d: d.enterprise.name), ("一级网格", _grid1), ("二级网格", lambda d: d.cell.name),
        ("文书日期", lambda d: _day(d.issued_on)), ("罚款金额（元）", lambda d: f"{d.fine_amount:.2f}"),
        ("状态", lambda d: d.get_status_display())]),
}


@login_required
def list_export(request, kind: str):
    if kind not in LIST_EXPORTS:
        raise Http404("不支持的导出")
    build, name, columns = LIST_EXPORTS[kind]
    return csv_export(build(request).qs, columns, name=name)
