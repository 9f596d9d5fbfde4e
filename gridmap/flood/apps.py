from django.apps import AppConfig


class FloodConfig(AppConfig):
    name = "gridmap.flood"
    label = "flood"
    verbose_name = "防汛"
