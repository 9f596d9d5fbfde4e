"""The officer's phone app: the web app manifest and the service worker (both served without
sign-in: they hold no data, and the browser fetches them outside the session), the outbox
page, and the cell package API."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .package import build_package, package_etag

APP_NAME = "静海网格"
THEME_COLOUR = "#1f3a5f"
# Every static file an officer page uses, precached by the service worker at install.
PRECACHED_STATIC = (
    "gridmap/site.css", "gridmap/map.css", "gridmap/map.js", "gridmap/nav.js", "gridmap/where.js",
    "gridmap/field/phone.css", "gridmap/field/store.js", "gridmap/field/outbox.js", "gridmap/field/app.js",
    "gridmap/field/coords.js", "gridmap/field/record_form.js", "gridmap/field/patrol.js",
    "gridmap/field/inspection.js", "gridmap/field/report.js", "gridmap/field/situation.js", "gridmap/field/drafts.js",
    "gridmap/field/outbox_page.js", "gridmap/field/icon-192.png", "gridmap/field/icon-512.png",
    "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "vendor/leaflet/images/layers.png",
    "vendor/leaflet/images/layers-2x.png", "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png", "vendor/leaflet/images/marker-shadow.png",
    "vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js", "vendor/idb/umd.js",
    "vendor/workbox/workbox-window.prod.umd.js",
)
WORKER_SCRIPT = "gridmap/field/sw-main.js"


@lru_cache(maxsize=1)
def precache_manifest() -> tuple[dict, ...]:
    """Workbox's precache entries: each file's URL and a revision from its content, so a phone
    fetches again exactly the files that changed."""
    entries = []
    for name in (*PRECACHED_STATIC, WORKER_SCRIPT):
        path = finders.find(name)
        if path is None:
            continue
        with open(path, "rb") as handle:
            revision = hashlib.blake2b(handle.read(), digest_size=8).hexdigest()
        entries.append({"url": static(name), "revision": revision})
    return tuple(entries)


@require_GET
def manifest(request):
    start = reverse("workspaces:my_cell")
    body = {
        "name": "静海区网格化安全监管 · 网格员", "short_name": APP_NAME, "lang": "zh-CN",
        "start_url": start, "scope": "/", "display": "standalone", "orientation": "portrait",
        "background_color": "#f4f6f8", "theme_color": THEME_COLOUR,
        "icons": [{"src": static(f"gridmap/field/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in (192, 512)],
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request):
    entries = precache_manifest()
    worker = next(e for e in entries if e["url"] == static(WORKER_SCRIPT))
    body = (
        "/* gridmap service worker: the precache list, then the worker itself. */\n"
        f"self.GRIDMAP_PRECACHE = {json.dumps([e for e in entries if e is not worker])};\n"
        f"self.GRIDMAP_STATIC = {json.dumps(static(''))};\n"
        f"importScripts({json.dumps(worker['url'] + '?v=' + worker['revision'])});\n"
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The worker controls every page of the site; it is checked for updates on each visit.
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    response["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
    return response


@login_required
def outbox(request):
    return render(request, "workspaces/outbox.html")


class CellPackageView(APIView):
    @extend_schema(summary="网格员离线数据包（本人在岗网格的范围、企业、任务、隐患、检查表、巡查）",
                   responses={200: OpenApiTypes.OBJECT, 304: None}, operation_id="field_package")
    def get(self, request):
        etag = package_etag(request.user)
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            response = HttpResponseNotModified()
        else:
            response = Response(build_package(request.user))
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Cookie, Authorization"
        return response
