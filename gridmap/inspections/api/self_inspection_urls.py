from django.urls import path

from . import self_inspections

# Included at api/ (gridmap/urls.py): the register as JSON and the enterprises' self-inspections.
urlpatterns = [
    path("enterprises/", self_inspections.EnterpriseListView.as_view(), name="api-enterprise-list"),
    path("enterprises/<int:pk>/", self_inspections.EnterpriseDetailView.as_view(), name="api-enterprise-detail"),
    path("self-inspections/", self_inspections.SelfInspectionListView.as_view(), name="api-self-inspection-list"),
]
