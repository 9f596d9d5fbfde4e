"""执法公示 for the bureau's staff (/inspections/publication/): publish an issued penalty decision
on /public/ or withdraw it, and keep the credit lists (reports to the market-entity credit
publicity system, the joint-punishment blacklist with entry and exit) and the WeChat exposures.
Each write is one service with its history; the page marks the decisions past the 7 working
days of 国办发〔2018〕118号 that are not yet published."""

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from gridmap.accounts.capabilities import ISSUE_DOCUMENTS, capability_required
from gridmap.inspections import selectors, services
from gridmap.inspections.conf import app_settings
from gridmap.inspections.models import CreditListing
from gridmap.inspections.publication import (
    PUBLICATION_WORKING_DAYS,
    PublicationState,
    credit_listing_exit,
    credit_listing_record,
    publication_deadline,
    publication_record,
    publication_state,
    publication_withdraw,
)
from gridmap.workspaces.inspections.views import submit

from . import forms as staff_forms

TABS = {
    "decisions": "行政处罚决定公示",
    CreditListing.Kind.CREDIT_PUBLICITY: "信用信息公示系统报送",
    CreditListing.Kind.BLACKLIST: "联合惩戒黑名单",
    "wechat": "微信公众号曝光",
}


def _publish(*, actor, record, **texts):
    return publication_record(actor=actor, document=record, **texts)


def _withdraw(*, actor, record, withdrawn_on, reason):
    return publication_withdraw(actor=actor, publication=record, withdrawn_on=withdrawn_on, reason=reason)


def _exit(*, actor, record, exited_on, exit_reason):
    return credit_listing_exit(actor=actor, listing=record, exited_on=exited_on, exit_reason=exit_reason)


def _wechat(*, actor, enterprise, exposed_on, note):
    return services.exposure_record(actor=actor, enterprise=enterprise, exposed_on=exposed_on,
                                    medium=app_settings.WECHAT_MEDIUM, note=note)


@dataclass(frozen=True)
class Action:
    form: type
    service: object
    done: str
    tab: str  # the tab to go back to; "" for the one the form was sent from


ACTIONS = {
    "publish": Action(staff_forms.PublishForm, _publish, "已公示", "decisions"),
    "withdraw": Action(staff_forms.WithdrawForm, _withdraw, "已撤回公示", "decisions"),
    "list": Action(staff_forms.ListingForm, credit_listing_record, "已列入名单", ""),
    "exit": Action(staff_forms.ExitForm, _exit, "已移出名单", ""),
    "wechat": Action(staff_forms.WechatForm, _wechat, "已记录微信公众号曝光", "wechat"),
}


def _refusal(form) -> str:
    """The form's errors in one line, each after the field it concerns."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = getattr(form, "what", "") if name == "record" else (field.label if field else "")
        parts += [f"{label}：{e}" if label and not e.startswith(label) else e for e in errors]
    return "；".join(parts)


def _year(text: str, years: list[int], default: int) -> int:
    return int(text) if text.isdigit() and int(text) in years else default


def _post(request, today):
    sent = staff_forms.ActionForm(request.POST, actions=ACTIONS, tabs=TABS)
    if not sent.is_valid():
        messages.error(request, f"未保存：{_refusal(sent)}")
        return redirect("workspaces:publication_manage")
    action = ACTIONS[sent.cleaned_data["action"]]
    form = action.form(request.POST, user=request.user, today=today)
    if submit(form, action.service, actor=request.user) is None:
        messages.error(request, f"未保存：{_refusal(form)}")
    else:
        messages.success(request, action.done)
    # Back to the action's tab; a new listing to its list's tab; otherwise where it was sent from.
    tab = action.tab or getattr(form, "cleaned_data", {}).get("kind") or sent.cleaned_data["tab"] or "decisions"
    year = sent.cleaned_data["year"]
    return redirect(f"{request.path}?list={tab}" + (f"&year={year}" if year else ""))


@capability_required(ISSUE_DOCUMENTS)
def publication_manage(request):
    today = timezone.localdate()
    if request.method == "POST":
        return _post(request, today)
    which = request.GET.get("list", "")
    which = which if which in TABS else "decisions"
    decisions = selectors.penalty_decisions_for_user(request.user)
    held = sorted({d.year for d in decisions.dates("issued_on", "year")}, reverse=True)
    years = sorted(set(held) | {today.year}, reverse=True)
    # Opened without a year: the latest year holding decisions (this year's may have none yet).
    year = _year(request.GET.get("year", ""), years, held[0] if held else today.year)
    context = {"tabs": TABS, "which": which, "years": years, "year": year, "today": today,
               "days": PUBLICATION_WORKING_DAYS, "state_labels": PublicationState.LABELS}
    chosen = request.GET.get("record", "")
    chosen = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    if which == "decisions":
        context.update(_decisions(request, decisions.filter(issued_on__year=year), today, chosen))
    elif which == "wechat":
        rows = (selectors.exposures_for_user(request.user)
                .filter(medium=app_settings.WECHAT_MEDIUM, exposed_on__year=year)
                .select_related("enterprise", "recorded_by").order_by("-exposed_on", "-id"))
        context.update(rows=rows, form=staff_forms.WechatForm(user=request.user, today=today,
                                                              initial={"exposed_on": today}))
    else:
        rows = (selectors.credit_listings_for_user(request.user).filter(kind=which, entered_on__year=year)
                .order_by("-entered_on", "-id"))
        exiting = rows.filter(pk=chosen, exited_on__isnull=True).first() if chosen else None
        context.update(rows=rows, exiting=exiting, form=staff_forms.ListingForm(
            user=request.user, today=today, initial={"kind": which, "entered_on": today}))
        if exiting:
            context["exit_form"] = staff_forms.ExitForm(user=request.user, today=today,
                                                        initial={"record": exiting.pk, "exited_on": today})
    return render(request, "publication/manage.html", context)


def _decisions(request, documents, today, chosen):
    rows = []
    for document in documents.order_by("-issued_on", "-id"):
        publication = getattr(document, "publication", None)
        rows.append({"document": document, "publication": publication,
                     "deadline": publication_deadline(document.issued_on),
                     "state": publication_state(document.issued_on, publication, today)})
    wanted = request.GET.get("state", "")
    counts = Counter(row["state"] for row in rows)
    shown = [row for row in rows if row["state"] == wanted] if wanted in PublicationState.LABELS else rows
    context = {"rows": shown, "counts": [(key, label, counts[key]) for key, label in PublicationState.LABELS.items()],
               "state": wanted, "overdue": counts[PublicationState.OVERDUE]}
    row = next((r for r in rows if r["document"].pk == chosen), None) if chosen else None
    if row is None:
        return context
    document, publication = row["document"], row["publication"]
    context["chosen"] = row
    if publication is None:
        decision = f"罚款人民币 {int(document.fine_amount):,} 元" if document.fine_amount else ""
        if document.production_stop:
            decision = "；".join(filter(None, [decision, "责令停产停业整顿"]))
        context["publish_form"] = staff_forms.PublishForm(user=request.user, today=today, initial={
            "record": document.pk, "published_on": today, "findings": document.content[:2000], "decision": decision})
    elif publication.withdrawn_on is None:
        context["withdraw_form"] = staff_forms.WithdrawForm(
            user=request.user, today=today, initial={"record": publication.pk, "withdrawn_on": today})
    return context
