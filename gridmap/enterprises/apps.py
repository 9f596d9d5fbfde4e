from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "gridmap.enterprises"
    label = "enterprises"
    verbose_name = "企业"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from gridmap.grids.loader import grids_changed

        from . import receivers

        # The grid loader sends this inside its transaction, so re-assignment commits or
        # rolls back with the grids.
        grids_changed.connect(receivers.reassign_after_grids_changed,
                              dispatch_uid="enterprises_reassign_cells")
        post_save.connect(receivers.assign_after_save, sender="enterprises.Enterprise",
                          dispatch_uid="enterprises_assign_on_save")
