from django.urls import path

from . import views

# Included at enterprise/ (gridmap/urls.py): the enterprise user's desk (企业自查自纠).
app_name = "selfcheck"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("check/", views.record, name="record"),
    path("hazards/", views.hazards, name="hazards"),
    path("hazards/<int:pk>/", views.hazard, name="hazard"),
    path("changes/", views.changes, name="changes"),
    path("activate/", views.activate, name="activate"),
]
