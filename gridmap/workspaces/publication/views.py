"""执法公示: the bureau's published decisions, random inspection results and credit lists,
for anyone, without signing in. Only published records are read, through selectors that
name their columns; one list a page, paged, so that a visitor's request costs two small
indexed queries."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from gridmap.inspections.models import CreditListing, Publication
from gridmap.inspections.publication import credit_listed, published, wechat_exposures

PAGE_SIZE = 20
SEARCH_LENGTH = 50


@dataclass(frozen=True)
class PublicList:
    title: str
    hint: str
    rows: Callable


LISTS = {
    "penalties": PublicList(
        "行政处罚决定", "行政处罚决定自作出之日起 7 个工作日内公示（国办发〔2018〕118号），公示后持续列出。",
        lambda text: published(Publication.Kind.PENALTY_DECISION, text=text)),
    "random_checks": PublicList(
        "双随机抽查结果", "年度监督检查计划中随机抽取企业、随机抽取执法人员的检查结果（双随机一公开）。",
        lambda text: published(Publication.Kind.RANDOM_CHECK, text=text)),
    "credit": PublicList(
        "信用信息公示系统报送", "受到行政处罚、报送市场主体信用信息公示系统的企业。",
        lambda text: credit_listed(CreditListing.Kind.CREDIT_PUBLICITY, text=text)),
    "wechat": PublicList(
        "微信公众号曝光", "在区应急管理局微信公众号公开曝光的企业。",
        lambda text: wechat_exposures(text=text)),
    "blacklist": PublicList(
        "联合惩戒黑名单", "列为安全生产领域失信生产经营单位、实施联合惩戒的企业，含列入与移出日期及事由。",
        lambda text: credit_listed(CreditListing.Kind.BLACKLIST, text=text)),
}


@require_safe
def public_index(request):
    which = request.GET.get("list", "")
    which = which if which in LISTS else "penalties"
    text = request.GET.get("q", "").strip()[:SEARCH_LENGTH]
    page = Paginator(LISTS[which].rows(text), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publication/public.html", {
        "lists": LISTS, "which": which, "current": LISTS[which], "text": text, "page": page})
