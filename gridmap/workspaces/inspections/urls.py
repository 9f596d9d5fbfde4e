"""The inspection pages, under /inspections/. Included without a namespace of its own, so the
names stay `workspaces:task_list` and so on."""

from django.urls import include, path

from gridmap.core.routes import record_routes

from ..publication import staff as publication_staff
from . import views

urlpatterns = [
    path("area/", views.area_assign, name="area_assign"),
    path("area/batches/<int:pk>/undo/", views.batch_undo, name="batch_undo"),
    path("tasks/export.csv", views.list_export, {"kind": "tasks"}, name="task_export"),
    path("hazards/export.csv", views.list_export, {"kind": "hazards"}, name="hazard_export"),
    path("reports/export.csv", views.list_export, {"kind": "reports"}, name="report_export"),
    path("documents/export.csv", views.list_export, {"kind": "documents"}, name="document_export"),
    record_routes("tasks/", "task_", views.task_list, views.task_detail,
                  path("<int:pk>/<slug:action>/", views.task_action, name="task_action")),
    record_routes("hazards/", "hazard_", views.hazard_list, views.hazard_detail,
                  path("<int:pk>/<slug:action>/", views.hazard_action, name="hazard_action")),
    record_routes("reports/", "report_", views.report_list, views.report_detail),
    record_routes("documents/", "document_", views.document_list, views.document_detail,
                  path("<int:pk>/<slug:action>/", views.document_action, name="document_action")),
    path("exposures/", views.exposure_list, name="exposure_list"),
    path("summonses/", views.summons_list, name="summons_list"),
    path("publication/", publication_staff.publication_manage, name="publication_manage"),
    path("plan/", views.plan_page, name="plan"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/approve/", views.plan_approve_page, name="plan_approve"),
    path("statistics/", include([
        path("", views.statistics_page, name="statistics"),
        path("export.<str:fmt>", views.statistics_export, name="statistics_export"),
        path("cells.geojson", views.statistics_cells, name="statistics_cells"),
    ])),
]
