from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "图层"

    def ready(self):
        from . import declarations  # noqa: F401
