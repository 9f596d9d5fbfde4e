from .coords import CRS_CHOICES, DEFAULT_CRS
from .photos import LIMITS_TEXT


def choices(request):
    """The coordinate systems and photo limits every page that takes a position or photos shows."""
    return {"crs_choices": CRS_CHOICES, "default_crs": DEFAULT_CRS, "photo_limits": LIMITS_TEXT}
