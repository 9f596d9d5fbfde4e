from django.urls import path

from . import views

urlpatterns = [
    path("", views.GridCollectionView.as_view(), name="grid-list"),
    path("lookup/", views.GridLookupView.as_view(), name="grid-lookup"),
    path("<str:code>/assignments/", views.GridAssignmentsView.as_view(), name="grid-assignments"),
    path("<str:code>/", views.GridDetailView.as_view(), name="grid-detail"),
]
