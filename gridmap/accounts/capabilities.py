"""Capabilities: the one place that says which role may do what.

A page asks with `capability_required(CAP)`, an API view with `permission_classes =
[requires(CAP)]`, a service or selector with `CAP.allows(user)` / `CAP.require(user)`. Each
capability has one refusal message, so a refusal reads the same on a page, in the API and
from a service. No module outside `accounts` names a role: they name a capability.

The row-scope rule (which cells a user sees) is `grids.scope`; it asks `SEE_DISTRICT` here
for the users who see everything.
"""

import functools
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role


@dataclass(frozen=True)
class Capability:
    name: str
    label: str
    roles: frozenset[str]
    refusal: str

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        return user.is_superuser or not user.role_names().isdisjoint(self.roles)

    def require(self, user) -> None:
        if not self.allows(user):
            raise PermissionDenied(self.refusal)


_BUREAU = frozenset({Role.BUREAU_STAFF, Role.ADMINISTRATOR})

SEE_DISTRICT = Capability(
    "see_district", "查看全区",
    frozenset({Role.BUREAU_STAFF, Role.FLOOD_COMMAND, Role.ADMINISTRATOR, Role.LAW_ENFORCEMENT}),
    "只有区应急管理局监管人员、执法人员、防汛指挥和系统管理员可以查看全区")
ASSIGN_OFFICERS = Capability(
    "assign_officers", "分配网格员", _BUREAU,
    "只有区应急管理局监管人员或系统管理员可以分配网格员")
ASSIGN_INSPECTIONS = Capability(
    "assign_inspections", "安排检查", _BUREAU,
    "只有区应急管理局监管人员或系统管理员可以制定计划、安排检查任务")
ISSUE_DOCUMENTS = Capability(
    "issue_documents", "执法文书", _BUREAU,
    "只有区应急管理局监管人员或系统管理员可以制作、审核、送达执法文书及记录曝光、约谈")
COMMAND_FLOODS = Capability(
    "command_floods", "防汛指挥", frozenset({Role.FLOOD_COMMAND, Role.BUREAU_STAFF, Role.ADMINISTRATOR}),
    "只有防汛指挥、区应急管理局监管人员和系统管理员可以使用防汛功能")
# The annual plan takes effect when the bureau's leader approves it. No role or field marks
# a leader among the bureau staff yet, so only the administrator (acting for the leader) may.
APPROVE_PLANS = Capability(
    "approve_plans", "批准年度计划", frozenset({Role.ADMINISTRATOR}),
    "只有局领导（由系统管理员代行）可以批准年度监督检查计划")

FEED_READINGS = Capability(
    "feed_readings", "水雨情数据接入", frozenset({Role.FLOOD_COMMAND, Role.GAUGE_FEED, Role.ADMINISTRATOR}),
    "只有防汛指挥、水雨情数据接入账户和系统管理员可以提交水雨情数据")

# The bureau's law-enforcement side: a supervision inspection (监督检查) and the re-inspection
# that closes a major hazard are law enforcement (the service adds: two staff, each holding
# an enforcement certificate valid on the day). Grid officers patrol and report leads.
_ENFORCEMENT = frozenset({Role.LAW_ENFORCEMENT, Role.BUREAU_STAFF, Role.ADMINISTRATOR})
INSPECT_ENTERPRISES = Capability(
    "inspect_enterprises", "监督检查", _ENFORCEMENT,
    "只有区应急管理局执法人员、监管人员和系统管理员可以记录监督检查（网格员记录巡查）")
SUPERVISE_HAZARDS = Capability(
    "supervise_hazards", "隐患监管", _ENFORCEMENT,
    "只有区应急管理局执法人员、监管人员和系统管理员可以确认隐患线索、复查和销号重大隐患")

# An enterprise's own account (企业用户) acts for its enterprise only: it sees that enterprise
# and nothing of any grid (grids.scope), records self-inspections and reports rectifications.
# Who is held to their own enterprise is is_enterprise_account below (a superuser passes this
# capability as every other, but is never held to one enterprise).
ACT_FOR_ENTERPRISE = Capability(
    "act_for_enterprise", "企业自查", frozenset({Role.ENTERPRISE}),
    "只有企业用户可以记录本企业的自查和整改")
# Who opens enterprise accounts from the register: the bureau, and the officer of the
# enterprise's cell (the service checks the cell).
OPEN_ENTERPRISE_ACCOUNTS = Capability(
    "open_enterprise_accounts", "开通企业账户", _BUREAU | {Role.GRID_OFFICER},
    "只有区应急管理局监管人员、系统管理员和企业所在网格的网格员可以开通企业账户")
REVIEW_REGISTERS = Capability(
    "review_registers", "审核一企一册变更", _BUREAU,
    "只有区应急管理局监管人员或系统管理员可以审核企业提出的一企一册变更")

CAPABILITIES = {c.name: c for c in (SEE_DISTRICT, ASSIGN_OFFICERS, ASSIGN_INSPECTIONS, ISSUE_DOCUMENTS,
                                    COMMAND_FLOODS, FEED_READINGS, INSPECT_ENTERPRISES, SUPERVISE_HAZARDS,
                                    APPROVE_PLANS, ACT_FOR_ENTERPRISE, OPEN_ENTERPRISE_ACCOUNTS,
                                    REVIEW_REGISTERS)}


def is_enterprise_account(user) -> bool:
    """The user signs in for an enterprise (the narrow door: only its own enterprise). A
    superuser or a holder of a district-wide role never is."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
        return False
    roles = user.role_names()
    return Role.ENTERPRISE in roles and not SEE_DISTRICT.allows(user)


def capability_required(capability: Capability):
    """Page decorator: anonymous users go to the sign-in page, others without the
    capability get a 403 with its refusal."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            capability.require(request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@functools.cache
def requires(capability: Capability) -> type[BasePermission]:
    """DRF permission class for one capability (one class per capability, made once)."""

    def has_permission(self, request, view):
        return capability.allows(request.user)

    return type(f"Requires_{capability.name}", (BasePermission,),
                {"message": capability.refusal, "has_permission": has_permission})
