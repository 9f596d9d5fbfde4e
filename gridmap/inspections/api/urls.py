from django.urls import path

from . import views

urlpatterns = [
    path("area/enterprises/", views.AreaEnterprisesView.as_view(), name="inspection-area-enterprises"),
    path("area/assign/", views.AreaAssignView.as_view(), name="inspection-area-assign"),
    path("tasks/", views.TaskListView.as_view(), name="inspection-task-list"),
    path("tasks/<int:pk>/", views.TaskDetailView.as_view(), name="inspection-task-detail"),
    path("tasks/<int:pk>/inspections/", views.TaskInspectionsView.as_view(), name="inspection-task-inspections"),
    path("tasks/<int:pk>/<slug:action>/", views.TaskActionView.as_view(), name="inspection-task-action"),
    path("hazards/", views.HazardListView.as_view(), name="inspection-hazard-list"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="inspection-hazard-detail"),
    path("hazards/<int:pk>/reinspections/", views.HazardReinspectionsView.as_view(),
         name="inspection-hazard-reinspections"),
    path("reports/", views.ReportListView.as_view(), name="inspection-report-list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="inspection-report-detail"),
    path("documents/", views.DocumentListView.as_view(), name="inspection-document-list"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="inspection-document-detail"),
    path("documents/<int:pk>/issue/", views.DocumentIssueView.as_view(), name="inspection-document-issue"),
    path("documents/<int:pk>/review/", views.DocumentReviewView.as_view(), name="inspection-document-review"),
    path("exposures/", views.ExposureListView.as_view(), name="inspection-exposure-list"),
    path("summonses/", views.SummonsListView.as_view(), name="inspection-summons-list"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="inspection-photo"),
]
