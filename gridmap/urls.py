from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gridmap.accounts.api import DeviceDetailView, DeviceListView, obtain_token
from gridmap.jobs import health
from gridmap.workspaces.enterprises import urls as enterprise_pages
from gridmap.workspaces.field import views as field_views

# The most requested first (the lookup, tiles, layers): Django tries the patterns in order.
urlpatterns = [
    path("api/grids/", include("gridmap.grids.api.urls")),
    path("tiles/", include("layers.tile_urls")),
    path("api/layers/", include("layers.urls")),
    # OGC API – Features for GIS clients (QGIS, ArcGIS, GDAL): the registry's layers.
    path("ogc/", include("layers.ogc.urls")),
    path("", include("gridmap.workspaces.urls")),
    path("", include("gridmap.workspaces.field.urls")),
    # The phone app's manifest and service worker: public (see gridmap.workspaces.field.views).
    path("manifest.webmanifest", field_views.manifest, name="manifest"),
    path("sw.js", field_views.service_worker, name="service-worker"),
    path("api/field/package/", field_views.CellPackageView.as_view(), name="field-package"),
    path("accounts/", include("gridmap.accounts.urls")),
    # 执法公示: public, without sign-in (only published records; see gridmap.inspections.publication).
    path("public/", include("gridmap.workspaces.publication.urls")),
    path("admin/", admin.site.urls),
    path("api/auth/token/", obtain_token, name="api-token"),
    path("api/auth/devices/", DeviceListView.as_view(), name="api-devices"),
    path("api/auth/devices/<int:pk>/", DeviceDetailView.as_view(), name="api-device"),
    path("enterprises/", include(enterprise_pages)),
    path("registers/", include(enterprise_pages.register_patterns)),
    path("api/patrols/", include("gridmap.patrols.api.urls")),
    path("api/flood/", include("gridmap.workspaces.flood.api_urls")),
    path("flood/", include("gridmap.workspaces.flood.urls")),
    path("api/inspections/", include("gridmap.inspections.api.urls")),
    path("api/", include("gridmap.inspections.api.self_inspection_urls")),
    path("enterprise/", include("gridmap.workspaces.selfcheck.urls")),
    path("api/exports/", include("gridmap.jobs.api.urls")),
    path("exports/", include("gridmap.workspaces.exports.urls")),
    # For load balancers and the operator: no sign-in (see gridmap.jobs.health).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
         name="swagger-ui"),
]

handler400 = "gridmap.core.views.bad_request"
handler403 = "gridmap.core.views.permission_denied"
handler404 = "gridmap.core.views.not_found"
handler500 = "gridmap.core.views.server_error"
