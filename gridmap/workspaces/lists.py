"""A list page's filters, page and export, shared by every list: the FilterSet (django-filter)
on top of the scope-limited selector, Django's Paginator, and the query string without the
page, so a list can be bookmarked and exported as shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone

from gridmap.core.spreadsheets import csv_bytes

PER_PAGE = 50
EXPORT_LIMIT = 20000


def filtered(request, filterset_class, queryset, *, defaults: dict | None = None):
    """The bound FilterSet; `defaults` apply only where the URL does not name the filter."""
    data = request.GET.copy()
    for key, value in (defaults or {}).items():
        if key not in data:
            data[key] = value
    return filterset_class(data, queryset=queryset, user=request.user)


def list_context(request, filterset, *, export_url: str = "") -> dict:
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    query = filterset.data.copy()
    query.pop("page", None)
    return {"filterset": filterset, "page": page, "query": query.urlencode(), "export_url": export_url}


def csv_export(rows, columns: Sequence[tuple[str, Callable]], *, name: str) -> HttpResponse:
    """The filtered rows as CSV, one column per (heading, value of a row)."""
    table = [[heading for heading, _ in columns]]
    table += [[value(row) for _, value in columns] for row in rows[:EXPORT_LIMIT]]
    response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
