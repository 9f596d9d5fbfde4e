"""/flood/: the flood-command desk. The paths and names are contracts (the impact page keeps
its historical path and name, `exposure`)."""

from django.urls import path

from . import event_views, gauges_views, views

app_name = "flood"
urlpatterns = [
    path("", views.flood_map, name="map"),
    path("exposure/", views.impact_page, name="exposure"),
    path("exposure.pdf", views.impact_pdf, name="exposure-pdf"),
    path("zones/<int:pk>/tasks/", views.zone_tasks, name="zone-tasks"),
    path("stock/", views.stock, name="stock"),
    path("stock/<int:pk>/move/", views.stock_move, name="stock-move"),
    path("duty/", views.duty, name="duty"),
    path("readings/upload/", gauges_views.readings_upload, name="readings-upload"),
    path("events/", event_views.event_list, name="events"),
    path("events/<int:pk>/", event_views.event_detail, name="event"),
    path("events/<int:pk>/level/", event_views.event_level, name="event-level"),
    path("events/<int:pk>/consultations/", event_views.event_consultation, name="event-consultation"),
    path("events/<int:pk>/orders/", event_views.event_order, name="event-order"),
    path("events/<int:pk>/close/", event_views.event_close, name="event-close"),
    path("events/<int:pk>/roll-calls/", event_views.roll_call_start, name="roll-call-start"),
    path("events/<int:pk>/roll-calls/<int:rc>/answers/", event_views.roll_call_answer, name="roll-call-answer"),
    path("events/<int:pk>/roll-calls/<int:rc>/repeat/", event_views.roll_call_repeat, name="roll-call-repeat"),
    path("events/<int:pk>/dispatches/", event_views.event_dispatch, name="event-dispatch"),
    path("events/<int:pk>/dispatches/<int:dispatch>/recall/", event_views.dispatch_recall, name="dispatch-recall"),
    path("events/<int:pk>/briefing.pdf", event_views.event_briefing_pdf, name="event-briefing"),
]
