"""The API's default permission: signed in, and, for an enterprise's account, only through the
narrow door (views that say `enterprise_door = True`: their own enterprise's register, check
items, self-inspections, hazards and photos). Every other API view refuses an enterprise
user before it reads anything; the pages' door is gridmap.workspaces.door."""

from rest_framework.permissions import IsAuthenticated

from .capabilities import is_enterprise_account

ENTERPRISE_REFUSAL = "企业用户只能查看和办理本企业的信息"


class SignedIn(IsAuthenticated):
    message = ENTERPRISE_REFUSAL

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        return getattr(view, "enterprise_door", False) or not is_enterprise_account(request.user)
