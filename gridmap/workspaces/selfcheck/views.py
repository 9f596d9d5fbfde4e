"""The enterprise user's pages: its desk (register at a glance, checks due, hazards with
deadlines), recording a self-inspection item by item (desk or phone), its hazards with the
proof of rectification, and the first sign-in with the one-time code. Thin: reads through
the selectors (an enterprise user sees only its own enterprise), writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from gridmap.accounts.capabilities import ACT_FOR_ENTERPRISE, capability_required
from gridmap.enterprises.selectors import (
    enterprise_for_user,
    own_enterprise_ids,
    register_changes_for_user,
    risk_points_for_user,
)
from gridmap.enterprises.services import enterprise_account_activate, register_change_propose
from gridmap.inspections import selectors as inspections
from gridmap.inspections import services
from gridmap.inspections.models import Hazard
from gridmap.inspections.self_checks import items_with_due

from .forms import ActivateForm, ChangeForm, RectifiedForm, checked_rows, item_photos, self_check_form


def _own_enterprise(request):
    own = sorted(own_enterprise_ids(request.user))
    enterprise = enterprise_for_user(request.user, own[0]) if own else None
    if enterprise is None:
        raise Http404("您的账户未关联企业")
    return enterprise


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


@capability_required(ACT_FOR_ENTERPRISE)
def desk(request):
    enterprise = _own_enterprise(request)
    today = timezone.localdate()
    items = items_with_due(enterprise, today)
    due = [i for i in items if i["due"] <= today]
    hazards = list(inspections.hazards_for_user(request.user, open_only=True, enterprise=enterprise)[:50])
    recent = list(inspections.self_inspections_for_user(request.user, enterprise=enterprise.pk)[:10])
    return render(request, "selfcheck/desk.html", {
        "enterprise": enterprise, "due": due, "item_count": len(items), "hazards": hazards, "recent": recent,
        "today": today})


@capability_required(ACT_FOR_ENTERPRISE)
def record(request):
    enterprise = _own_enterprise(request)
    items = items_with_due(enterprise)
    form_class = self_check_form(items)
    errors = []
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not form.is_valid():
            errors = [m for ms in form.errors.values() for m in ms]
        else:
            try:
                synced = services.self_inspection_sync(actor=request.user, enterprise=enterprise,
                                                       items=checked_rows(form, items),
                                                       client_id=form.cleaned_data["client_id"],
                                                       checked_at=form.cleaned_data["checked_at"],
                                                       photos=form.cleaned_data["photos"],
                                                       item_photos=item_photos(form, items))
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                found = sum(1 for i in synced.record.items if i.get("hazard"))
                messages.success(request, f"已记录自查 {len(synced.record.items)} 项"
                                          + (f"，登记隐患 {found} 项（已转所在网格网格员）" if found else ""))
                return redirect("selfcheck:desk")
    values = form.data if form.is_bound else {}
    for item in items:
        item["value"] = {"result": values.get(f"result-{item['code']}", ""),
                         "note": values.get(f"note-{item['code']}", "")}
    return render(request, "selfcheck/record.html", {"enterprise": enterprise, "items": items, "errors": errors},
                  status=400 if errors else 200)


@capability_required(ACT_FOR_ENTERPRISE)
def hazards(request):
    enterprise = _own_enterprise(request)
    rows = list(inspections.hazards_for_user(request.user, enterprise=enterprise)[:500])
    return render(request, "selfcheck/hazards.html", {"enterprise": enterprise, "hazards": rows})


@capability_required(ACT_FOR_ENTERPRISE)
def hazard(request, pk: int):
    found = inspections.hazard_in_scope(request.user, pk)
    if found is None:
        raise Http404("隐患不存在或无权查看")
    errors = []
    if request.method == "POST":
        form = RectifiedForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [m for ms in form.errors.values() for m in ms]
        else:
            try:
                services.hazard_rectified(actor=request.user, hazard=found, **form.cleaned_data)
            except ValidationError as exc:
                errors = _errors(exc)
            except PermissionDenied as exc:
                errors = [str(exc)]
            else:
                messages.success(request, "已报告整改完成，等待网格员核实")
                return redirect("selfcheck:hazard", pk=pk)
    photos = list(found.photos.all())
    return render(request, "selfcheck/hazard.html", {
        "hazard": found, "errors": errors, "today": timezone.localdate(),
        "finding_photos": [p for p in photos if not p.proof], "proof_photos": [p for p in photos if p.proof],
        "can_report": found.level == Hazard.Level.GENERAL and found.status in ("found", "rectifying")},
        status=400 if errors else 200)


@capability_required(ACT_FOR_ENTERPRISE)
def changes(request):
    """The enterprise proposes changes to its register (people, measures); the bureau decides."""
    enterprise = _own_enterprise(request)
    points = list(risk_points_for_user(request.user, enterprise=enterprise))
    form = ChangeForm(request.POST or None, points=points)
    errors = []
    if request.method == "POST":
        if not form.is_valid():
            errors = [m for ms in form.errors.values() for m in ms]
        else:
            data = form.cleaned_data
            point = next(p for p in points if p.pk == data["risk_point"])
            try:
                register_change_propose(actor=request.user, risk_point=point, changes={data["field"]: data["value"]},
                                        reason=data["reason"])
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, "变更已提交，等待区应急管理局审核")
                return redirect("selfcheck:changes")
    return render(request, "selfcheck/changes.html", {
        "enterprise": enterprise, "form": form, "errors": errors,
        "changes": register_changes_for_user(request.user).filter(enterprise=enterprise)[:100]},
        status=400 if errors else 200)


def activate(request):
    """First sign-in of an enterprise account: the one-time code the officer was shown sets
    the password (no SMS here)."""
    errors = []
    form = ActivateForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError({"code": "请填写用户名、一次性登录码和密码"})
            user = enterprise_account_activate(**form.cleaned_data)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("selfcheck:desk")
    return render(request, "selfcheck/activate.html", {"errors": errors}, status=400 if errors else 200)
