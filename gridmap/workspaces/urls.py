from django.urls import include, path

from . import views

app_name = "workspaces"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.grid_map, name="map"),
    path("my-cell/", views.my_cell, name="my_cell"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/new/", views.patrol_new, name="patrol_new"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("cells/<str:code>/", views.cell_detail, name="cell_detail"),
    path("assign/", views.assign_map, name="assign"),
    path("assign/new/", views.assign_create, name="assign_create"),
    path("assign/<int:pk>/<slug:action>/", views.assignment_action, name="assignment_action"),
    path("assign/roster/", views.roster_upload, name="roster_upload"),
    path("coverage/", views.coverage, name="coverage"),
    path("inspections/", include("gridmap.workspaces.inspections.urls")),
]
