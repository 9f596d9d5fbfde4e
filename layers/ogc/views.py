"""OGC API – Features over the layer registry: every layer is a collection named as in the
registry, read through its own selector (so the one scope rule decides what a caller gets).

The landing page, conformance and the API definition are open; collections and items need a
signed-in user (the `Authorization: Token …` header, as GIS clients send it, or the
browser's session). JSON for `f=json` or an Accept header that does not put HTML first;
pages in the site's frame for a browser. Features are encoded by PostGIS (features.py); a
layer with declared source tables answers a revalidation (If-None-Match) from its data
versions without reading a row, as its GeoJSON does."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import EmptyResultSet
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from ..registry import Layer, layers_for
from ..views import intersecting, not_modified, property_filtered, version_tag, visible_layer, with_validators
from . import features
from .openapi import GEOJSON, HTML, JSON, OPENAPI, definition, filter_parameters
from .params import (
    CRS84,
    CRS_LIST,
    LATITUDE_FIRST,
    LIMIT_MAX,
    after_param,
    bbox_param,
    crs_param,
    datetime_param,
    limit_param,
)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
GEOMETRY_NAMES = {"polygon": "面", "line": "线", "point": "点"}
ITEM_PARAMS = {"f", "bbox", "bbox-crs", "crs", "limit", "after", "datetime"}
# Ids are PostgreSQL integers; a longer number names no feature.
MAX_ID = 2 ** 63 - 1


def known_only(request, allowed) -> None:
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ValidationError({"detail": f"未知参数：{'、'.join(unknown)}；可用：{'、'.join(sorted(allowed))}"})


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def with_query(url: str, params: dict) -> str:
    return f"{url}?{urlencode(params)}" if params else url


class OGCView(APIView):
    """Content negotiation, sign-in and the answers' headers shared by the service's views."""

    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def perform_content_negotiation(self, request, force=False):
        # The views answer GeoJSON and HTML themselves (negotiate); DRF's renderers serve only
        # its error answers, so an Accept they lack (application/geo+json) is no 406.
        return super().perform_content_negotiation(request, force=True)

    def negotiate(self, request, allowed=frozenset({"f"})) -> bool:
        """True for HTML. Unknown parameters are refused (OGC API – Features /req/core/
        query-param-unknown), so a misspelt filter is not silently ignored; `allowed` None
        leaves that to the caller (who needs the layer to know its filters)."""
        if allowed is not None:
            known_only(request, allowed)
        f = request.GET.get("f")
        if f:
            if f in ("json", "geojson", JSON, GEOJSON):
                return False
            if f in ("html", HTML):
                return True
            raise ValidationError({"f": "f 应为 json 或 html"})
        first = request.META.get("HTTP_ACCEPT", "").split(",")[0].split(";")[0].strip().lower()
        return first in (HTML, "application/xhtml+xml")

    def sign_in_needed(self, request, html: bool):
        """None for a signed-in user; a browser is sent to the sign-in page, a client gets 401."""
        if request.user.is_authenticated:
            return None
        if html:
            return redirect_to_login(request.get_full_path())
        raise NotAuthenticated("请登录，或在请求头提供 Authorization: Token <令牌>")

    @staticmethod
    def base(request) -> str:
        """The service's address, without the trailing slash."""
        return request.build_absolute_uri(reverse("ogc-landing")).rstrip("/")

    @staticmethod
    def document(request, document: dict | bytes, media_type: str, etag: str | None = None, headers=None):
        body = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
        if etag is None:
            etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        if not_modified(request, etag):
            response = with_validators(HttpResponseNotModified(), etag, None)
        else:
            response = with_validators(HttpResponse(body, content_type=media_type), etag, None)
        for key, value in (headers or {}).items():
            response[key] = value
        patch_vary_headers(response, ["Accept"])
        return response

    @staticmethod
    def page(request, template: str, context: dict):
        response = render(request, template, context)
        patch_vary_headers(response, ["Accept", "Cookie"])
        return response


@extend_schema(exclude=True)
class LandingView(OGCView):
    def get(self, request):
        html = self.negotiate(request)
        base = self.base(request)
        links = [
            link(f"{base}/?f=json", "self", JSON, "本页（JSON）"),
            link(f"{base}/?f=html", "alternate", HTML, "本页（网页）"),
            link(f"{base}/api", "service-desc", OPENAPI, "API 定义（OpenAPI 3.0）"),
            link(f"{base}/api?f=html", "service-doc", HTML, "API 说明（网页）"),
            link(f"{base}/conformance?f=json", "conformance", JSON, "符合的一致性类"),
            link(f"{base}/collections?f=json", "data", JSON, "图层（要素集合）"),
        ]
        document = {"title": "静海区网格化安全监管平台 · OGC API – Features",
                    "description": "平台各图层的标准要素服务，供 QGIS、ArcGIS、GDAL 等 GIS 软件读取。"
                                   "图层与要素需登录。",
                    "links": links}
        if html:
            return self.page(request, "ogc/landing.html", {"doc": document, "base": base})
        return self.document(request, document, JSON)


@extend_schema(exclude=True)
class ConformanceView(OGCView):
    def get(self, request):
        html = self.negotiate(request)
        document = {"conformsTo": CONFORMANCE}
        if html:
            return self.page(request, "ogc/conformance.html", {"classes": CONFORMANCE, "base": self.base(request)})
        return self.document(request, document, JSON)


@extend_schema(exclude=True)
class APIDefinitionView(OGCView):
    def get(self, request):
        html = self.negotiate(request)
        base = self.base(request)
        document = definition(base)
        if html:
            return self.page(request, "ogc/api.html", {"paths": document["paths"], "base": base})
        return self.document(request, document, OPENAPI)


def collection_document(layer: Layer, user, base: str) -> dict:
    url = f"{base}/collections/{layer.name}"
    return {
        "id": layer.name, "title": layer.title,
        "description": f"{layer.title}（{GEOMETRY_NAMES.get(layer.geometry, layer.geometry)}要素）",
        "itemType": "feature",
        "extent": features.extent(layer, layer.source(user)),
        "crs": list(CRS_LIST), "storageCrs": CRS84,
        "links": [
            link(f"{url}?f=json", "self", JSON, layer.title),
            link(f"{url}?f=html", "alternate", HTML, f"{layer.title}（网页）"),
            link(f"{url}/items?f=json", "items", GEOJSON, f"{layer.title}的要素"),
            link(f"{url}/items?f=html", "items", HTML, f"{layer.title}的要素（网页）"),
        ],
    }


@extend_schema(exclude=True)
class CollectionsView(OGCView):
    def get(self, request):
        html = self.negotiate(request)
        if refusal := self.sign_in_needed(request, html):
            return refusal
        base = self.base(request)
        document = {
            "links": [link(f"{base}/collections?f=json", "self", JSON, "图层列表"),
                      link(f"{base}/collections?f=html", "alternate", HTML, "图层列表（网页）")],
            "crs": list(CRS_LIST),
            "collections": [collection_document(layer, request.user, base) for layer in layers_for(request.user)],
        }
        if html:
            return self.page(request, "ogc/collections.html", {"doc": document, "base": base})
        return self.document(request, document, JSON)


@extend_schema(exclude=True)
class CollectionView(OGCView):
    def get(self, request, name: str):
        html = self.negotiate(request)
        if refusal := self.sign_in_needed(request, html):
            return refusal
        layer = visible_layer(request, name)
        base = self.base(request)
        document = collection_document(layer, request.user, base)
        if html:
            return self.page(request, "ogc/collection.html", {
                "doc": document, "base": base, "layer": layer,
                "parameters": filter_parameters(layer)})
        return self.document(request, document, JSON)


def items_queryset(layer: Layer, request):
    """The layer's scoped features with the request's bbox, property filters and datetime."""
    queryset = layer.source(request.user)
    box = bbox_param(request.GET)
    if box is not None:
        queryset = intersecting(layer, queryset, box)
    queryset = property_filtered(layer, queryset, request.GET)
    span = datetime_param(request.GET)
    # Layers without time have no temporal extent: `datetime` leaves them whole.
    if span is not None and layer.time_field:
        start, end = span
        if start is not None:
            queryset = queryset.filter(**{f"{layer.time_field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{layer.time_field}__lte": end})
    return queryset


@extend_schema(exclude=True)
class ItemsView(OGCView):
    def get(self, request, name: str):
        html = self.negotiate(request, allowed=None)
        if refusal := self.sign_in_needed(request, html):
            return refusal
        layer = visible_layer(request, name)
        known_only(request, ITEM_PARAMS | set(layer.filters))
        crs = crs_param(request.GET, "crs")
        limit, after = limit_param(request.GET), after_param(request.GET)
        queryset = items_queryset(layer, request)
        try:
            statements = features.page_statements(layer, queryset, after=after, limit=limit,
                                                   latitude_first=LATITUDE_FIRST[crs])
        except EmptyResultSet:  # a scope that sees nothing
            statements = None
        etag = None
        if statements and layer.source_tables and not html:
            (count_sql, count_params), (page_sql, page_params) = statements
            etag = version_tag(layer, count_sql + page_sql, (count_params, page_params),
                               f"ogc-items|{request.build_absolute_uri()}")
            if not_modified(request, etag):
                return self.document(request, b"", GEOJSON, etag)
        page = features.run_page(*statements) if statements else features.empty_page()

        url = f"{self.base(request)}/collections/{layer.name}/items"
        query = {key: value for key, value in request.GET.items() if key != "f"}
        links = [link(with_query(url, query | {"f": "json"}), "self", GEOJSON, "本页"),
                 link(with_query(url, query | {"f": "html"}), "alternate", HTML, "本页（网页）"),
                 link(f"{self.base(request)}/collections/{layer.name}?f=json", "collection", JSON, layer.title)]
        next_query = None
        if page.remaining > page.returned and page.last_id is not None:
            next_query = query | {"after": str(page.last_id)}
            links.append(link(with_query(url, next_query | {"f": "json"}), "next", GEOJSON, "下一页"))
        if html:
            return self.items_page(request, layer, page, url, next_query, query)
        head = {"type": "FeatureCollection", "numberMatched": page.matched, "numberReturned": page.returned,
                "links": links}
        body = (json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "features": [' + page.features + b"]}")
        return self.document(request, body, GEOJSON, etag, headers={"Content-Crs": f"<{crs}>"})

    def items_page(self, request, layer: Layer, page, url: str, next_query, query):
        # For a person, at most `limit` rows: the page's features are read back for the table.
        rows = json.loads(b"[" + page.features + b"]")
        columns = list(layer.popup)  # what a person sees of a feature on the maps, with its labels
        table = [{"id": f["id"], "values": [display(f["properties"].get(p)) for p, _ in columns]} for f in rows]
        return self.page(request, "ogc/items.html", {
            "layer": layer, "page": page, "columns": columns, "rows": table, "base": self.base(request),
            "next": with_query(url, next_query | {"f": "html"}) if next_query else None,
            "first": with_query(url, {k: v for k, v in query.items() if k != "after"} | {"f": "html"}),
            "json": with_query(url, query | {"f": "json"}), "limit_max": LIMIT_MAX,
            "filters": filter_parameters(layer),
        })


def display(value) -> str:
    """A property as a table shows it: people as "name (phone)", other lists joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(
            (f"{v.get('name', '')}（{v['phone']}）" if v.get("phone") else str(v.get("name", "")))
            if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@extend_schema(exclude=True)
class ItemView(OGCView):
    def get(self, request, name: str, fid: int):
        html = self.negotiate(request, allowed={"f", "crs"})
        if refusal := self.sign_in_needed(request, html):
            return refusal
        layer = visible_layer(request, name)
        crs = crs_param(request.GET, "crs")
        if fid > MAX_ID:
            raise NotFound(f"{layer.title}没有要素 {fid}")
        try:
            statement = features.feature_statement(layer, layer.source(request.user), fid,
                                                   latitude_first=LATITUDE_FIRST[crs])
        except EmptyResultSet:
            raise NotFound(f"{layer.title}没有要素 {fid}") from None
        etag = None
        if layer.source_tables and not html:
            etag = version_tag(layer, *statement, f"ogc-item|{request.build_absolute_uri()}")
            if not_modified(request, etag):
                return self.document(request, b"", GEOJSON, etag)
        body = features.run_feature(statement)
        if body is None:
            raise NotFound(f"{layer.title}没有要素 {fid}")
        base = self.base(request)
        url = f"{base}/collections/{layer.name}/items/{fid}"
        crs_query = {"crs": request.GET["crs"]} if "crs" in request.GET else {}
        links = [link(with_query(url, crs_query | {"f": "json"}), "self", GEOJSON, "本要素"),
                 link(with_query(url, crs_query | {"f": "html"}), "alternate", HTML, "本要素（网页）"),
                 link(f"{base}/collections/{layer.name}?f=json", "collection", JSON, layer.title)]
        if html:
            feature = json.loads(body)
            rows = [(label, display(feature["properties"].get(p))) for p, label in layer.popup]
            return self.page(request, "ogc/item.html", {
                "layer": layer, "fid": fid, "rows": rows, "base": base,
                "geometry_type": (feature.get("geometry") or {}).get("type", ""),
                "json": with_query(url, crs_query | {"f": "json"})})
        body = body[:-1] + b', "links": ' + json.dumps(links, ensure_ascii=False).encode() + b"}"
        return self.document(request, body, GEOJSON, etag, headers={"Content-Crs": f"<{crs}>"})
