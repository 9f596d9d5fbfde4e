"""/api/flood/ for storm events, depots and situation reports (URL paths are contracts)."""

from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="flood-events"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="flood-event"),
    path("events/<int:pk>/level/", views.EventLevelView.as_view(), name="flood-event-level"),
    path("events/<int:pk>/consultations/", views.ConsultationView.as_view(), name="flood-event-consultations"),
    path("events/<int:pk>/orders/", views.OrderView.as_view(), name="flood-event-orders"),
    path("events/<int:pk>/close/", views.EventCloseView.as_view(), name="flood-event-close"),
    path("events/<int:pk>/roll-calls/", views.RollCallListView.as_view(), name="flood-roll-calls"),
    path("events/<int:pk>/roll-calls/<int:rc>/", views.RollCallDetailView.as_view(), name="flood-roll-call"),
    path("events/<int:pk>/roll-calls/<int:rc>/answers/", views.RollCallAnswerView.as_view(),
         name="flood-roll-call-answers"),
    path("events/<int:pk>/roll-calls/<int:rc>/repeat/", views.RollCallRepeatView.as_view(),
         name="flood-roll-call-repeat"),
    path("events/<int:pk>/dispatches/", views.DispatchListView.as_view(), name="flood-dispatches"),
    path("events/<int:pk>/dispatches/<int:dispatch>/recall/", views.DispatchRecallView.as_view(),
         name="flood-dispatch-recall"),
    path("depots/", views.DepotListView.as_view(), name="flood-depots"),
    path("situation-reports/", views.SituationReportListView.as_view(), name="flood-situation-reports"),
    path("situation-reports/<int:pk>/", views.SituationReportDetailView.as_view(), name="flood-situation-report"),
    path("situation-photos/<int:pk>/", views.SituationPhotoView.as_view(), name="flood-situation-photo"),
]
