from django.urls import path

from . import views

urlpatterns = [
    path("", views.ExportListView.as_view(), name="export-list"),
    path("<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
]
