from django.urls import path

from . import views

urlpatterns = [
    path("<slug:name>/<int:z>/<int:x>/<int:y>.mvt", views.LayerTileView.as_view(), name="layer-tile"),
]
