from django.urls import path

from . import views

# In the `workspaces` namespace (gridmap/workspaces/urls.py).
urlpatterns = [
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/new/", views.patrol_new, name="patrol_new"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
]
