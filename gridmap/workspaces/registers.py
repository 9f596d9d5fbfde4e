"""Pages about enterprises and their registers that need maps: composed here from the
enterprises selectors and the layer registry (domain apps never build maps)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from gridmap.enterprises.selectors import completeness_by_grid, enterprises_for_user
from gridmap.grids.models import Grid
from gridmap.grids.selectors import district_centre
from layers.maps import build_map, map_context
from layers.registry import layers_named


@login_required
def completeness_dashboard(request):
    level1 = completeness_by_grid(request.user, level=Grid.Level.LEVEL_1)
    level2 = completeness_by_grid(request.user, level=Grid.Level.LEVEL_2)
    totals = {key: sum(getattr(g, key) for g in level1)
              for key in ("total", "with_points", "with_responsible", "with_site_map", "complete")}
    missing = enterprises_for_user(request.user, filters={"complete": "0"}).select_related(
        "cell").order_by("cell__code", "name")[:200]
    fmap = build_map(layers_named(request.user, ("district", "grids-level1", "register-completeness")),
                     user=request.user, center=district_centre(), zoom=10, fit_layer="register-completeness")
    return render(request, "workspaces/registers.html", {
        **map_context(fmap, nonce=str(request.csp_nonce)), "level1": level1, "level2": level2, "totals": totals,
        "missing": missing,
    })


@login_required
def enterprise_map(request):
    fmap = build_map(layers_named(request.user, ("district", "grids-level1", "grids-level2",
                                            "enterprises", "risk-points")),
                     user=request.user, center=district_centre(), zoom=10, fit_layer="district")
    return render(request, "workspaces/map.html", map_context(fmap, nonce=str(request.csp_nonce)))
