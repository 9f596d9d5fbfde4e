"""Decisions made public (执法公示, 双随机一公开) and the credit lists (信用名单).

Administrative enforcement decisions are published within 7 working days of the decision
(国办发〔2018〕118号) and stay listed after that; so are the results of the random
inspections. What is published is written for publication on a `Publication`: the
enterprise, the facts, the legal basis, the decision and the date. The public reads only
these records, through the selectors below, which name the columns they return: an
officer's phone, a reporter or any other private person's data cannot reach the page.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from gridmap.accounts.capabilities import ISSUE_DOCUMENTS
from gridmap.core.history import recorded_as

from .conf import app_settings
from .models import CreditListing, EnforcementDocument, Exposure, PlanVisit, Publication

PUBLICATION_WORKING_DAYS = 7


def working_days_after(day: dt.date, days: int) -> dt.date:
    """The date `days` working days after `day`, counting Monday to Friday. Public holidays
    and the weekends worked in their place (调休) are not known to the platform, so the
    deadline it shows may be a day or two early around a holiday, never late."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def publication_deadline(decided_on: dt.date) -> dt.date:
    return working_days_after(decided_on, PUBLICATION_WORKING_DAYS)


@transaction.atomic
def publication_record(*, actor, published_on: dt.date, findings: str, legal_basis: str, decision: str,
                       document: EnforcementDocument | None = None,
                       plan_visit: PlanVisit | None = None) -> Publication:
    """Publish a penalty decision (an issued 行政处罚决定书) or a random inspection's result
    (a plan visit whose task is done)."""
    ISSUE_DOCUMENTS.require(actor)
    if (document is None) == (plan_visit is None):
        raise ValidationError({"document": "公示须对应一份行政处罚决定书或一次计划检查"})
    if document is not None:
        if document.kind != EnforcementDocument.Kind.PENALTY_DECISION or document.status != "issued":
            raise ValidationError({"document": f"{document} 不是已送达的行政处罚决定书，不能公示"})
        kind, enterprise, cell, decided_on = (Publication.Kind.PENALTY_DECISION, document.enterprise,
                                              document.cell, document.issued_on)
    else:
        task = getattr(plan_visit, "task", None)
        if task is None or task.status != "done":
            raise ValidationError({"plan_visit": "该计划检查尚未完成，不能公示结果"})
        kind, enterprise, cell = Publication.Kind.RANDOM_CHECK, plan_visit.entry.enterprise, task.cell
        decided_on = timezone.localtime(task.finished_at).date() if task.finished_at else plan_visit.planned_on
    if published_on < decided_on:
        raise ValidationError({"published_on": f"公示日期 {published_on} 早于决定（检查）日期 {decided_on}"})
    if published_on > timezone.localdate():
        raise ValidationError({"published_on": f"公示日期 {published_on} 晚于今天"})
    texts = {"findings": findings.strip(), "legal_basis": legal_basis.strip(), "decision": decision.strip()}
    labels = {"findings": "违法事实或检查发现", "legal_basis": "法律依据", "decision": "处理决定"}
    for name, text in texts.items():
        if not text:
            raise ValidationError({name: f"公示须写明{labels[name]}"})
    existing = Publication.objects.filter(Q(document=document) if document else Q(plan_visit=plan_visit)).first()
    if existing is not None:
        if (existing.published_on, existing.findings, existing.legal_basis, existing.decision) == (
                published_on, texts["findings"], texts["legal_basis"], texts["decision"]):
            return existing  # the same submission sent again
        raise ValidationError({"document": f"{enterprise.name} 的该项决定（结果）已于 {existing.published_on} 公示"})
    with recorded_as(actor, "publication_record"):
        return Publication.objects.create(
            kind=kind, enterprise=enterprise, cell=cell, document=document, plan_visit=plan_visit,
            decided_on=decided_on, published_on=published_on, recorded_by=actor,
            district_code=enterprise.district_code, **texts)


@transaction.atomic
def credit_listing_record(*, actor, kind: str, enterprise, entered_on: dt.date, reason: str,
                          note: str = "") -> CreditListing:
    ISSUE_DOCUMENTS.require(actor)
    if kind not in CreditListing.Kind.values:
        raise ValidationError({"kind": f"未知名单 {kind!r}"})
    if entered_on > timezone.localdate():
        raise ValidationError({"entered_on": f"列入日期 {entered_on} 晚于今天"})
    if not reason.strip():
        raise ValidationError({"reason": f"{enterprise.name}：须写明列入事由"})
    if CreditListing.objects.filter(kind=kind, enterprise=enterprise, exited_on__isnull=True).exists():
        raise ValidationError({"enterprise": f"{enterprise.name} 已在{CreditListing.Kind(kind).label}中"})
    with recorded_as(actor, "credit_listing_record"):
        return CreditListing.objects.create(
            kind=kind, enterprise=enterprise, cell=enterprise.cell, entered_on=entered_on,
            reason=reason.strip(), note=note, recorded_by=actor, district_code=enterprise.district_code)


@transaction.atomic
def credit_listing_exit(*, actor, listing: CreditListing, exited_on: dt.date, exit_reason: str) -> CreditListing:
    """An enterprise leaves a list (信用修复): the entry stays on record with its exit."""
    ISSUE_DOCUMENTS.require(actor)
    listing = CreditListing.objects.select_for_update().get(pk=listing.pk)
    if listing.exited_on is not None:
        raise ValidationError({"exited_on": f"{listing.enterprise.name} 已于 {listing.exited_on} 移出"})
    if not listing.entered_on <= exited_on <= timezone.localdate():
        raise ValidationError({"exited_on": f"移出日期 {exited_on} 须在列入日期 {listing.entered_on} 与今天之间"})
    if not exit_reason.strip():
        raise ValidationError({"exit_reason": f"{listing.enterprise.name}：须写明移出事由"})
    with recorded_as(actor, "credit_listing_exit"):
        listing.exited_on, listing.exit_reason = exited_on, exit_reason.strip()
        listing.save(update_fields=["exited_on", "exit_reason"])
    return listing


@transaction.atomic
def publication_withdraw(*, actor, publication: Publication, withdrawn_on: dt.date, reason: str) -> Publication:
    """Take a published decision off the public page (changed or annulled on review or in court,
    国办发〔2018〕118号: within 3 working days, with an explanation). The record stays, with the day
    and the reason; sent twice, the second is recognised and changes nothing."""
    ISSUE_DOCUMENTS.require(actor)
    publication = Publication.objects.select_for_update().select_related("enterprise").get(pk=publication.pk)
    reason = reason.strip()
    if publication.withdrawn_on is not None:
        if (publication.withdrawn_on, publication.withdraw_reason) == (withdrawn_on, reason):
            return publication
        raise ValidationError({"withdrawn_on": f"{publication.enterprise.name} 的公示已于 "
                                               f"{publication.withdrawn_on} 撤回"})
    if not publication.published_on <= withdrawn_on <= timezone.localdate():
        raise ValidationError({"withdrawn_on": f"{publication.enterprise.name}：撤回日期 {withdrawn_on} 须在"
                                               f"公示日期 {publication.published_on} 与今天之间"})
    if not reason:
        raise ValidationError({"reason": f"{publication.enterprise.name}：须写明撤回说明（如复议、诉讼变更或撤销）"})
    with recorded_as(actor, "publication_withdraw"):
        publication.withdrawn_on, publication.withdraw_reason = withdrawn_on, reason[:300]
        publication.save(update_fields=["withdrawn_on", "withdraw_reason"])
    return publication


class PublicationState:
    """Where a penalty decision stands against the 7-working-day rule, as the staff page says it."""

    PUBLISHED, LATE, WITHDRAWN, DUE, OVERDUE = "published", "late", "withdrawn", "due", "overdue"
    LABELS = {PUBLISHED: "已按期公示", LATE: "已公示（逾期）", WITHDRAWN: "已撤回",
              DUE: "待公示", OVERDUE: "逾期未公示"}


def publication_state(decided_on: dt.date, publication: Publication | None, today: dt.date) -> str:
    deadline = publication_deadline(decided_on)
    if publication is None:
        return PublicationState.OVERDUE if today > deadline else PublicationState.DUE
    if publication.withdrawn_on is not None:
        return PublicationState.WITHDRAWN
    return PublicationState.LATE if publication.published_on > deadline else PublicationState.PUBLISHED


# --- what the public reads -------------------------------------------------------------------
# Each selector names its columns: only these leave the database for the public page.

ENTERPRISE_COLUMNS = {"enterprise_name": F("enterprise__name"), "credit_code": F("enterprise__credit_code")}


def _matching(queryset: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(enterprise__name__icontains=text) | Q(enterprise__credit_code=text.upper()))


def published(kind: str, *, text: str = "", today: dt.date | None = None) -> QuerySet:
    """Published penalty decisions or random inspection results, latest first (a withdrawn one
    is no longer listed)."""
    today = today or timezone.localdate()
    rows = Publication.objects.filter(kind=kind, published_on__lte=today, withdrawn_on__isnull=True)
    return (_matching(rows, text).order_by("-published_on", "-id")
            .values("id", "decided_on", "published_on", "findings", "legal_basis", "decision", **ENTERPRISE_COLUMNS))


def credit_listed(kind: str, *, text: str = "") -> QuerySet:
    rows = CreditListing.objects.filter(kind=kind, entered_on__lte=timezone.localdate())
    return (_matching(rows, text).order_by("-entered_on", "-id")
            .values("id", "entered_on", "reason", "exited_on", "exit_reason", **ENTERPRISE_COLUMNS))


def wechat_exposures(*, text: str = "") -> QuerySet:
    """Enterprises exposed on the bureau's WeChat account (公开曝光), latest first."""
    rows = Exposure.objects.filter(medium=app_settings.WECHAT_MEDIUM, exposed_on__lte=timezone.localdate())
    return (_matching(rows, text).order_by("-exposed_on", "-id")
            .values("id", "exposed_on", "medium", **ENTERPRISE_COLUMNS))
