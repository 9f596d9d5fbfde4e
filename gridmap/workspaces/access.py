"""Page decorators: signed in, and allowed by a role check of the domain apps."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def allowed_only(check, message: str):
    """Refuse (403) signed-in users for whom `check(user)` is false; anonymous go to login."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
