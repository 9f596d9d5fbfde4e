"""Writes: enterprises and risk points. Keyword-only, typed, each in one transaction."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gridmap.accounts.capabilities import (
    ACT_FOR_ENTERPRISE,
    OPEN_ENTERPRISE_ACCOUNTS,
    REVIEW_REGISTERS,
    SEE_DISTRICT,
)
from gridmap.accounts.models import User
from gridmap.accounts.services import roles_grant
from gridmap.core.history import recorded_as
from gridmap.grids.scope import cells_on_duty

from .industries import industry_name, industry_problem
from .models import CHANGEABLE_FIELDS, Enterprise, EnterpriseAccount, RegisterChange, RiskPoint
from .risk import risk_order_sql
from .selectors import own_enterprise_ids

# Which level-II cell covers each enterprise (all, or the given ones). A point on the shared
# border of two cells is covered by both; the lower code wins, as in
# grids.selectors.cell_at_point_json. Enterprises in no cell get NULL, and are reported by
# the caller rather than dropped. Only the open generation of cells: an enterprise is a
# standing record, in today's cell (its dated records, inspections and the like, keep theirs).
PICK_CELLS_SQL = """
    SELECT src.id, covering.cell_id
    FROM enterprises_enterprise AS src
    LEFT JOIN (
        -- Driven by the cells (one GiST probe of the enterprise index per cell): far
        -- fewer probes than probing the cells once per enterprise when enterprises are many.
        SELECT DISTINCT ON (p.id) p.id, g.id AS cell_id
        FROM grids_grid AS g JOIN enterprises_enterprise AS p ON ST_Covers(g.geom, p.location)
        WHERE g.level = 2 AND g.valid_to IS NULL {only_p}
        ORDER BY p.id, g.code
    ) AS covering ON covering.id = src.id
    WHERE true {only_src}"""

# Few enterprises (an import, an edit): one statement.
ASSIGN_CELLS_SQL = f"""
    UPDATE enterprises_enterprise AS e SET cell_id = pick.cell_id
    FROM ({PICK_CELLS_SQL}) AS pick
    WHERE e.id = pick.id AND e.cell_id IS DISTINCT FROM pick.cell_id"""

# Every enterprise (after the cells changed): two statements, because PostgreSQL runs no
# parallel workers under an UPDATE and the spatial join is what parallelises; the write
# then goes by id, and only where the cell changes.
PICK_ALL_CELLS_INTO_TABLE_SQL = ("CREATE TEMP TABLE enterprise_cell_pick AS "
                                 + PICK_CELLS_SQL.format(only_p="", only_src=""))
WRITE_PICKED_CELLS_SQL = """
    UPDATE enterprises_enterprise AS e SET cell_id = pick.cell_id
    FROM enterprise_cell_pick AS pick
    WHERE e.id = pick.id AND e.cell_id IS DISTINCT FROM pick.cell_id"""

# The enterprise's overall level is its highest risk point's level (blank without points).
REFRESH_RISK_LEVEL_SQL = """
    UPDATE enterprises_enterprise AS e SET risk_level = COALESCE(top.level, '')
    FROM enterprises_enterprise AS src
    LEFT JOIN LATERAL (
        SELECT r.level FROM enterprises_riskpoint AS r WHERE r.enterprise_id = src.id
        ORDER BY """ + risk_order_sql("r.level") + """
        LIMIT 1
    ) AS top ON true
    WHERE e.id = src.id AND e.risk_level IS DISTINCT FROM COALESCE(top.level, '') {only}"""


@dataclass
class CellAssignment:
    changed: int
    # (id, credit code, name) of the enterprises (among those considered) in no cell.
    outside: list[tuple[int, str, str]] = field(default_factory=list)
    cells: dict[int, int | None] = field(default_factory=dict)


def enterprises_assign_cells(*, ids: list[int] | None = None) -> CellAssignment:
    """Assign enterprises to level-II cells in PostGIS; report the homeless."""
    if ids is None:
        return _assign_all_cells()
    only, params = "AND src.id = ANY(%s)", [list(ids)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(ASSIGN_CELLS_SQL.format(only_p=only.replace("src.", "p."), only_src=only), params * 2)
        changed = cursor.rowcount
        cursor.execute("SELECT id, credit_code, name FROM enterprises_enterprise "
                       "WHERE cell_id IS NULL AND id = ANY(%s) ORDER BY id", params)
        outside = cursor.fetchall()
        cells: dict[int, int | None] = {}
        if len(ids) <= 1000:
            cursor.execute("SELECT id, cell_id FROM enterprises_enterprise WHERE id = ANY(%s)", params)
            cells = dict(cursor.fetchall())
    return CellAssignment(changed=changed, outside=outside, cells=cells)


def _assign_all_cells() -> CellAssignment:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        # The planner prices the join by rows, not by ST_Covers on big polygons: left alone it
        # splits a district's few hundred cells over no workers, and the join runs serially.
        cursor.execute("SET LOCAL min_parallel_table_scan_size = 0")
        cursor.execute("SET LOCAL parallel_setup_cost = 0")
        # Nobody changes enterprises between the pick and the write (a moved enterprise would
        # get the cell of its old place); reading them stays allowed.
        cursor.execute("LOCK TABLE enterprises_enterprise IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("DROP TABLE IF EXISTS enterprise_cell_pick")
        cursor.execute(PICK_ALL_CELLS_INTO_TABLE_SQL)
        cursor.execute("ANALYZE enterprise_cell_pick")
        cursor.execute(WRITE_PICKED_CELLS_SQL)
        changed = cursor.rowcount
        cursor.execute("SELECT e.id, e.credit_code, e.name FROM enterprise_cell_pick AS pick "
                       "JOIN enterprises_enterprise AS e ON e.id = pick.id "
                       "WHERE pick.cell_id IS NULL ORDER BY e.id")
        outside = cursor.fetchall()
        cursor.execute("DROP TABLE enterprise_cell_pick")
    return CellAssignment(changed=changed, outside=outside)


def enterprises_refresh_risk_level(*, ids: list[int] | None = None) -> int:
    only, params = ("AND src.id = ANY(%s)", [list(ids)]) if ids is not None else ("", [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REFRESH_RISK_LEVEL_SQL.format(only=only), params)
        return cursor.rowcount


ENTERPRISE_FIELDS = {
    "name", "address", "site", "industry_code", "industry_name", "hazardous_chemicals",
    "dust_explosion", "confined_space", "ammonia", "scale", "legal_representative",
    "safety_contact", "safety_phone", "supervision_class", "status",
}


def enterprise_save(*, credit_code: str, location: Point, **values) -> Enterprise:
    """Create or update one enterprise by its credit code; its cell is assigned on save."""
    unknown = set(values) - ENTERPRISE_FIELDS
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    if location.srid is None:
        location.srid = 4326
    with transaction.atomic():
        enterprise = Enterprise.objects.filter(credit_code=credit_code).first() or Enterprise(
            credit_code=credit_code)
        enterprise.location = location
        for name, value in values.items():
            setattr(enterprise, name, value)
        problem = industry_problem(enterprise.industry_code)
        if problem:
            raise ValidationError({"industry_code": problem})
        if not enterprise.industry_name:
            enterprise.industry_name = industry_name(enterprise.industry_code) or ""
        enterprise.full_clean()
        # The post_save receiver assigns the cell in PostGIS (also for admin and shell saves).
        enterprise.save()
    return enterprise


# --- enterprise accounts (企业用户) -----------------------------------------------------------

ONE_TIME_CODE_HOURS = 72  # how long the code shown to the officer lets the contact in


def account_username(enterprise: Enterprise, duty: str) -> str:
    """The safety contact signs in with the enterprise's credit code; a principal with the
    code and "-principal"."""
    return enterprise.credit_code if duty == EnterpriseAccount.Duty.SAFETY_CONTACT else \
        f"{enterprise.credit_code}-{duty}"


@dataclass
class OpenedAccount:
    account: EnterpriseAccount
    username: str
    code: str  # shown once to the officer who opened it; only its hash is kept


@transaction.atomic
def enterprise_account_open(*, actor, enterprise: Enterprise,
                            duty: str = EnterpriseAccount.Duty.SAFETY_CONTACT,
                            full_name: str = "", phone: str = "") -> OpenedAccount:
    """Open (or re-open, with a new code) an enterprise's account from its register: by the
    bureau, or by the officer on duty in the enterprise's cell. The account has no usable
    password until its contact signs in first with the one-time code."""
    OPEN_ENTERPRISE_ACCOUNTS.require(actor)
    if not SEE_DISTRICT.allows(actor) and (
            enterprise.cell_id is None or not cells_on_duty(actor, timezone.localdate()).filter(
                pk=enterprise.cell_id).exists()):
        raise PermissionDenied("该企业不在您负责的网格内")
    if duty not in EnterpriseAccount.Duty.values:
        raise ValidationError({"duty": "职责无效"})
    username = account_username(enterprise, duty)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
    elif not hasattr(user, "enterprise_account") or user.enterprise_account.enterprise_id != enterprise.pk:
        raise ValidationError({"duty": f"用户名 {username} 已被其他账户使用"})
    user.full_name = (full_name or (enterprise.safety_contact if duty == EnterpriseAccount.Duty.SAFETY_CONTACT
                                    else enterprise.legal_representative)).strip()[:64]
    user.phone = (phone or (enterprise.safety_phone if duty == EnterpriseAccount.Duty.SAFETY_CONTACT
                            else "")).strip()[:32]
    user.is_active = True
    code = f"{secrets.randbelow(10 ** 8):08d}"
    with recorded_as(actor, "enterprise_account_open"):
        user.save()
        roles_grant(enterprise_users=[user])
        account, _ = EnterpriseAccount.objects.update_or_create(
            user=user, defaults={"enterprise": enterprise, "duty": duty, "created_by": actor,
                                 "one_time_code": make_password(code), "code_failures": 0,
                                 "code_expires": timezone.now() + dt.timedelta(hours=ONE_TIME_CODE_HOURS)})
    return OpenedAccount(account, username, code)


CODE_ATTEMPTS = 5  # wrong codes before a code is void: 5 guesses of 10^8


def _code_failed(account_id: int) -> None:
    """Count a wrong code in its own transaction (the refusal rolls the caller's back); the
    fifth voids the code."""
    with transaction.atomic():
        account = EnterpriseAccount.objects.select_for_update().get(pk=account_id)
        account.code_failures += 1
        if account.code_failures >= CODE_ATTEMPTS:
            account.one_time_code, account.code_expires = "", None
        account.save(update_fields=["code_failures", "one_time_code", "code_expires"])


def enterprise_account_activate(*, username: str, code: str, password: str) -> User:
    """First sign-in: the one-time code (once, before it expires, within CODE_ATTEMPTS tries)
    sets the account's password."""
    refusal = ValidationError({"code": "用户名或一次性登录码不正确，或登录码已过期、已作废（请联系网格员重新开通）"})
    account = (EnterpriseAccount.objects.select_related("user")
               .filter(user__username=username.strip(), user__is_active=True).first())
    if account is None or not account.one_time_code or account.code_expires is None \
            or account.code_expires < timezone.now():
        raise refusal
    if not check_password(code.strip(), account.one_time_code):
        _code_failed(account.pk)
        raise refusal
    return _activate(account.pk, account.one_time_code, password)


@transaction.atomic
def _activate(account_id: int, code_hash: str, password: str) -> User:
    account = EnterpriseAccount.objects.select_for_update().select_related("user").get(pk=account_id)
    if account.one_time_code != code_hash:  # used or voided meanwhile
        raise ValidationError({"code": "登录码已使用或已作废（请联系网格员重新开通）"})
    try:
        validate_password(password, account.user)
    except ValidationError as exc:
        raise ValidationError({"password": list(exc.messages)}) from exc
    account.user.set_password(password)
    with recorded_as(account.user, "enterprise_account_activate"):
        account.user.save()
        account.one_time_code, account.code_expires, account.activated_at = "", None, timezone.now()
        account.code_failures = 0
        account.save(update_fields=["one_time_code", "code_expires", "activated_at", "code_failures"])
    return account.user


# --- register changes proposed by the enterprise (一企一册变更) -----------------------------------

@transaction.atomic
def register_change_propose(*, actor, risk_point: RiskPoint, changes: dict[str, str],
                            reason: str = "") -> RegisterChange:
    """An enterprise user proposes new values for its own risk point's people and measures;
    nothing changes in the register until the bureau approves."""
    ACT_FOR_ENTERPRISE.require(actor)
    if risk_point.enterprise_id not in own_enterprise_ids(actor):
        raise PermissionDenied("只能提出本企业一企一册的变更")
    unknown = sorted(set(changes) - set(CHANGEABLE_FIELDS))
    if unknown:
        raise ValidationError({"changes": f"不能变更的项目：{'、'.join(unknown)}（风险评价由区应急管理局确定）"})
    after, before = {}, {}
    for name, value in changes.items():
        field_ = RiskPoint._meta.get_field(name)
        value = str(value or "").strip()
        if field_.max_length and len(value) > field_.max_length:
            raise ValidationError({name: f"{field_.verbose_name}不能超过 {field_.max_length} 字"})
        if name == "name" and not value:
            raise ValidationError({name: "风险点名称不能为空"})
        if value != getattr(risk_point, name):
            after[name], before[name] = value, getattr(risk_point, name)
    if not after:
        raise ValidationError({"changes": f"风险点 {risk_point.number}（{risk_point.name}）没有变更的内容"})
    with recorded_as(actor, "register_change_propose"):
        return RegisterChange.objects.create(enterprise_id=risk_point.enterprise_id, risk_point=risk_point,
                                             before=before, after=after, reason=reason.strip()[:500],
                                             proposed_by=actor)


@transaction.atomic
def register_change_review(*, actor, change: RegisterChange, approve: bool, note: str = "") -> RegisterChange:
    """The bureau approves a proposed change (applied to the risk point, the date of the
    register's last approved change) or returns it with a reason."""
    REVIEW_REGISTERS.require(actor)
    change = RegisterChange.objects.select_for_update().select_related("risk_point").get(pk=change.pk)
    if change.status != RegisterChange.Status.PENDING:
        raise ValidationError({"status": f"该变更已{change.get_status_display()}"})
    if not approve and not note.strip():
        raise ValidationError({"note": "退回须写明理由"})
    point = change.risk_point
    stale = [name for name, value in change.before.items() if getattr(point, name) != value]
    if approve and stale:
        raise ValidationError({"status": "风险点在提出变更后已被修改，请退回企业重新提出"})
    change.status = RegisterChange.Status.APPROVED if approve else RegisterChange.Status.RETURNED
    change.reviewed_by, change.reviewed_at, change.review_note = actor, timezone.now(), note.strip()[:300]
    with recorded_as(actor, "register_change_approve" if approve else "register_change_return"):
        change.save()
        if approve:
            for name, value in change.after.items():
                setattr(point, name, value)
            point.save(update_fields=[*change.after, "updated_at"])
    return change
