from django.urls import path

from . import flood

app_name = "flood"
urlpatterns = [
    path("", flood.flood_map, name="map"),
    path("exposure/", flood.exposure_page, name="exposure"),
    path("exposure.pdf", flood.exposure_pdf, name="exposure-pdf"),
    path("zones/<int:pk>/tasks/", flood.zone_tasks, name="zone-tasks"),
    path("stock/", flood.stock, name="stock"),
    path("stock/<int:pk>/move/", flood.stock_move, name="stock-move"),
    path("duty/", flood.duty, name="duty"),
]
