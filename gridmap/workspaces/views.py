from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from gridmap.grids.selectors import district_centre
from layers.maps import build_map, render_parts
from layers.registry import get_layer

BASE_LAYERS = ("district", "grids-level1", "grids-level2", "rivers")


@login_required
def home(request):
    return redirect("workspaces:map")


@login_required
def grid_map(request):
    layers = [get_layer(name) for name in BASE_LAYERS]
    layers = [layer for layer in layers if layer and layer.allowed(request.user)]
    fmap = build_map(layers, user=request.user, center=district_centre(), zoom=10, fit_layer="district")
    return render(request, "workspaces/map.html", render_parts(fmap, nonce=str(request.csp_nonce)))
