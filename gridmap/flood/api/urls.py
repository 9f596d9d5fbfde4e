from django.urls import path

from . import views

urlpatterns = [
    path("exposure/", views.ExposureView.as_view(), name="flood-exposure"),
]
