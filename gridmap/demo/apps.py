from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The sample district (the real outline, generated cells, people, enterprises, flood data
    and a year of inspections) and its demo accounts: the one caller of every importer."""

    name = "gridmap.demo"
    label = "demo"
    verbose_name = "演示数据"
