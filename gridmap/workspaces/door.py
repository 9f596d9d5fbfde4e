"""The narrow door (企业用户): an enterprise's account reaches only the pages named here; every
other page answers 403 before its view runs. API views are left to the API's default
permission (gridmap.accounts.permissions.SignedIn), which opens only views marked
`enterprise_door = True`. What those pages and views show is scoped by the selectors (an
enterprise user sees only their enterprise: enterprises.selectors.own_enterprise_ids)."""

from django.core.exceptions import PermissionDenied

from gridmap.accounts.capabilities import is_enterprise_account
from gridmap.accounts.permissions import ENTERPRISE_REFUSAL

# Pages by URL name; a namespace ending in ":" opens all of its pages.
ENTERPRISE_PAGES = frozenset({
    "workspaces:home", "enterprises:register", "enterprises:register-pdf", "field:outbox",
    "manifest", "service-worker", "healthz", "readyz", "swagger-ui", "schema",
    "accounts:", "selfcheck:", "public:",
})


def opens_for_enterprise(view_name: str) -> bool:
    namespace = view_name.rsplit(":", 1)[0] + ":" if ":" in view_name else ""
    return view_name in ENTERPRISE_PAGES or (namespace and namespace in ENTERPRISE_PAGES)


class EnterpriseDoorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(view_func.cls, "permission_classes"):
            return None  # an API view: its permission decides (SignedIn)
        if not is_enterprise_account(request.user):
            return None
        match = request.resolver_match
        if match is None or match.view_name.startswith("admin:") or opens_for_enterprise(match.view_name):
            return None
        raise PermissionDenied(ENTERPRISE_REFUSAL)
