"""Signal receivers: thin, each calls one service."""

from .services import enterprises_assign_cells


def reassign_after_grids_changed(sender, codes=(), **kwargs) -> None:
    enterprises_assign_cells()


def assign_after_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw or (update_fields is not None and "location" not in update_fields):
        return
    result = enterprises_assign_cells(ids=[instance.pk])
    instance.cell_id = result.cells.get(instance.pk, instance.cell_id)
