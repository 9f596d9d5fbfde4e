"""Moved to `gridmap.workspaces.inspections.views`; this name stays only for the import in
`workspaces/views.py` until that module moves (then import from the new place and delete this)."""

from .inspections.views import my_cell_sections

__all__ = ["my_cell_sections"]
