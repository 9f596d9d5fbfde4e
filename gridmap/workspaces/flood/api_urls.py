"""/api/flood/: the impact analysis with open hazards (the URL and its name are a contract)."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("exposure/", api.ImpactView.as_view(), name="flood-exposure"),
    path("", include("gridmap.flood.api.urls")),
]
