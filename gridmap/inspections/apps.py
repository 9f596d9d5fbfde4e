from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "gridmap.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def ready(self):
        from gridmap.flood.selectors import register_exposure_section

        from .selectors import open_hazards_in_area

        # Flood command sees the open hazards inside a zone or drawn area with the rest of
        # what is exposed there.
        register_exposure_section("open_hazards", open_hazards_in_area)
