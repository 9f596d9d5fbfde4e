"""/flood/: the flood-command desk. The paths and names are contracts (the impact page keeps
its historical path and name, `exposure`)."""

from django.urls import path

from . import gauges_views, views

app_name = "flood"
urlpatterns = [
    path("", views.flood_map, name="map"),
    path("exposure/", views.impact_page, name="exposure"),
    path("exposure.pdf", views.impact_pdf, name="exposure-pdf"),
    path("zones/<int:pk>/tasks/", views.zone_tasks, name="zone-tasks"),
    path("stock/", views.stock, name="stock"),
    path("stock/<int:pk>/move/", views.stock_move, name="stock-move"),
    path("duty/", views.duty, name="duty"),
    path("readings/upload/", gauges_views.readings_upload, name="readings-upload"),
]
