from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
]
