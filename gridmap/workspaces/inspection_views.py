"""Inspection pages, composed from the inspections app's selectors and services and the
layer registry. Views stay thin: parse, call, redirect with a message."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.core.geojson import feature_collection
from gridmap.core.history import history_of
from gridmap.geo.coords import DEFAULT_CRS
from gridmap.grids.models import Grid
from gridmap.grids.scope import scope_for
from gridmap.grids.selectors import district_centre
from gridmap.inspections import exports, selectors, services
from gridmap.inspections.criteria import BY_CODE, CRITERIA, SECTORS, checklist_for
from gridmap.inspections.models import (
    AnnualPlan,
    EnforcementDocument,
    Hazard,
    Inspection,
    InspectionTask,
    Report,
)
from gridmap.inspections.planning import plan_create, plan_draw, plan_summary
from gridmap.inspections.statistics import FIGURES, cell_statistics_for_map, statistics_by_grid
from layers.maps import build_map, map_context
from layers.registry import layers_named

from .charts import bar_chart
from .forms import ExposureForm, SummonsForm


def _parts(request, fmap) -> dict:
    return map_context(fmap, nonce=str(request.csp_nonce))


def _errors(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _date(text, default=None):
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def supervisor_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not services.can_supervise(request.user):
            raise PermissionDenied("只有监管人员或系统管理员可以访问此页面")
        return view(request, *args, **kwargs)
    wrapped.__name__ = view.__name__
    return wrapped


# --- assignment by area ---------------------------------------------------------------------

@supervisor_required
def area_assign(request):
    layers = layers_named(request.user, ("district", "grids-level1", "grids-level2", "tasks"))
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="district")
    # Per-map lists (never folium's class-level ones): Leaflet.draw from the npm package.
    fmap.default_js = [*fmap.default_js, ("leaflet_draw", static("vendor/leaflet-draw/leaflet.draw.js"))]
    fmap.default_css = [*fmap.default_css, ("leaflet_draw_css", static("vendor/leaflet-draw/leaflet.draw.css"))]
    parts = _parts(request, fmap)
    return render(request, "inspections/area.html", {
        "due_default": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "loads": selectors.officer_loads(request.user)[:30], **parts,
        "cells_layer": parts["layer_names"]["grids-level2"], "tasks_layer": parts["layer_names"]["tasks"]})


# --- tasks ------------------------------------------------------------------------------------

@login_required
def task_list(request):
    mine = request.GET.get("mine", "1" if not scope_for(request.user).everything else "") == "1"
    tasks = selectors.tasks_for_user(request.user, mine=mine, open_only=request.GET.get("all") != "1")
    return render(request, "inspections/task_list.html", {"tasks": tasks[:300], "mine": mine})


def _task_or_404(request, pk):
    task = selectors.task_in_scope(request.user, pk)
    if task is None:
        raise Http404("任务不存在或无权查看")
    return task


@login_required
def task_detail(request, pk: int):
    task = _task_or_404(request, pk)
    items = checklist_for(task.enterprise)
    return render(request, "inspections/task_detail.html", {
        "task": task, "items": items, "reasons": InspectionTask.CannotReason.choices,
        "inspections": task.inspections.all(), "history": history_of(task),
        "criteria": CRITERIA, "today": timezone.localdate(),
        "deadline_default": (timezone.localdate() + dt.timedelta(days=15)).isoformat()})


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    task = _task_or_404(request, pk)
    try:
        if action == "inspect":
            _record_inspection(request, task)
            messages.success(request, "检查记录已保存，任务已完成")
        elif action in services.TASK_MOVES:
            services.task_transition(actor=request.user, task=task, action=action,
                                     reason=request.POST.get("reason", ""),
                                     cannot_reason=request.POST.get("cannot_reason", ""))
            messages.success(request, "任务状态已更新")
        else:
            raise Http404("未知操作")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未保存：{_errors(exc)}")
    return redirect("workspaces:task_detail", pk=task.pk)


def _float(text):
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _record_inspection(request, task):
    post = request.POST
    checklist = {c.code: post.get(f"item_{c.code}") for c in checklist_for(task.enterprise)
                 if post.get(f"item_{c.code}")}
    with transaction.atomic():
        inspection = services.inspection_record(
            actor=request.user, enterprise=task.enterprise, task=task, checklist=checklist,
            findings=post.get("findings", ""), lon=_float(post.get("lon")), lat=_float(post.get("lat")),
            photos=request.FILES.getlist("photos"))
        if post.get("hazard_description", "").strip():
            services.hazard_report(
                actor=request.user, enterprise=task.enterprise, inspection=inspection,
                description=post["hazard_description"], level=post.get("hazard_level", "general"),
                criterion_code=post.get("criterion_code", ""), measures=post.get("measures", ""),
                deadline=_date(post.get("deadline"), timezone.localdate() + dt.timedelta(days=15)))


# --- hazards ----------------------------------------------------------------------------------

@login_required
def hazard_list(request):
    hazards = selectors.first_hazards_for_user(request.user, 300, open_only=request.GET.get("all") != "1")
    return render(request, "inspections/hazard_list.html", {"hazards": hazards})


def _hazard_or_404(request, pk):
    hazard = selectors.hazard_in_scope(request.user, pk)
    if hazard is None:
        raise Http404("隐患不存在或无权查看")
    return hazard


@login_required
def hazard_detail(request, pk: int):
    hazard = _hazard_or_404(request, pk)
    return render(request, "inspections/hazard_detail.html", {
        "hazard": hazard, "criterion": BY_CODE.get(hazard.criterion_code), "history": history_of(hazard),
        "today": timezone.localdate()})


@login_required
@require_POST
def hazard_action(request, pk: int, action: str):
    hazard = _hazard_or_404(request, pk)
    try:
        if action == "rectify":
            services.hazard_start_rectification(actor=request.user, hazard=hazard,
                                                measures=request.POST.get("measures", ""))
        elif action == "reinspect":
            with transaction.atomic():
                check = services.inspection_record(
                    actor=request.user, enterprise=hazard.enterprise, kind=Inspection.Kind.REINSPECTION,
                    findings=request.POST.get("findings", ""), photos=request.FILES.getlist("photos"))
                services.hazard_reinspect(actor=request.user, hazard=hazard, inspection=check,
                                          passed=request.POST.get("passed") == "1")
        elif action == "close":
            services.hazard_close(actor=request.user, hazard=hazard)
        else:
            raise Http404("未知操作")
        messages.success(request, "隐患状态已更新")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未保存：{_errors(exc)}")
    return redirect("workspaces:hazard_detail", pk=hazard.pk)


# --- reports (举报) ---------------------------------------------------------------------------

@login_required
def report_list(request):
    if request.method == "POST":
        try:
            report = services.report_submit(
                actor=request.user, description=request.POST.get("description", ""),
                lon=_float(request.POST.get("lon")) or 0.0, lat=_float(request.POST.get("lat")) or 0.0,
                crs=request.POST.get("crs", DEFAULT_CRS), source=request.POST.get("source", "public"),
                reporter_name=request.POST.get("reporter_name", ""),
                reporter_phone=request.POST.get("reporter_phone", ""), photos=request.FILES.getlist("photos"))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未提交：{_errors(exc)}")
        else:
            routed = "已转交所在网格网格员办理" if report.assignee_id else "所在网格暂无在岗网格员，由监管人员分派"
            messages.success(request, f"举报已受理（编号 {report.pk}），{routed}")
        return redirect("workspaces:report_list")
    return render(request, "inspections/report_list.html", {
        "reports": selectors.reports_for_user(request.user)[:300], "sources": Report.Source.choices})


@login_required
def report_detail(request, pk: int):
    report = selectors.report_in_scope(request.user, pk)
    if report is None:
        raise Http404("举报不存在或无权查看")
    if request.method == "POST":
        try:
            services.report_handle(actor=request.user, report=report, status=request.POST.get("status", ""),
                                   result=request.POST.get("result", ""))
            messages.success(request, "举报状态已更新")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{_errors(exc)}")
        return redirect("workspaces:report_detail", pk=report.pk)
    return render(request, "inspections/report_detail.html", {"report": report, "history": history_of(report)})


# --- the annual plan --------------------------------------------------------------------------

@supervisor_required
def plan_page(request):
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            key = request.POST.get("key_visits_target", "").strip()
            plan = plan_create(actor=request.user, year=year, key_visits_target=int(key) if key else None,
                               general_visits_target=int(request.POST.get("general_visits_target") or 0))
            plan_draw(actor=request.user, plan=plan)
            messages.success(request, f"{year} 年度计划已抽取（种子 {plan.seed}）")
        except ValueError:
            messages.error(request, "年度和户次须为整数")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未抽取：{_errors(exc)}")
        return redirect("workspaces:plan")
    plans = [(plan, plan_summary(plan)) for plan in AnnualPlan.objects.all()]
    return render(request, "inspections/plan.html", {"plans": plans,
                                                     "next_year": timezone.localdate().year + 1})


# --- statistics -------------------------------------------------------------------------------

def _period(request):
    latest = Inspection.objects.order_by("-inspected_on").values_list("inspected_on", flat=True).first()
    year = (latest or timezone.localdate()).year
    start = _date(request.GET.get("start"), dt.date(year, 1, 1))
    end = _date(request.GET.get("end"), dt.date(year, 12, 31))
    level = Grid.Level.LEVEL_2 if request.GET.get("level") == "2" else Grid.Level.LEVEL_1
    return start, end, level


def _names(request, level):
    return dict(scope_for(request.user).grids().filter(level=level).values_list("code", "name"))


@login_required
def statistics_page(request):
    start, end, level = _period(request)
    stats = statistics_by_grid(request.user, start=start, end=end, level=level)
    names = _names(request, level)
    query = f"start={start}&end={end}"
    layers = layers_named(request.user, ("district", "inspection-stats"))
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="district",
                     urls={"inspection-stats": f"/inspections/statistics/cells.geojson?{query}"})
    top = sorted(stats["rows"].items(), key=lambda kv: -kv[1]["inspections"])[:15]
    charts = [
        bar_chart([(names.get(code, code), row["inspections"]) for code, row in top], title="检查户次（前 15）"),
        bar_chart([(label, float(stats["total"][key])) for key, label in FIGURES if key != "fines_total"],
                  title="全区合计", colour="#00796b"),
    ]
    rows = [(code, names.get(code, code), [row[k] for k, _ in FIGURES]) for code, row in sorted(stats["rows"].items())]
    return render(request, "inspections/statistics.html", {
        "start": start, "end": end, "level": level, "figures": FIGURES, "rows": rows,
        "total": [stats["total"][k] for k, _ in FIGURES], "charts": charts, "query": f"{query}&level={level}",
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


def _document_or_404(request, pk):
    document = selectors.document_in_scope(request.user, pk)
    if document is None:
        raise Http404("文书不存在或无权查看")
    return document


def _writer_or_403(request):
    if not services.can_supervise(request.user):
        raise PermissionDenied("只有区应急管理局监管人员或系统管理员可以制作、审核、送达执法文书")


def _enterprise_of(request, text: str):
    text = text.strip()
    visible = selectors.enterprises_visible(request.user)
    enterprise = None
    if text.isdigit() and len(text) < 10:
        enterprise = visible.filter(pk=int(text)).first()
    elif text:
        enterprise = visible.filter(credit_code=text.upper()).first()
    if enterprise is None:
        raise ValidationError({"enterprise": "没有该企业（请填写企业编号或统一社会信用代码），或不在您的范围内"})
    return enterprise


def _draft_from_post(request):
    post = request.POST
    enterprise = _enterprise_of(request, post.get("enterprise", ""))
    try:
        fine = Decimal(post.get("fine_amount", "").strip() or "0")
        if not fine.is_finite() or fine.as_tuple().exponent < -2 or fine >= 10 ** 10:
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationError({"fine_amount": "罚款金额应为数字（元，最多两位小数）"}) from None
    sealed_text = post.get("equipment_sealed", "").strip() or "0"
    if not sealed_text.isdigit() or int(sealed_text) > 100000:
        raise ValidationError({"equipment_sealed": "查封扣押设备应为非负整数"})
    ids = [int(i) for i in post.getlist("signers") if i.isdigit() and len(i) < 10]
    signers = list(services.certificate_holders(timezone.localdate()).filter(pk__in=ids))
    return services.document_draft(
        actor=request.user, kind=post.get("kind", ""), number=post.get("number", "")[:64], enterprise=enterprise,
        signers=signers, fine_amount=fine, production_stop=post.get("production_stop") == "1",
        equipment_sealed=int(sealed_text), content=post.get("content", ""))


@login_required
def document_list(request):
    if request.method == "POST":
        _writer_or_403(request)
        issued_on = _date(request.POST.get("issued_on"))
        try:
            with transaction.atomic():
                document = _draft_from_post(request)
                if issued_on is not None:
                    document = services.document_issue(actor=request.user, document=document, issued_on=issued_on)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, f"未保存：{_errors(exc)}")
            return redirect("workspaces:document_list")
        done = "已送达" if document.status == EnforcementDocument.Status.ISSUED else "已保存为草稿"
        messages.success(request, f"{document} {done}")
        return redirect("workspaces:document_detail", pk=document.pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in EnforcementDocument.Kind.values else ""
    year = _year(request)
    documents = selectors.documents_filtered(request.user, kind=kind or None, year=year)
    can_write = services.can_supervise(request.user)
    return render(request, "inspections/document_list.html", {
        "documents": documents[:300], "kinds": EnforcementDocument.Kind.choices, "kind": kind, "year": year,
        "years": _recent_years(), "can_write": can_write, "today": timezone.localdate(),
        "holders": services.certificate_holders(timezone.localdate()).order_by("username") if can_write else []})


@login_required
def document_detail(request, pk: int):
    document = _document_or_404(request, pk)
    return render(request, "inspections/document_detail.html", {
        "document": document, "review": getattr(document, "legal_review", None),
        "can_write": services.can_supervise(request.user), "today": timezone.localdate(),
        "history": history_of(document)})


@login_required
@require_POST
def document_action(request, pk: int, action: str):
    document = _document_or_404(request, pk)
    if action not in ("review", "issue"):
        raise Http404("未知操作")
    _writer_or_403(request)
    try:
        if action == "review":
            reviewed_on = _date(request.POST.get("reviewed_on"))
            if reviewed_on is None:
                raise ValidationError({"reviewed_on": "请填写审核日期"})
            services.legal_review_record(actor=request.user, document=document, reviewed_on=reviewed_on,
                                         approved=request.POST.get("approved") == "1",
                                         opinion=request.POST.get("opinion", ""))
            messages.success(request, "法制审核已记录")
        else:
            issued_on = _date(request.POST.get("issued_on"))
            if issued_on is None:
                raise ValidationError({"issued_on": "请填写文书日期"})
            services.document_issue(actor=request.user, document=document, issued_on=issued_on)
            messages.success(request, "文书已送达")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, f"未保存：{_errors(exc)}")
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
    "exposure", "公开曝光", "workspaces:exposure_list", ExposureForm, "exposed_on", "medium",
    "对拒不整改重大隐患、屡查屡犯的企业，在媒体上公开曝光。", selectors.exposures_for_user, services.exposure_record)
SUMMONSES = EnforcementRecord(
    "summons", "约谈", "workspaces:summons_list", SummonsForm, "held_on", "people",
    "约谈企业主要负责人、安全管理人员等，督促落实安全生产主体责任。", selectors.summonses_for_user,
    services.summons_record)


def _visible_enterprise(request, text: str):
    """The enterprise a page was opened for (from its 一企一册 page), if the user sees it."""
    if not (text.isdigit() and len(text) < 10):
        return None
    return selectors.enterprises_visible(request.user).filter(pk=int(text)).first()


def _add_errors(form, exc) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _errors(exc))


def _record_from_post(request, kind: EnforcementRecord, form):
    """Record through the service in one transaction; on any refusal the form carries the
    errors by field and nothing is written."""
    try:
        with transaction.atomic():
            return kind.record(actor=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as exc:
        _add_errors(form, exc)
        return None


def _enforcement_record_page(request, kind: EnforcementRecord):
    can_write = services.can_supervise(request.user)
    today = timezone.localdate()
    enterprise = _visible_enterprise(request, request.GET.get("enterprise", ""))
    form_options = {"today": today, "find_enterprise": lambda text: _enterprise_of(request, text)}
    form = None
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("只有区应急管理局监管人员或系统管理员可以记录公开曝光、约谈")
        form = kind.form(request.POST, **form_options)
        record = _record_from_post(request, kind, form) if form.is_valid() else None
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
