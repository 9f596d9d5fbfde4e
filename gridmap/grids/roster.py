"""Loading a roster of grid officers (CSV or Excel): people, phones, cells and roles."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from gridmap.accounts.services import roles_grant
from gridmap.core.locks import serialize
from gridmap.geo.readers import ImportRefused, Problem, looks_like_formula
from gridmap.geo.tables import EXCEL_FORMATS, read_table

from .models import CELL_DUTIES, Grid, GridAssignment

COLUMNS = ("username", "name", "phone", "grid_code", "role")
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{6,19}$")
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
# The duty values rosters were written with before the duties were renamed: still read.
DUTY_ALIASES = {"officer": GridAssignment.Duty.CELL_OFFICER, "supervisor": GridAssignment.Duty.TOWN_SUPERVISOR}
DUTY_CHOICES_TEXT = "、".join(GridAssignment.Duty.values) + "；旧写法 " + "、".join(
    f"{old}（即 {new}）" for old, new in DUTY_ALIASES.items()) + "仍可用"


@dataclass
class RosterReport:
    rows: int = 0
    users_created: int = 0
    assignments_created: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "将" if self.dry_run else "已"
        return (f"名册 {self.rows} 行：{verb}新建账户 {self.users_created}，"
                f"{verb}新建网格职责 {self.assignments_created}")


def _read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, {column: text}) for every row that is not blank."""
    if path.suffix.lower() in EXCEL_FORMATS:
        table = read_table(path)
        return [(number, {c: row.get(c, "") for c in table.columns if c}) for number, row in table.rows]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [(number, {k: (v or "").strip() for k, v in row.items() if k})
                    for number, row in enumerate(csv.DictReader(handle), start=2)]
    except UnicodeDecodeError as exc:
        raise ImportRefused([Problem(path.name, "-", f"不是 UTF-8 编码的 CSV：{exc}")]) from exc


def _date(value: str, where: str, column: str, problems: list[Problem]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        problems.append(Problem(where, column, f"日期 {value!r} 不是 YYYY-MM-DD"))
        return None


def import_roster(path: str | Path, *, dry_run: bool = False,
                  password_hash: str | None = None) -> RosterReport:
    """Create missing accounts and their grid duties; all or nothing."""
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        raise ImportRefused([Problem(path.name, "-", "名册为空")])
    missing = [c for c in COLUMNS if c not in rows[0][1]]
    if missing:
        raise ImportRefused([Problem(path.name, ", ".join(missing), "缺少字段")])

    stored = {code: (pk, level, district) for code, pk, level, district
              in Grid.objects.current().values_list("code", "id", "level", "district_code")}
    grids = {code: pk for code, (pk, _, _) in stored.items()}
    problems: list[Problem] = []
    parsed = []
    for number, row in rows:
        where = f"{path.name} 第 {number} 行"
        username, role = row["username"], DUTY_ALIASES.get(row["role"], row["role"])
        if not USERNAME.match(username):
            problems.append(Problem(where, "username", f"用户名 {username!r} 无效"))
        if not row["name"]:
            problems.append(Problem(where, "name", "姓名为空"))
        elif len(row["name"]) > 64:
            problems.append(Problem(where, "name", "姓名超过 64 个字符"))
        for column in ("username", "name", "phone", "grid_code", "role"):
            if looks_like_formula(row[column]):
                problems.append(Problem(where, column, f"以 {row[column][:1]!r} 开头，疑似电子表格公式，已拒绝"))
        if row["phone"] and not PHONE.match(row["phone"]):
            problems.append(Problem(where, "phone", f"电话 {row['phone']!r} 格式不对"))
        if row["grid_code"] not in grids:
            problems.append(Problem(where, "grid_code", f"网格 {row['grid_code']!r} 不存在"))
        elif role in CELL_DUTIES and stored[row["grid_code"]][1] < Grid.Level.LEVEL_2:
            problems.append(Problem(where, "grid_code", "网格员只能分配到二级（或更低）网格"))
        if role not in GridAssignment.Duty.values:
            problems.append(Problem(where, "role", f"职责 {row['role']!r} 无效（可用 {DUTY_CHOICES_TEXT}）"))
        valid_from = _date(row.get("valid_from", ""), where, "valid_from", problems)
        valid_to = _date(row.get("valid_to", ""), where, "valid_to", problems)
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(Problem(where, "valid_to", "结束日期早于起始日期"))
        parsed.append(({**row, "role": role}, valid_from, valid_to))
    if problems:
        raise ImportRefused(problems)

    report = RosterReport(rows=len(rows), dry_run=dry_run)
    user_model = get_user_model()
    with transaction.atomic():
        serialize("gridmap.grids.assignments")
        existing = {u.username: u for u in user_model.objects.filter(
            username__in=[r["username"] for r, _, _ in parsed])}
        new_users = []
        for row, _, _ in parsed:
            if row["username"] in existing:
                continue
            user = user_model(username=row["username"], full_name=row["name"], phone=row["phone"])
            if password_hash:
                user.password = password_hash
            else:
                user.set_unusable_password()
            existing[row["username"]] = user
            new_users.append(user)
        user_model.objects.bulk_create(new_users)
        report.users_created = len(new_users)
        existing = {u.username: u for u in user_model.objects.filter(username__in=list(existing))}

        stored_duties = set(GridAssignment.objects.filter(user__in=existing.values()).values_list(
            "user_id", "grid_id", "role", "valid_from", "valid_to"))
        grid_officers, grid_heads = {}, {}
        assignments = []
        for row, valid_from, valid_to in parsed:
            user = existing[row["username"]]
            (grid_officers if row["role"] in CELL_DUTIES else grid_heads)[user.id] = user
            grid_id, _, district_code = stored[row["grid_code"]]
            key = (user.id, grid_id, row["role"], valid_from, valid_to)
            if key in stored_duties:
                continue
            stored_duties.add(key)
            assignments.append(GridAssignment(
                user=user, grid_id=grid_id, role=row["role"], valid_from=valid_from,
                valid_to=valid_to, district_code=district_code))
        roles_grant(grid_officers=grid_officers.values(), grid_heads=grid_heads.values())
        GridAssignment.objects.bulk_create(assignments)
        report.assignments_created = len(assignments)
        if dry_run:
            transaction.set_rollback(True)
    return report
