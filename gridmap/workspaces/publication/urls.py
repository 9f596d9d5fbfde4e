"""The public page (执法公示), under /public/: no sign-in."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.public_index, name="index"),
]
