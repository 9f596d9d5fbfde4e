from django.urls import path

from . import inspection_views as iv
from . import views

app_name = "workspaces"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.grid_map, name="map"),
    path("my-cell/", views.my_cell, name="my_cell"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/new/", views.patrol_new, name="patrol_new"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("cells/<str:code>/", views.cell_detail, name="cell_detail"),
    path("assign/", views.assign_map, name="assign"),
    path("assign/new/", views.assign_create, name="assign_create"),
    path("assign/<int:pk>/<slug:action>/", views.assignment_action, name="assignment_action"),
    path("assign/roster/", views.roster_upload, name="roster_upload"),
    path("coverage/", views.coverage, name="coverage"),
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
