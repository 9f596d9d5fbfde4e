from gridmap.grids.selectors import user_active_cells

from .menu import menu_for


def navigation(request):
    """What the top bar offers (workspaces.menu) and whether the user is on duty in a cell today."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"menu": menu_for(user), "nav_has_cells": user_active_cells(user).exists()}
