from gridmap.flood.selectors import can_command
from gridmap.grids.selectors import user_active_cells
from gridmap.grids.services import can_assign


def navigation(request):
    """What the top bar offers: depends on the role and on today's duties."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_assign": can_assign(user), "nav_has_cells": user_active_cells(user).exists(),
            "nav_can_command": can_command(user)}
