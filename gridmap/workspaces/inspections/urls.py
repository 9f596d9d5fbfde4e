"""The inspection pages, under /inspections/. Included without a namespace of its own, so the
names stay `workspaces:task_list` and so on."""

from django.urls import path

from . import views

urlpatterns = [
    path("area/", views.area_assign, name="area_assign"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/<slug:action>/", views.task_action, name="task_action"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/<slug:action>/", views.hazard_action, name="hazard_action"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<int:pk>/", views.document_detail, name="document_detail"),
    path("documents/<int:pk>/<slug:action>/", views.document_action, name="document_action"),
    path("exposures/", views.exposure_list, name="exposure_list"),
    path("summonses/", views.summons_list, name="summons_list"),
    path("plan/", views.plan_page, name="plan"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("statistics/export.<str:fmt>", views.statistics_export, name="statistics_export"),
    path("statistics/cells.geojson", views.statistics_cells, name="statistics_cells"),
]
