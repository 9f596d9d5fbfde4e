from django.urls import path

from . import views

app_name = "workspaces"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.grid_map, name="map"),
]
