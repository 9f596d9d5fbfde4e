from django.apps import AppConfig


class PatrolsConfig(AppConfig):
    name = "gridmap.patrols"
    label = "patrols"
    verbose_name = "巡查"
