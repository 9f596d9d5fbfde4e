from django.urls import path

from . import inspection_views as iv
from .grids import urls as grid_pages
from .patrols import urls as patrol_pages

app_name = "workspaces"
urlpatterns = [
    *grid_pages.urlpatterns,
    *patrol_pages.urlpatterns,
    path("inspections/area/", iv.area_assign, name="area_assign"),
    path("inspections/tasks/", iv.task_list, name="task_list"),
    path("inspections/tasks/<int:pk>/", iv.task_detail, name="task_detail"),
    path("inspections/tasks/<int:pk>/<slug:action>/", iv.task_action, name="task_action"),
    path("inspections/hazards/", iv.hazard_list, name="hazard_list"),
    path("inspections/hazards/<int:pk>/", iv.hazard_detail, name="hazard_detail"),
    path("inspections/hazards/<int:pk>/<slug:action>/", iv.hazard_action, name="hazard_action"),
    path("inspections/reports/", iv.report_list, name="report_list"),
    path("inspections/reports/<int:pk>/", iv.report_detail, name="report_detail"),
    path("inspections/documents/", iv.document_list, name="document_list"),
    path("inspections/documents/<int:pk>/", iv.document_detail, name="document_detail"),
    path("inspections/documents/<int:pk>/<slug:action>/", iv.document_action, name="document_action"),
    path("inspections/exposures/", iv.exposure_list, name="exposure_list"),
    path("inspections/summonses/", iv.summons_list, name="summons_list"),
    path("inspections/plan/", iv.plan_page, name="plan"),
    path("inspections/statistics/", iv.statistics_page, name="statistics"),
    path("inspections/statistics/export.<str:fmt>", iv.statistics_export, name="statistics_export"),
    path("inspections/statistics/cells.geojson", iv.statistics_cells, name="statistics_cells"),
]
