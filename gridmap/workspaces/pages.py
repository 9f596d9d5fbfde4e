"""What every page module of the workspaces shares: the parts of a folium map for
templates/map_base.html, and a service's refusal as one line for a message."""

from django.core.exceptions import ValidationError

from layers.maps import map_context


def map_parts(request, fmap) -> dict:
    """Context for a page that extends map_base.html (the nonce lets the CSP run the map script)."""
    return map_context(fmap, nonce=str(request.csp_nonce))


def refusal_text(exc: ValidationError) -> str:
    return "；".join(exc.messages)
