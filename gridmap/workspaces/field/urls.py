from django.urls import path

from . import situation, views

app_name = "field"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("situation-reports/", situation.situation_reports, name="situation_reports"),
]
