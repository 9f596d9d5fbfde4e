from django.urls import include, path

from .grids import urls as grid_pages
from .landing import urls as landing_pages
from .patrols import urls as patrol_pages

app_name = "workspaces"
urlpatterns = [
    *grid_pages.urlpatterns,
    *patrol_pages.urlpatterns,
    *landing_pages.urlpatterns,
    path("inspections/", include("gridmap.workspaces.inspections.urls")),
]
