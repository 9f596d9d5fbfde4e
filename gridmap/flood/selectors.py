from django.db.models import QuerySet

from .models import River


def rivers_for_user(user) -> QuerySet[River]:
    """Rivers are public base geography: every signed-in user sees them."""
    if not user.is_authenticated:
        return River.objects.none()
    return River.objects.all()
