"""/api/flood/: the impact analysis with open hazards (the URL and its name are a contract)."""

from django.urls import include, path

from . import api, gauges_api

urlpatterns = [
    path("exposure/", api.ImpactView.as_view(), name="flood-exposure"),
    path("readings/", gauges_api.ReadingsView.as_view(), name="flood-readings"),
    path("stations/", gauges_api.StationsView.as_view(), name="flood-stations"),
    path("situation/", gauges_api.SituationView.as_view(), name="flood-situation"),
    path("", include("gridmap.flood.api.urls")),
]
