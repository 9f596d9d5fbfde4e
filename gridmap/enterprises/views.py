from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .exports import export_csv, export_geojson, export_xlsx
from .models import Enterprise
from .register import register_context, register_filename, register_pdf
from .risk import SHORT_LABELS
from .selectors import FILTERS, enterprise_for_user, enterprises_for_user, risk_points_for_user

EXPORTS = {
    "csv": (export_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (export_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "geojson": (export_geojson, "application/geo+json", "geojson"),
}


def _filters(request) -> dict:
    return {k: request.GET[k] for k in FILTERS if request.GET.get(k)}


@login_required
def enterprise_list(request):
    filters = _filters(request)
    queryset = enterprises_for_user(request.user, filters=filters).order_by("name")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/list.html", {
        "page": page, "filters": filters, "query": query.urlencode(),
        "levels": SHORT_LABELS, "classes": Enterprise.SupervisionClass.choices,
        "statuses": Enterprise.Status.choices,
    })


@login_required
def enterprise_export(request, fmt: str):
    if fmt not in EXPORTS:
        raise Http404("不支持的导出格式")
    build, content_type, extension = EXPORTS[fmt]
    queryset = enterprises_for_user(request.user, filters=_filters(request)).order_by("name")
    response = HttpResponse(build(queryset), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="enterprises-{stamp}.{extension}"'
    return response


def _enterprise_and_points(request, pk: int):
    enterprise = enterprise_for_user(request.user, pk)
    if enterprise is None:
        raise Http404("企业不存在或无权查看")
    return enterprise, list(risk_points_for_user(request.user, enterprise=enterprise))


@login_required
def enterprise_register(request, pk: int):
    enterprise, points = _enterprise_and_points(request, pk)
    return render(request, "enterprises/detail.html", register_context(enterprise, points))


@login_required
def enterprise_register_pdf(request, pk: int):
    enterprise, points = _enterprise_and_points(request, pk)
    response = HttpResponse(register_pdf(enterprise, points), content_type="application/pdf")
    name = register_filename(enterprise)
    response["Content-Disposition"] = (f"attachment; filename=\"{enterprise.credit_code}.pdf\"; "
                                       f"filename*=UTF-8''{_quote(name)}")
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
