from django.urls import path

from . import views

# In the `workspaces` namespace (gridmap/workspaces/urls.py).
urlpatterns = [
    path("towns/<str:code>/", views.town_dashboard, name="town"),
    path("overview/", views.overview, name="overview"),
]
