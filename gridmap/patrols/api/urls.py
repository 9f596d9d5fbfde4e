from django.urls import path

from . import views

urlpatterns = [
    path("", views.PatrolListView.as_view(), name="patrol-list"),
    path("<int:pk>/", views.PatrolDetailView.as_view(), name="patrol-detail"),
    path("photos/<int:pk>/", views.PatrolPhotoView.as_view(), name="patrol-photo"),
]
