from django.apps import AppConfig


class GridsConfig(AppConfig):
    name = "gridmap.grids"
    label = "grids"
    verbose_name = "网格"
