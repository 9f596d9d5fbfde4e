from django.urls import path

from . import registers

app_name = "registers"
urlpatterns = [
    path("", registers.completeness_dashboard, name="dashboard"),
    path("map/", registers.enterprise_map, name="map"),
]
