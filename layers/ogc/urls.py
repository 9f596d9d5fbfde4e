"""OGC API – Features under /ogc/ (views.py). The paths are the standard's, without a
trailing slash except the landing page's."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.LandingView.as_view(), name="ogc-landing"),
    path("conformance", views.ConformanceView.as_view(), name="ogc-conformance"),
    path("api", views.APIDefinitionView.as_view(), name="ogc-api"),
    path("collections", views.CollectionsView.as_view(), name="ogc-collections"),
    path("collections/<slug:name>", views.CollectionView.as_view(), name="ogc-collection"),
    path("collections/<slug:name>/items", views.ItemsView.as_view(), name="ogc-items"),
    path("collections/<slug:name>/items/<int:fid>", views.ItemView.as_view(), name="ogc-item"),
]
