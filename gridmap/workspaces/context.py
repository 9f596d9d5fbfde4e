from gridmap.accounts.capabilities import ASSIGN_OFFICERS, COMMAND_FLOODS
from gridmap.grids.selectors import user_active_cells


def navigation(request):
    """What the top bar offers: depends on the user's capabilities and today's duties."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_can_assign": ASSIGN_OFFICERS.allows(user), "nav_has_cells": user_active_cells(user).exists(),
            "nav_can_command": COMMAND_FLOODS.allows(user)}
