"""What each kind of export holds: the rows the requester may see (the scope rule, through each
app's selectors), filtered by the same names as the lists, as table rows and as GeoJSON
features. One function per kind applies the filters (`*_queryset`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from gridmap.enterprises import exports as enterprise_exports
from gridmap.enterprises.selectors import FILTERS as ENTERPRISE_FILTERS
from gridmap.enterprises.selectors import enterprises_for_user
from gridmap.inspections import exports as inspection_exports
from gridmap.inspections.selectors import (
    HAZARD_FILTERS,
    INSPECTION_FILTERS,
    hazards_for_export,
    inspections_for_export,
)

DATE_FILTERS = {"due_from", "due_to", "found_from", "found_to"}


def enterprises_queryset(user, filters: dict) -> QuerySet:
    return enterprises_for_user(user, filters=filters).order_by("id")


def inspections_queryset(user, filters: dict) -> QuerySet:
    return inspections_for_export(user, filters=filters)


def hazards_queryset(user, filters: dict) -> QuerySet:
    return hazards_for_export(user, filters=filters)


@dataclass(frozen=True)
class Source:
    label: str
    filter_names: tuple[str, ...]
    queryset: Callable[[object, dict], QuerySet]
    table_rows: Callable[..., Iterator[list]]
    sheet_title: str
    geom: str
    geojson_properties: tuple[str, ...]


SOURCES = {
    "enterprises": Source("企业", tuple(ENTERPRISE_FILTERS), enterprises_queryset, enterprise_exports.table_rows,
                          "企业", "location", enterprise_exports.GEOJSON_PROPERTIES),
    "inspections": Source("检查记录", tuple(INSPECTION_FILTERS), inspections_queryset,
                          inspection_exports.inspection_table_rows, "检查记录", "position",
                          inspection_exports.INSPECTION_GEOJSON_PROPERTIES),
    "hazards": Source("隐患", tuple(HAZARD_FILTERS), hazards_queryset, inspection_exports.hazard_table_rows,
                      "隐患", "location", inspection_exports.HAZARD_GEOJSON_PROPERTIES),
}


def clean_filters(kind: str, filters, *, names: tuple[str, ...] | None = None) -> dict:
    """The filters as strings, or a ValidationError naming the filter: an unknown name or a
    bad date changes nothing and says which."""
    if filters in (None, ""):
        return {}
    if not isinstance(filters, dict):
        raise ValidationError({"filters": "筛选条件应为对象，例如 {\"grid\": \"120118001\"}"})
    allowed = names if names is not None else SOURCES[kind].filter_names
    cleaned = {}
    for name, value in filters.items():
        if name not in allowed:
            raise ValidationError({"filters": f"筛选条件 {name} 不适用于此导出（可用：{'、'.join(allowed)}）"})
        if value in (None, ""):
            continue
        if not isinstance(value, str | int | float | bool) or isinstance(value, bool) and name not in (
                "hazardous_chemicals", "complete", "unassigned"):
            raise ValidationError({"filters": f"筛选条件 {name} 的值应为文字或数字"})
        text = str(value).strip()
        if "\x00" in text or len(text) > 100:
            raise ValidationError({"filters": f"筛选条件 {name} 的值无效"})
        if name in DATE_FILTERS:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                raise ValidationError({"filters": f"筛选条件 {name} 应为日期 YYYY-MM-DD"}) from None
        cleaned[name] = text
    return cleaned


def geojson_features(source: Source, queryset: QuerySet, *, chunk_size: int) -> Iterator[tuple]:
    """(id, geometry as GeoJSON text, properties) per record, the geometry encoded by PostGIS,
    read through a server-side cursor."""
    names = source.geojson_properties
    rows = (queryset.annotate(geometry_json=AsGeoJSON(source.geom, precision=6))
            .values_list("pk", "geometry_json", *names).iterator(chunk_size=chunk_size))
    for pk, geometry, *values in rows:
        yield pk, geometry, {name: (value.isoformat() if isinstance(value, dt.date) else value)
                         for name, value in zip(names, values, strict=True)}
