from django.urls import include, path

from gridmap.core.routes import record_routes

from . import criteria, views

urlpatterns = [
    path("criteria/", criteria.CriteriaView.as_view(), name="inspection-criteria"),
    path("area/", include([
        path("enterprises/", views.AreaEnterprisesView.as_view(), name="inspection-area-enterprises"),
        path("assign/", views.AreaAssignView.as_view(), name="inspection-area-assign"),
    ])),
    record_routes(
        "tasks/", "inspection-task-", views.TaskListView.as_view(), views.TaskDetailView.as_view(),
        path("<int:pk>/inspections/", views.TaskInspectionsView.as_view(), name="inspection-task-inspections"),
        path("<int:pk>/<slug:action>/", views.TaskActionView.as_view(), name="inspection-task-action")),
    record_routes(
        "hazards/", "inspection-hazard-", views.HazardListView.as_view(), views.HazardDetailView.as_view(),
        path("<int:pk>/reinspections/", views.HazardReinspectionsView.as_view(),
             name="inspection-hazard-reinspections"),
        path("<int:pk>/<slug:action>/", views.HazardActionView.as_view(), name="inspection-hazard-action")),
    record_routes("reports/", "inspection-report-", views.ReportListView.as_view(), views.ReportDetailView.as_view()),
    record_routes(
        "documents/", "inspection-document-", views.DocumentListView.as_view(), views.DocumentDetailView.as_view(),
        path("<int:pk>/issue/", views.DocumentIssueView.as_view(), name="inspection-document-issue"),
        path("<int:pk>/review/", views.DocumentReviewView.as_view(), name="inspection-document-review")),
    path("exposures/", views.ExposureListView.as_view(), name="inspection-exposure-list"),
    path("summonses/", views.SummonsListView.as_view(), name="inspection-summons-list"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="inspection-photo"),
]
