from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("export.<str:fmt>", views.enterprise_export, name="export"),
    path("<int:pk>/", views.enterprise_register, name="register"),
    path("<int:pk>/register.pdf", views.enterprise_register_pdf, name="register-pdf"),
    path("<int:pk>/accounts/", views.enterprise_accounts, name="accounts"),
]

# Included at registers/ under its own namespace (gridmap/urls.py).
register_patterns = ([
    path("", views.completeness_dashboard, name="dashboard"),
    path("map/", views.enterprise_map, name="map"),
    path("online/", views.online_dashboard, name="online"),
    path("changes/", views.register_changes, name="changes"),
    path("changes/<int:pk>/<slug:action>/", views.register_change_action, name="change_action"),
], "registers")
