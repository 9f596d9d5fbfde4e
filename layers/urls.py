from django.urls import path

from . import views

urlpatterns = [
    path("", views.LayerListView.as_view(), name="layer-list"),
    path("<slug:name>.geojson", views.LayerGeoJSONView.as_view(), name="layer-geojson"),
]
