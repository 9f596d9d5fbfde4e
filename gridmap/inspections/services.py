"""Writes of the inspections app. Every service is keyword-only, runs in one transaction,
refuses what breaks a rule with a ValidationError (Chinese), and records the actor on the
row and in the history context (django-pghistory)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from gridmap.accounts.capabilities import (
    ACT_FOR_ENTERPRISE,
    ASSIGN_INSPECTIONS,
    INSPECT_ENTERPRISES,
    ISSUE_DOCUMENTS,
    SUPERVISE_HAZARDS,
)
from gridmap.accounts.models import User
from gridmap.core.conf import app_settings as core_settings
from gridmap.core.dates import check_record_date, synced_record_day
from gridmap.core.history import recorded_as
from gridmap.core.ratelimit import rate_limit_take
from gridmap.core.sync import Synced, created_once, photo_sha256, submission_digest
from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.selectors import own_enterprise_ids
from gridmap.geo.coords import DEFAULT_CRS, CoordinateError, CRSError, offered_crs, to_wgs84_arrays
from gridmap.geo.photos import check_photos
from gridmap.grids.models import Grid, GridAssignment
from gridmap.grids.scope import check_on_duty, on_duty_on, scope_for
from gridmap.grids.selectors import cell_on

from .conf import app_settings
from .criteria import criterion_problem
from .models import (
    OPEN_TASK_STATUSES,
    SUPERVISION_KINDS,
    AssignmentBatch,
    EnforcementCertificate,
    EnforcementDocument,
    EvidencePhoto,
    Exposure,
    Hazard,
    HazardSource,
    HazardStatus,
    Inspection,
    InspectionTask,
    LegalReview,
    Report,
    SelfInspection,
    Summons,
    TaskKind,
    TaskStatus,
)
from .self_checks import CheckItem, check_items

HAZARD_DEADLINE_DAYS = 15  # the rectification deadline a hazard gets when none is given
# 安全生产法（2021年修正）第一百零二条, as the hazard page and the escalation command cite it.
ARTICLE_102 = ("《中华人民共和国安全生产法》第一百零二条：生产经营单位未采取措施消除事故隐患的，"
               "责令立即消除或者限期消除，处五万元以下的罚款；生产经营单位拒不执行的，责令停产停业整顿，"
               "对其直接负责的主管人员和其他直接责任人员处五万元以上十万元以下的罚款")

def _require_in_scope(actor, cell_id: int | None, on: dt.date | None = None) -> None:
    scope = scope_for(actor, on)
    if scope.everything:
        return
    if cell_id is None or not scope.cells().filter(pk=cell_id).exists():
        raise PermissionDenied("该企业不在您负责的网格内")


def period_of(day: dt.date) -> str:
    """The quarter a due date falls in: one open task per enterprise and quarter."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _save_photos(photos: Sequence[UploadedFile], formats: list[str], **owner) -> None:
    for upload, found in zip(photos, formats, strict=True):
        photo = EvidencePhoto(image_format=found, size_bytes=upload.size, **owner)
        photo.image.save(upload.name or "photo", upload, save=False)
        photo.save()


def _point(lon: float | None, lat: float | None) -> Point | None:
    if lon is None or lat is None:
        return None
    return Point(float(lon), float(lat), srid=4326)


def certificate_holders(on: dt.date):
    """Users holding an enforcement certificate valid on a date."""
    return User.objects.filter(is_active=True, enforcement_certificates__issued__lte=on,
                               enforcement_certificates__expires__gte=on).distinct()


def signers_named(usernames: Sequence[str]) -> list[User]:
    """The signers a page or the API names (by username): active accounts, each named once.
    Whether they may sign (a valid certificate) is the document services' rule."""
    names = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValidationError({"signers": f"没有这些在用账户：{'、'.join(missing)}"})
    return [found[name] for name in names]


def _require_certified(signers: Sequence[User], on: dt.date, field: str = "signers") -> None:
    """Only holders of an enforcement certificate valid on the day sign a document."""
    valid = set(certificate_holders(on).filter(pk__in=[s.pk for s in signers]).values_list("pk", flat=True))
    invalid = [str(s) for s in signers if s.pk not in valid]
    if invalid:
        raise ValidationError({field: f"{'、'.join(invalid)} 在 {on} 没有有效的执法证"})


def _require_certified_pair(people: Sequence[User], on: dt.date, what: str) -> None:
    """A supervision inspection or the bureau's re-inspection: at least two law-enforcement
    staff (行政处罚法 第四十二条), each holding a certificate valid on the day."""
    needed = app_settings.INSPECTORS_PER_VISIT
    if len({p.pk for p in people}) < needed:
        raise ValidationError({"inspectors": f"{what}须由至少 {needed} 名持有效执法证的执法人员进行，"
                                             "请填写同行执法人员"})
    _require_certified(people, on, field="inspectors")


def inspectors_named(usernames: Sequence[str] | str) -> list[User]:
    """The inspectors a page or the API names (by username; a comma-separated text too)."""
    if isinstance(usernames, str):
        usernames = usernames.replace("，", ",").split(",")
    try:
        return signers_named(usernames)
    except ValidationError as exc:
        raise ValidationError({"inspectors": exc.message_dict["signers"]}) from None


# --- certificates ----------------------------------------------------------------------------

@transaction.atomic
def certificate_record(*, actor, user: User, number: str, issued: dt.date,
                       expires: dt.date) -> EnforcementCertificate:
    ISSUE_DOCUMENTS.require(actor)
    if expires < issued:
        raise ValidationError({"expires": "有效期早于发证日期"})
    with recorded_as(actor, "certificate_record"):
        return EnforcementCertificate.objects.create(user=user, number=number.strip(), issued=issued,
                                                     expires=expires)


# --- tasks -----------------------------------------------------------------------------------

@dataclass
class AssignResult:
    created: list[InspectionTask] = field(default_factory=list)
    already_open: list[int] = field(default_factory=list)  # enterprise ids
    no_officer: list[int] = field(default_factory=list)  # enterprise ids
    batch: AssignmentBatch | None = None

    def summary(self) -> str:
        skipped = {"本期已有未完成任务（未重复分配）": self.already_open, "所在网格无人在岗（未分配）": self.no_officer}
        return "，".join([f"新建检查任务 {len(self.created)} 项",
                         *(f"{len(ids)} 家企业{why}" for why, ids in skipped.items() if ids)])

    def per_assignee(self) -> list[tuple[User, int]]:
        """How many of the new tasks each person receives, most first."""
        counts = Counter(task.assignee for task in self.created)
        return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].username))


def cell_officers(cell_ids: Iterable[int], on: dt.date) -> dict[int, User]:
    """The default assignee per cell: its officer on the day, else a substitute."""
    return {cell: people[0] for cell, people in cell_rosters(cell_ids, on).items()}


def cell_rosters(cell_ids: Iterable[int], on: dt.date) -> dict[int, list[User]]:
    """The people who take a cell's tasks on a day: its officers on duty, or its substitutes
    where no officer is on duty (ordered by username)."""
    rows = (GridAssignment.objects.filter(on_duty_on(on), grid_id__in=list(cell_ids), user__is_active=True)
            .select_related("user").order_by("grid_id", "role", "user__username"))
    found: dict[int, tuple[str, list[User]]] = {}
    for row in rows:
        role, people = found.setdefault(row.grid_id, (row.role, []))
        if row.role == role and row.user not in people:
            people.append(row.user)
    return {cell: people for cell, (_role, people) in found.items()}


def _spread(enterprises: Sequence[Enterprise], rosters: dict[int, list[User]],
            open_load: Mapping[int, int]) -> dict[int, User]:
    """Each cell's new tasks dealt in turn over its roster, the least loaded person first, so
    no one of them receives more than one task more than another."""
    by_cell: dict[int, list[Enterprise]] = {}
    for enterprise in enterprises:
        by_cell.setdefault(enterprise.cell_id, []).append(enterprise)
    chosen: dict[int, User] = {}
    for cell_id, members in by_cell.items():
        people = sorted(rosters.get(cell_id, []), key=lambda u: (open_load.get(u.pk, 0), u.username))
        if not people:
            continue
        for index, enterprise in enumerate(members):
            chosen[enterprise.pk] = people[index % len(people)]
    return chosen


def _check_assignee(assignee: User, enterprises: Sequence[Enterprise]) -> None:
    if not assignee.is_active:
        raise ValidationError({"assignee": f"账户 {assignee.username} 已停用"})
    target_scope = scope_for(assignee)
    if not target_scope.everything:
        visible = set(target_scope.cells().values_list("pk", flat=True))
        outside = [e.pk for e in enterprises if e.cell_id not in visible]
        if outside:
            raise ValidationError({"assignee": f"{assignee} 看不到其中 {len(outside)} 家企业所在的网格，"
                                               "请分配给所在网格的网格员"})


def _task_kind(assignee: User) -> str:
    # A task for someone who may not inspect enterprises (a grid officer) is a patrol task.
    return TaskKind.SUPERVISION if INSPECT_ENTERPRISES.allows(assignee) else TaskKind.PATROL


@transaction.atomic
def tasks_assign(*, actor, enterprise_ids: Sequence[int], due_date: dt.date,
                 assignee: User | None = None, plan=None, note: str = "", preview: bool = False) -> AssignResult:
    """Assign inspections of many enterprises at once, in one transaction, as one batch.

    Without an assignee, each cell's new tasks are spread evenly over the people on duty in
    it (`cell_rosters`). With `preview`, the result says what would be created and nothing
    is written.

    The enterprises' rows are locked (SELECT … FOR UPDATE, in id order so two assigners
    cannot deadlock): a second supervisor assigning the same enterprises waits, then finds
    the first one's tasks and creates none. The partial unique index on open tasks per
    enterprise and period is the last guard. Repeating the action creates nothing new.
    """
    ASSIGN_INSPECTIONS.require(actor)
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": "完成期限不能早于今天"})
    ids = sorted({int(i) for i in enterprise_ids})
    if not ids:
        raise ValidationError({"enterprises": "未选择企业"})
    if len(ids) > 5000:
        raise ValidationError({"enterprises": "一次最多分配 5000 家企业"})
    scope = scope_for(actor)
    locked = Enterprise.objects.select_for_update().filter(pk__in=ids, cell__isnull=False).order_by("pk")
    if not scope.everything:
        locked = locked.filter(cell__in=scope.cells())
    enterprises = list(locked.only("id", "cell_id", "district_code"))
    if len(enterprises) != len(ids):
        missing = len(ids) - len(enterprises)
        raise ValidationError({"enterprises": f"{missing} 家企业不存在、不在网格内或不在您的范围内"})
    period = period_of(due_date)
    result = AssignResult()
    open_ids = set(InspectionTask.objects.filter(enterprise_id__in=ids, period=period,
                                                 status__in=OPEN_TASK_STATUSES)
                   .values_list("enterprise_id", flat=True))
    result.already_open = sorted(open_ids)
    waiting = [e for e in enterprises if e.pk not in open_ids]
    if assignee is not None:
        _check_assignee(assignee, enterprises)
        chosen = {e.pk: assignee for e in waiting}
    else:
        rosters = cell_rosters({e.cell_id for e in waiting}, timezone.localdate())
        people = {u.pk for roster in rosters.values() for u in roster}
        load = dict(InspectionTask.objects.filter(assignee_id__in=people, status__in=OPEN_TASK_STATUSES)
                    .values_list("assignee_id").annotate(n=Count("id")).order_by())
        chosen = _spread(waiting, rosters, load)
    new = []
    for enterprise in waiting:
        person = chosen.get(enterprise.pk)
        if person is None:
            result.no_officer.append(enterprise.pk)
            continue
        new.append(InspectionTask(
            enterprise_id=enterprise.pk, cell_id=enterprise.cell_id, plan=plan, period=period,
            kind=_task_kind(person), assignee=person, assigned_by=actor, due_date=due_date, note=note[:200],
            district_code=enterprise.district_code))
    if preview:
        result.created = new
        return result
    with recorded_as(actor, "tasks_assign", count=len(new)):
        if new:
            result.batch = AssignmentBatch.objects.create(created_by=actor, task_count=len(new))
            for task in new:
                task.batch = result.batch
        result.created = InspectionTask.objects.bulk_create(new)
    return result


def batch_undo_refusal(batch: AssignmentBatch, on: dt.date) -> str | None:
    """Why a batch cannot be withdrawn any more, or None if it can."""
    if batch.undone_at is not None:
        return "该批次已撤销"
    if timezone.localdate(batch.created_at) != on:
        return "只能在分配当天撤销"
    if batch.tasks.exclude(status__in=(TaskStatus.ASSIGNED, TaskStatus.ACCEPTED)).exists() or \
            Inspection.objects.filter(task__batch=batch).exists():
        return "该批次已有任务开始检查，不能撤销"
    return None


@transaction.atomic
def assignment_batch_undo(*, actor, batch: AssignmentBatch) -> int:
    """Withdraw a batch made today whose tasks have not started: its tasks are deleted (the
    history keeps them) and the batch is marked undone. Returns how many tasks went."""
    ASSIGN_INSPECTIONS.require(actor)
    batch = AssignmentBatch.objects.select_for_update().get(pk=batch.pk)
    scope = scope_for(actor)
    if not scope.everything and batch.tasks.exclude(cell__in=scope.cells()).exists():
        raise PermissionDenied("该批次含有不在您范围内的任务")
    refusal = batch_undo_refusal(batch, timezone.localdate())
    if refusal:
        raise ValidationError({"batch": f"{batch}：{refusal}"})
    with recorded_as(actor, "assignment_batch_undo", batch=batch.pk):
        removed, _ = batch.tasks.all().delete()
        batch.undone_at, batch.undone_by = timezone.now(), actor
        batch.save(update_fields=["undone_at", "undone_by"])
    return removed


TASK_MOVES = {
    "accept": ((TaskStatus.ASSIGNED,), TaskStatus.ACCEPTED),
    "start": ((TaskStatus.ASSIGNED, TaskStatus.ACCEPTED), TaskStatus.IN_PROGRESS),
    "decline": ((TaskStatus.ASSIGNED, TaskStatus.ACCEPTED), TaskStatus.DECLINED),
    "cannot_inspect": (OPEN_TASK_STATUSES, TaskStatus.CANNOT_INSPECT),
}


@transaction.atomic
def task_transition(*, actor, task: InspectionTask, action: str, reason: str = "",
                    cannot_reason: str = "") -> InspectionTask:
    """Move a task on: accept, start, decline (reason), cannot_inspect (closed / moved /
    refused entry, with a reason). Done is reached by recording the inspection."""
    if action not in TASK_MOVES:
        raise ValidationError({"action": f"未知操作 {action!r}"})
    task = InspectionTask.objects.select_for_update().get(pk=task.pk)
    if actor.pk not in (task.assignee_id, task.co_assignee_id) and not ASSIGN_INSPECTIONS.allows(actor):
        raise PermissionDenied("只有承办人或监管人员可以处理该任务")
    allowed, target = TASK_MOVES[action]
    if task.status not in allowed:
        raise ValidationError({"status": f"任务当前为“{task.get_status_display()}”，不能执行该操作"})
    reason = reason.strip()
    if action == "decline" and not reason:
        raise ValidationError({"reason": "退回任务须说明原因"})
    if action == "cannot_inspect":
        if cannot_reason not in InspectionTask.CannotReason.values:
            raise ValidationError({"cannot_reason": "请选择无法检查的原因（关闭、搬迁、拒绝检查、其他）"})
        if cannot_reason == InspectionTask.CannotReason.OTHER and not reason:
            raise ValidationError({"reason": "请说明原因"})
        task.cannot_reason = cannot_reason
    task.status = target
    task.reason = reason[:300]
    if target in (TaskStatus.DECLINED, TaskStatus.CANNOT_INSPECT):
        task.finished_at = timezone.now()
    with recorded_as(actor, f"task_{action}"):
        task.save()
    return task


# --- inspection records -------------------------------------------------------------------

@dataclass(frozen=True)
class HazardFound:
    """A hazard found during an inspection, recorded with it (see `hazard_report`)."""

    description: str
    deadline: dt.date | None = None
    level: str = Hazard.Level.GENERAL
    criterion_code: str = ""
    measures: str = ""


def _checklist(items: Iterable[Mapping[str, str]], day: dt.date) -> list[dict[str, str]]:
    """The checklist as stored; every item must be in the criteria in force on the day."""
    checklist = []
    for item in items:
        code, result, note = item.get("code", ""), item.get("result", ""), (item.get("note") or "").strip()
        problem = criterion_problem(code, day)
        if problem:
            raise ValidationError({"items": f"检查项 {code}：{problem}"})
        if result not in ("ok", "hazard", "na"):
            raise ValidationError({"items": f"检查项 {code} 的结果应为 ok / hazard / na"})
        checklist.append({"code": code, "result": result, **({"note": note[:300]} if note else {})})
    return checklist


def _check_task_open_for(actor, task: InspectionTask) -> None:
    """A task closed or reassigned meanwhile (the phone may have been offline) is a conflict the
    officer must see, never something the record silently overwrites."""
    if task.status not in OPEN_TASK_STATUSES:
        ended = f"于 {timezone.localtime(task.finished_at):%Y-%m-%d %H:%M} " if task.finished_at else ""
        raise ValidationError({"task": f"任务已{ended}结束（{task.get_status_display()}），本次检查未保存；"
                                       "如需补充，请联系监管人员"})
    if actor.pk not in (task.assignee_id, task.co_assignee_id) and not ASSIGN_INSPECTIONS.allows(actor):
        raise ValidationError({"task": f"任务现由 {task.assignee} 承办（可能已在您离线时改派），本次检查未保存；"
                                       "请联系监管人员"})


@transaction.atomic
def _kind_for(actor, task: InspectionTask | None, kind: str | None) -> str:
    """The record's kind when none is named: a supervision task's (or a law-enforcement
    user's own) visit is a 监督检查; a grid officer's is a patrol (巡查)."""
    if kind:
        return kind
    if task is not None:
        return Inspection.Kind.ROUTINE if task.kind == TaskKind.SUPERVISION else Inspection.Kind.PATROL
    return Inspection.Kind.ROUTINE if INSPECT_ENTERPRISES.allows(actor) else Inspection.Kind.PATROL


def cell_of_day(enterprise: Enterprise, day: dt.date) -> int | None:
    """The cell (id) an enterprise's record of a day is filed under: the cell covering the
    enterprise in the generation of that day (a record keeps the cell of its day, grids.loader),
    its current cell failing that."""
    if enterprise.cell_id is None:
        return None
    cell = cell_on(enterprise.location, day)
    return cell.pk if cell is not None else enterprise.cell_id


def inspection_record(*, actor, enterprise: Enterprise | None = None, task: InspectionTask | None = None,
                      inspected_on: dt.date | None = None, kind: str | None = None,
                      lon: float | None = None, lat: float | None = None,
                      inspectors: Sequence[User] = (), items: Iterable[Mapping[str, str]] = (),
                      findings: str = "", photos: Sequence[UploadedFile] = (),
                      hazard: HazardFound | None = None, client_id: uuid.UUID | None = None,
                      client_digest: str = "") -> Inspection:
    """Record an inspection (checklist items {code, result, note} by industry, findings,
    photos, position, inspectors) with the hazard it found, if any, in one transaction;
    recording it for a task completes the task. The enterprise defaults to the task's; the
    scope is the actor's on the inspection's own day. Phones use `inspection_sync`."""
    if enterprise is None:
        if task is None:
            raise ValidationError({"enterprise": "请指定企业或检查任务"})
        enterprise = task.enterprise
    inspected_on = inspected_on or timezone.localdate()
    check_record_date(inspected_on, field="inspected_on", label="检查日期")
    cell_id = cell_of_day(enterprise, inspected_on)
    _require_in_scope(actor, cell_id, on=inspected_on)
    if cell_id is None:
        raise ValidationError({"enterprise": "企业不在任何网格内"})
    kind = _kind_for(actor, task, kind)
    if kind not in Inspection.Kind.values:
        raise ValidationError({"kind": "检查类型无效"})
    if kind in SUPERVISION_KINDS:
        INSPECT_ENTERPRISES.require(actor)
        people = list(inspectors) or [actor]
        _require_certified_pair(people, inspected_on, Inspection.Kind(kind).label)
    else:
        # A patrol or an officer's verification is the officer's own visit.
        people = [actor]
    checklist = _checklist(items, inspected_on)
    formats = check_photos(photos)
    if task is not None:
        task = InspectionTask.objects.select_for_update().get(pk=task.pk)
        if task.enterprise_id != enterprise.pk:
            raise ValidationError({"task": "任务与企业不一致"})
        _check_task_open_for(actor, task)
        if task.kind == TaskKind.PATROL and kind in SUPERVISION_KINDS:
            raise ValidationError({"kind": "巡查任务只能记录巡查，不能记录监督检查"})
    with recorded_as(actor, "inspection_record"):
        inspection = Inspection.objects.create(
            enterprise=enterprise, cell_id=cell_id, task=task, kind=kind,
            inspected_on=inspected_on, position=_point(lon, lat), checklist=checklist,
            findings=findings.strip()[:4000], recorded_by=actor, district_code=enterprise.district_code,
            client_id=client_id, client_digest=client_digest)
        inspection.inspectors.set(people)
        _save_photos(photos, formats, inspection=inspection)
        if task is not None:
            task.status = TaskStatus.DONE
            task.finished_at = timezone.now()
            task.save(update_fields=["status", "finished_at", "updated_at"])
    if hazard is not None:
        # What a patrol finds is a lead the bureau confirms (hazard_report decides).
        hazard_report(actor=actor, enterprise=enterprise, inspection=inspection, description=hazard.description,
                      level=hazard.level, criterion_code=hazard.criterion_code, measures=hazard.measures,
                      deadline=hazard.deadline or inspected_on + dt.timedelta(days=HAZARD_DEADLINE_DAYS))
    return inspection


def _phone_day(actor, cell: Grid, inspected_at: dt.datetime | None, inspected_on: dt.date | None) -> dt.date:
    """A synced inspection is judged by its own time (inspected_at, or the date inspected_on),
    as a patrol is: a possible time, and a day the actor answered for the enterprise's cell."""
    field, moment = ("inspected_on", inspected_on) if inspected_at is None and inspected_on else \
        ("inspected_at", inspected_at or timezone.now())
    day = synced_record_day(moment, field=field, label="检查时间" if field == "inspected_at" else "检查日期")
    check_on_duty(actor, cell, day, field=field, what="检查")
    return day


def _when(inspected_at: dt.datetime | None, inspected_on: dt.date | None) -> str | None:
    if inspected_at is not None:
        return inspected_at.astimezone(dt.UTC).isoformat()
    return inspected_on.isoformat() if inspected_on else None


def _mine(actor):
    return Inspection.objects.filter(recorded_by_id=actor.pk) if actor.is_authenticated else Inspection.objects.none()


@transaction.atomic
def inspection_sync(*, actor, task: InspectionTask, client_id: uuid.UUID | None,
                    inspected_at: dt.datetime | None = None, inspected_on: dt.date | None = None,
                    items: Iterable[Mapping[str, str]] = (), findings: str = "", lon: float | None = None,
                    lat: float | None = None, photos: Sequence[UploadedFile] = (),
                    hazard: HazardFound | None = None, kind: str | None = None,
                    inspectors: Sequence[User] = ()) -> Synced:
    """An inspection of a task sent by a phone: the first request with a client_id records it
    (completing the task), a retry gets that record back, also when both arrive at once (the
    task's row is locked first, so the second waits and then finds the first), and other
    content under it is a Conflict. A task closed or reassigned meanwhile is refused."""
    task = InspectionTask.objects.select_for_update(of=("self",)).select_related("enterprise__cell").get(pk=task.pk)
    items = [dict(item) for item in items]
    kind = _kind_for(actor, task, kind)
    digest = submission_digest({
        "kind": kind, "task": task.pk, "when": _when(inspected_at, inspected_on),
        "items": items, "findings": findings, "lon": lon, "lat": lat,
        "inspectors": sorted(p.pk for p in inspectors),
        "hazard": asdict(hazard) if hazard else None}, photos) if client_id else ""

    def record() -> Inspection:
        _check_task_open_for(actor, task)
        cell = task.enterprise.cell or task.cell
        day = _phone_day(actor, cell, inspected_at, inspected_on)
        return inspection_record(actor=actor, task=task, inspected_on=day, items=items, findings=findings,
                                 lon=lon, lat=lat, photos=photos, hazard=hazard, client_id=client_id,
                                 client_digest=digest, kind=kind, inspectors=inspectors)

    return created_once(record, mine=_mine(actor), client_id=client_id, digest=digest,
                        constraint="inspection_client_id_once")


@transaction.atomic
def reinspection_sync(*, actor, hazard: Hazard, client_id: uuid.UUID | None, passed: bool,
                      inspected_at: dt.datetime | None = None, inspected_on: dt.date | None = None,
                      findings: str = "", photos: Sequence[UploadedFile] = (),
                      inspectors: Sequence[User] = ()) -> Synced:
    """A re-inspection of a hazard sent by a phone, stored once per client_id like
    `inspection_sync` (the hazard's row is locked first); its record is the re-inspection
    (an inspection record of kind re-inspection). A hazard closed meanwhile is refused."""
    hazard = Hazard.objects.select_for_update(of=("self",)).select_related("enterprise__cell", "cell").get(pk=hazard.pk)
    digest = submission_digest({
        "kind": Inspection.Kind.REINSPECTION, "hazard": hazard.pk, "passed": passed,
        "inspectors": sorted(p.pk for p in inspectors),
        "when": _when(inspected_at, inspected_on), "findings": findings}, photos) if client_id else ""

    def record() -> Inspection:
        _check_hazard_awaits_reinspection(hazard)
        day = _phone_day(actor, hazard.enterprise.cell or hazard.cell, inspected_at, inspected_on)
        return _reinspection_record(actor=actor, hazard=hazard, passed=passed, inspection=None, inspected_on=day,
                                    findings=findings, photos=photos, client_id=client_id,
                                    client_digest=digest, inspectors=inspectors)[1]

    return created_once(record, mine=_mine(actor), client_id=client_id, digest=digest,
                        constraint="inspection_client_id_once")


# --- hazards ---------------------------------------------------------------------------------

def _supervision_deadline(deadline: dt.date, on: dt.date, days: int | None = None) -> dt.date:
    """The hazard's own deadline, or when that has passed, a supervision period from `on`."""
    days = app_settings.SUPERVISED_DEADLINE_DAYS if days is None else days
    return deadline if deadline >= on else on + dt.timedelta(days=days)


@transaction.atomic
def hazard_report(*, actor, enterprise: Enterprise, description: str, deadline: dt.date,
                  level: str = Hazard.Level.GENERAL, criterion_code: str = "",
                  inspection: Inspection | None = None, report: Report | None = None,
                  measures: str = "", lon: float | None = None, lat: float | None = None,
                  found_on: dt.date | None = None, photos: Sequence[UploadedFile] = ()) -> Hazard:
    """Register a hazard; a major one cites its criterion, from the standard in force on the day
    it was found (安监总管四〔2017〕129号 before 15 May 2023, 应急管理部令第10号 since), and is under
    supervised rectification (挂牌督办) from the day it is determined. Reported by someone who does
    not supervise hazards (a grid officer's patrol), it is a lead (隐患线索) for the bureau to
    confirm or dismiss."""
    _require_in_scope(actor, enterprise.cell_id)
    if enterprise.cell_id is None:
        raise ValidationError({"enterprise": "企业不在任何网格内"})
    if level not in Hazard.Level.values:
        raise ValidationError({"level": "隐患等级无效"})
    criterion_code = criterion_code.strip()
    if level == Hazard.Level.MAJOR and not criterion_code:
        raise ValidationError({"criterion_code": "重大隐患须引用判定标准条款"})
    if not description.strip():
        raise ValidationError({"description": "请填写隐患描述"})
    if inspection is not None and inspection.enterprise_id != enterprise.pk:
        raise ValidationError({"inspection": "检查记录与企业不一致"})
    found_on = found_on or (inspection.inspected_on if inspection else timezone.localdate())
    check_record_date(found_on, field="found_on", label="发现日期")
    problem = criterion_problem(criterion_code, found_on) if criterion_code else None
    if problem:
        raise ValidationError({"criterion_code": problem})
    if deadline < found_on:
        raise ValidationError({"deadline": "整改期限不能早于发现日期"})
    formats = check_photos(photos)
    location = _point(lon, lat) or enterprise.location
    lead = not SUPERVISE_HAZARDS.allows(actor) or (inspection is not None and inspection.kind == Inspection.Kind.PATROL)
    source = HazardSource.REPORT if report is not None else HazardSource.PATROL if lead else HazardSource.INSPECTION
    status, supervised = HazardStatus.FOUND, {}
    if lead:
        status = HazardStatus.LEAD
    elif level == Hazard.Level.MAJOR:
        status = HazardStatus.SUPERVISED
        supervised = {"supervised_on": found_on, "supervised_deadline": deadline}
    with recorded_as(actor, "hazard_lead" if lead else "hazard_report"):
        hazard = Hazard.objects.create(
            enterprise=enterprise, cell_id=cell_of_day(enterprise, found_on), inspection=inspection, report=report,
            source=source, level=level, criterion_code=criterion_code, description=description.strip()[:2000],
            location=location, measures=measures.strip()[:2000], found_on=found_on, deadline=deadline,
            status=status, reported_by=actor, district_code=enterprise.district_code, **supervised)
        _save_photos(photos, formats, hazard=hazard)
    return hazard


def _locked_hazard(actor, hazard: Hazard) -> Hazard:
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    _require_in_scope(actor, hazard.cell_id)
    return hazard


def hazard_actions_allowed(actor, hazard: Hazard, on: dt.date | None = None) -> bool:
    """Who may act on a hazard (rectify, re-inspect or verify, close): the bureau's
    law-enforcement side on any; a grid officer only on a general hazard of a cell they
    answer for. Flood command and others see hazards but act on none."""
    if SUPERVISE_HAZARDS.allows(actor):
        return True
    if hazard.level != Hazard.Level.GENERAL or hazard.status in (HazardStatus.LEAD, HazardStatus.DISMISSED):
        return False
    return _on_duty_in(actor, hazard.cell_id, on)


def _on_duty_in(actor, cell_id: int, on: dt.date | None) -> bool:
    """The actor is the cell's officer or substitute on the day (seeing the district is not
    answering for a cell)."""
    return GridAssignment.objects.filter(on_duty_on(on or timezone.localdate()), user_id=actor.pk,
                                         grid_id=cell_id).exists()


def require_hazard_actor(actor, hazard: Hazard, on: dt.date | None = None) -> None:
    if hazard_actions_allowed(actor, hazard, on):
        return
    if hazard.level == Hazard.Level.MAJOR and _on_duty_in(actor, hazard.cell_id, on):
        raise PermissionDenied("重大隐患的整改复查和销号须由区应急管理局两名持证执法人员办理，网格员不能办理")
    raise PermissionDenied(SUPERVISE_HAZARDS.refusal)


def require_hazard_action(actor, hazard: Hazard, action: str) -> None:
    """Asked before a page or the API reads any input: confirming or dismissing a lead is the
    bureau's; the other actions follow `require_hazard_actor`."""
    if action in ("confirm", "dismiss"):
        SUPERVISE_HAZARDS.require(actor)
    else:
        require_hazard_actor(actor, hazard)


@transaction.atomic
def hazard_confirm(*, actor, hazard: Hazard, level: str | None = None, criterion_code: str | None = None,
                   deadline: dt.date | None = None, measures: str = "", on: dt.date | None = None) -> Hazard:
    """The bureau confirms a lead (隐患线索) into a hazard, fixing its level (a major one cites
    its criterion and is supervised from the day of confirmation) and deadline."""
    SUPERVISE_HAZARDS.require(actor)
    hazard = _locked_hazard(actor, hazard)
    if hazard.status != HazardStatus.LEAD:
        raise ValidationError({"status": f"隐患 #{hazard.pk} 当前为“{hazard.get_status_display()}”，不是待确认的线索"})
    level = level or hazard.level
    if level not in Hazard.Level.values:
        raise ValidationError({"level": "隐患等级无效"})
    code = (hazard.criterion_code if criterion_code is None else criterion_code).strip()
    if level == Hazard.Level.GENERAL:
        code = ""
    elif not code:
        raise ValidationError({"criterion_code": "重大隐患须引用判定标准条款"})
    elif problem := criterion_problem(code, hazard.found_on):
        raise ValidationError({"criterion_code": problem})
    on = on or timezone.localdate()
    check_record_date(on, field="on", label="确认日期")
    deadline = deadline or hazard.deadline
    if deadline < hazard.found_on:
        raise ValidationError({"deadline": "整改期限不能早于发现日期"})
    hazard.level, hazard.criterion_code, hazard.deadline, hazard.confirmed_by = level, code, deadline, actor
    if measures.strip():
        hazard.measures = measures.strip()[:2000]
    if level == Hazard.Level.MAJOR:
        hazard.status, hazard.supervised_on = HazardStatus.SUPERVISED, on
        hazard.supervised_deadline = _supervision_deadline(deadline, on)
    else:
        hazard.status = HazardStatus.FOUND
    with recorded_as(actor, "hazard_confirm"):
        hazard.save()
    return hazard


@transaction.atomic
def hazard_dismiss(*, actor, hazard: Hazard, reason: str) -> Hazard:
    """The bureau dismisses a lead that is not a hazard, with its reason."""
    SUPERVISE_HAZARDS.require(actor)
    hazard = _locked_hazard(actor, hazard)
    if hazard.status != HazardStatus.LEAD:
        raise ValidationError({"status": f"隐患 #{hazard.pk} 当前为“{hazard.get_status_display()}”，不是待确认的线索"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写线索不成立的理由"})
    hazard.status, hazard.dismissal_reason, hazard.confirmed_by = HazardStatus.DISMISSED, reason.strip()[:300], actor
    with recorded_as(actor, "hazard_dismiss"):
        hazard.save()
    return hazard


@transaction.atomic
def hazard_start_rectification(*, actor, hazard: Hazard, measures: str = "") -> Hazard:
    hazard = _locked_hazard(actor, hazard)
    require_hazard_actor(actor, hazard)
    if hazard.status != HazardStatus.FOUND:
        raise ValidationError({"status": f"隐患当前为“{hazard.get_status_display()}”"})
    hazard.status = HazardStatus.RECTIFYING
    if measures.strip():
        hazard.measures = measures.strip()[:2000]
    with recorded_as(actor, "hazard_start_rectification"):
        hazard.save()
    return hazard


def _check_hazard_awaits_reinspection(hazard: Hazard) -> None:
    """A hazard closed or re-inspected meanwhile (the phone may have been offline) is shown to
    the officer as the reason the re-inspection was not stored, never overwritten."""
    if hazard.status == HazardStatus.CLOSED:
        raise ValidationError({"hazard": f"隐患已于 {hazard.closed_on:%Y-%m-%d} 销号，本次复查未保存"})
    if hazard.status == HazardStatus.REINSPECTED:
        raise ValidationError({"hazard": "隐患已复查合格、等待销号，本次复查未保存"})
    if hazard.status in (HazardStatus.LEAD, HazardStatus.DISMISSED):
        raise ValidationError({"hazard": f"隐患 #{hazard.pk} 为“{hazard.get_status_display()}”，"
                                         "须经区应急管理局确认后才能复查"})


def _reinspection_kind(actor) -> str:
    """The bureau's re-inspection (复查, law enforcement by a certified pair), or a grid
    officer's verification (核实) of a general hazard of their own cell."""
    return Inspection.Kind.REINSPECTION if SUPERVISE_HAZARDS.allows(actor) else Inspection.Kind.VERIFICATION


def _reinspection_record(*, actor, hazard: Hazard, passed: bool, inspection: Inspection | None,
                         inspected_on: dt.date | None, findings: str, photos: Sequence[UploadedFile],
                         client_id: uuid.UUID | None = None, client_digest: str = "",
                         inspectors: Sequence[User] = ()) -> tuple[Hazard, Inspection]:
    hazard = _locked_hazard(actor, hazard)
    require_hazard_actor(actor, hazard, inspected_on)
    _check_hazard_awaits_reinspection(hazard)
    if inspection is None:
        inspection = inspection_record(actor=actor, enterprise=hazard.enterprise, kind=_reinspection_kind(actor),
                                       inspected_on=inspected_on, findings=findings, photos=photos,
                                       inspectors=inspectors, client_id=client_id, client_digest=client_digest)
    allowed = (Inspection.Kind.REINSPECTION,) if hazard.level == Hazard.Level.MAJOR else \
        (Inspection.Kind.REINSPECTION, Inspection.Kind.VERIFICATION)
    if inspection.kind not in allowed or inspection.enterprise_id != hazard.enterprise_id:
        raise ValidationError({"inspection": "须为该企业的整改复查记录" + (
            "（重大隐患须由区应急管理局两名持证执法人员复查）" if hazard.level == Hazard.Level.MAJOR else "")})
    if inspection.inspected_on < hazard.found_on:
        raise ValidationError({"inspection": "复查日期早于隐患发现日期"})
    with recorded_as(actor, "hazard_reinspect", passed=passed):
        if passed:
            hazard.status = HazardStatus.REINSPECTED
            hazard.reinspection = inspection
        else:
            hazard.status = HazardStatus.SUPERVISED if hazard.level == Hazard.Level.MAJOR else HazardStatus.RECTIFYING
        hazard.save()
    return hazard, inspection


@transaction.atomic
def hazard_reinspect(*, actor, hazard: Hazard, passed: bool, inspection: Inspection | None = None,
                     inspected_on: dt.date | None = None, findings: str = "",
                     photos: Sequence[UploadedFile] = (), inspectors: Sequence[User] = ()) -> Hazard:
    """Re-inspect (复查) a hazard: with a re-inspection record given, or one recorded here from
    the findings, photos and inspectors. Passed → re-inspected (ready to close); not passed →
    back to rectification (a major hazard stays supervised). Phones use `reinspection_sync`."""
    return _reinspection_record(actor=actor, hazard=hazard, passed=passed, inspection=inspection,
                                inspected_on=inspected_on, findings=findings, photos=photos,
                                inspectors=inspectors)[0]


@transaction.atomic
def hazard_close(*, actor, hazard: Hazard, on: dt.date | None = None) -> Hazard:
    """销号: only after a passed re-inspection on record; a major hazard's by the bureau, after
    its re-inspection by two certified staff."""
    hazard = _locked_hazard(actor, hazard)
    require_hazard_actor(actor, hazard, on)
    if hazard.status == HazardStatus.CLOSED:
        raise ValidationError({"status": "隐患已销号"})
    if hazard.status != HazardStatus.REINSPECTED or hazard.reinspection_id is None:
        raise ValidationError({"status": "隐患须经整改复查合格后才能销号"})
    if hazard.level == Hazard.Level.MAJOR and hazard.reinspection.kind != Inspection.Kind.REINSPECTION:
        raise ValidationError({"status": "重大隐患须经区应急管理局两名持证执法人员复查合格后才能销号"})
    on = on or timezone.localdate()
    check_record_date(on, field="closed_on", label="销号日期")
    if on < hazard.reinspection.inspected_on:
        raise ValidationError({"on": "销号日期早于复查日期"})
    hazard.status = HazardStatus.CLOSED
    hazard.closed_on = on
    with recorded_as(actor, "hazard_close"):
        hazard.save()
    return hazard


def major_hazards_unsupervised():
    """Open major hazards not (yet) under supervised rectification: recorded before the rule
    that supervision starts on determination, or written by another path."""
    return Hazard.objects.filter(level=Hazard.Level.MAJOR, status__in=(HazardStatus.FOUND, HazardStatus.RECTIFYING))


def overdue_general_hazards(on: dt.date):
    """General hazards past their deadline: an order to rectify within a time limit (责令限期
    整改), then a penalty (ARTICLE_102), not 挂牌督办."""
    return Hazard.objects.filter(level=Hazard.Level.GENERAL, status__in=(HazardStatus.FOUND, HazardStatus.RECTIFYING),
                                 deadline__lt=on)


@transaction.atomic
def hazards_escalate_overdue(*, on: dt.date | None = None, actor=None,
                             deadline_days: int | None = None) -> list[int]:
    """Put every open major hazard not yet supervised under supervised rectification
    (挂牌督办), from the day it was determined (found); its deadline is its own, or when that
    has passed, `deadline_days` from `on`. General hazards are never moved here: an overdue
    one gets an order to rectify (see `overdue_general_hazards`). Returns the ids moved; safe
    to run repeatedly (daily)."""
    on = on or timezone.localdate()
    days = deadline_days
    hazards = list(major_hazards_unsupervised().select_for_update(skip_locked=True).order_by("pk"))
    with recorded_as(actor, "hazard_escalate"):
        for hazard in hazards:
            hazard.status, hazard.supervised_on = HazardStatus.SUPERVISED, hazard.found_on
            hazard.supervised_deadline = _supervision_deadline(hazard.deadline, on, days)
            hazard.save(update_fields=["status", "supervised_on", "supervised_deadline", "updated_at"])
    return [h.pk for h in hazards]


# --- enforcement -----------------------------------------------------------------------------

@transaction.atomic
def document_create(*, actor, kind: str, number: str, enterprise: Enterprise,
                    signers: Sequence[User], inspection: Inspection | None = None,
                    hazard: Hazard | None = None, fine_amount: Decimal | int | str = 0,
                    production_stop: bool = False, equipment_sealed: int = 0, equipment_out_of_use: int = 0,
                    content: str = "", issued_on: dt.date | None = None) -> EnforcementDocument:
    """Draft a document, and issue it at once when `issued_on` is given (one transaction: a
    refused issue keeps no draft). Its signers hold a certificate valid on the document's
    date (today for a draft) and are checked again on issue."""
    ISSUE_DOCUMENTS.require(actor)
    if kind not in EnforcementDocument.Kind.values:
        raise ValidationError({"kind": "文书种类无效"})
    if not number.strip():
        raise ValidationError({"number": "请填写文书编号"})
    if EnforcementDocument.objects.filter(number=number.strip()).exists():
        raise ValidationError({"number": f"文书编号 {number} 已存在"})
    fine = Decimal(str(fine_amount))
    if fine < 0:
        raise ValidationError({"fine_amount": "罚款金额不能为负"})
    if fine > 0 and kind != EnforcementDocument.Kind.PENALTY_DECISION:
        raise ValidationError({"fine_amount": "罚款只能由行政处罚决定书决定"})
    # 安全生产法（2021年修正）第六十五条第一款: ordering equipment out of use (item 3) is an
    # on-site measure; sealing or seizure (item 4) a compulsory measure with its own decision.
    if equipment_out_of_use and kind != EnforcementDocument.Kind.ONSITE_MEASURE:
        raise ValidationError({"equipment_out_of_use": "责令暂时停止使用设备只能由现场处理措施决定书决定"})
    if equipment_sealed and kind != EnforcementDocument.Kind.COMPULSORY_MEASURE:
        raise ValidationError({"equipment_sealed": "查封、扣押只能由查封扣押决定书决定"})
    if enterprise.cell_id is None:
        raise ValidationError({"enterprise": "企业不在任何网格内"})
    for name, record in (("inspection", inspection), ("hazard", hazard)):
        if record is not None and record.enterprise_id != enterprise.pk:
            raise ValidationError({name: "不是该企业的记录"})
    _require_certified(signers, issued_on or timezone.localdate())
    duplicate = {"number": f"文书编号 {number.strip()} 已存在"}
    with recorded_as(actor, "document_draft"), _refused_if_duplicate("inspections_enforcementdocument_number_key",
                                                                 duplicate):
        document = EnforcementDocument.objects.create(
            kind=kind, number=number.strip(), enterprise=enterprise, cell_id=enterprise.cell_id,
            inspection=inspection, hazard=hazard, fine_amount=fine, production_stop=production_stop,
            equipment_sealed=equipment_sealed, equipment_out_of_use=equipment_out_of_use,
            content=content[:4000], created_by=actor,
            district_code=enterprise.district_code)
        document.signers.set(signers)
    if issued_on is not None:
        document = document_issue(actor=actor, document=document, issued_on=issued_on)
    return document


@dataclass(frozen=True)
class ReviewCheck:
    """One of the four checks of a legal review: passed or failed, with a note."""

    passed: bool
    note: str = ""


@transaction.atomic
def legal_review_record(*, actor, document: EnforcementDocument, reviewed_on: dt.date,
                        approved: bool, opinion: str, checks: Mapping[str, ReviewCheck]) -> LegalReview:
    """法制审核: the four checks (执法主体、执法权限、内容与依据、执法程序), each passed or failed
    (a failed one says why); approved only when all four pass. The reviewer must not be a
    signer of the decision under review."""
    ISSUE_DOCUMENTS.require(actor)
    check_record_date(reviewed_on, field="reviewed_on", label="法制审核日期")
    if not opinion.strip():
        raise ValidationError({"opinion": "请填写审核意见"})
    if document.signers.filter(pk=actor.pk).exists():
        raise ValidationError({"reviewer": f"{actor} 是文书 {document.number} 的执法人员（签署人），"
                                           "不能审核本人承办的执法决定"})
    fields = {}
    for name, label in LegalReview.CHECKS:
        check = checks.get(name)
        if check is None:
            raise ValidationError({f"{name}_passed": f"请填写法制审核“{label}”一项的结论"})
        note = check.note.strip()[:300]
        if not check.passed and not note:
            raise ValidationError({f"{name}_note": f"法制审核“{label}”一项未通过，请说明理由"})
        fields[f"{name}_passed"], fields[f"{name}_note"] = check.passed, note
    failed = [label for name, label in LegalReview.CHECKS if not fields[f"{name}_passed"]]
    if approved and failed:
        raise ValidationError({"approved": f"“{'、'.join(failed)}”未通过，审核不能通过"})
    if LegalReview.objects.filter(document=document).exists():
        raise ValidationError({"document": "该文书已有法制审核记录"})
    with recorded_as(actor, "legal_review"):
        return LegalReview.objects.create(document=document, reviewer=actor, reviewed_on=reviewed_on,
                                          approved=approved, opinion=opinion.strip()[:2000],
                                          district_code=document.district_code, **fields)


@transaction.atomic
def document_issue(*, actor, document: EnforcementDocument, issued_on: dt.date) -> EnforcementDocument:
    """Issue (送达) a document: at least two signers, each holding an enforcement certificate
    valid on the date; a major decision needs an approved legal review dated no later."""
    ISSUE_DOCUMENTS.require(actor)
    check_record_date(issued_on, field="issued_on", label="送达日期")
    document = EnforcementDocument.objects.select_for_update().get(pk=document.pk)
    if document.status == EnforcementDocument.Status.ISSUED:
        raise ValidationError({"status": "文书已送达"})
    signers = list(document.signers.all())
    if len(signers) < app_settings.INSPECTORS_PER_VISIT:
        raise ValidationError({"signers": f"执法文书须由至少 {app_settings.INSPECTORS_PER_VISIT} 名执法人员签署"})
    _require_certified(signers, issued_on)
    if document.is_major:
        review = LegalReview.objects.filter(document=document).first()
        if review is None or not review.approved:
            raise ValidationError({"legal_review": "重大执法决定须经法制审核通过后方可作出"})
        if review.reviewed_on > issued_on:
            raise ValidationError({"legal_review": "法制审核日期晚于文书日期"})
    document.status = EnforcementDocument.Status.ISSUED
    document.issued_on = issued_on
    with recorded_as(actor, "document_issue"):
        document.save()
    return document


def _check_enforcement_record(actor, enterprise: Enterprise, day: dt.date, field: str, label: str) -> None:
    """What an exposure and a summons both need: bureau staff, an enterprise placed in a cell
    the actor sees (the row carries that cell), and a day that has already come."""
    ISSUE_DOCUMENTS.require(actor)
    _require_in_scope(actor, enterprise.cell_id)
    check_record_date(day, field=field, label=label)


@contextmanager
def _refused_if_duplicate(constraint: str, errors: dict[str, str]):
    """The unique constraint's refusal as a ValidationError naming the field (the check is the
    database's, so two forms sent at once cannot both pass it)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != constraint:
            raise
        raise ValidationError(errors) from exc


@transaction.atomic
def exposure_record(*, actor, enterprise: Enterprise, exposed_on: dt.date, medium: str,
                    note: str = "") -> Exposure:
    _check_enforcement_record(actor, enterprise, exposed_on, "exposed_on", "曝光日期")
    if not medium.strip():
        raise ValidationError({"medium": "请填写曝光媒体"})
    medium = medium.strip()[:100]
    duplicate = {"exposed_on": f"{enterprise.name} 在 {exposed_on:%Y-%m-%d} 已有「{medium}」的曝光记录"}
    with recorded_as(actor, "exposure_record"), _refused_if_duplicate("exposure_once_per_day_and_medium", duplicate):
        return Exposure.objects.create(enterprise=enterprise, cell_id=cell_of_day(enterprise, exposed_on),
                                       exposed_on=exposed_on,
                                       medium=medium, note=note.strip()[:300], recorded_by=actor,
                                       district_code=enterprise.district_code)


@transaction.atomic
def summons_record(*, actor, enterprise: Enterprise, held_on: dt.date, people: int = 1,
                   note: str = "") -> Summons:
    _check_enforcement_record(actor, enterprise, held_on, "held_on", "约谈日期")
    if not 1 <= people <= 1000:
        raise ValidationError({"people": "约谈人数应为 1 至 1000"})
    duplicate = {"held_on": f"{enterprise.name} 在 {held_on:%Y-%m-%d} 已有约谈记录"}
    with recorded_as(actor, "summons_record"), _refused_if_duplicate("summons_once_per_day", duplicate):
        return Summons.objects.create(enterprise=enterprise, cell_id=cell_of_day(enterprise, held_on),
                                      held_on=held_on,
                                      people=people, note=note.strip()[:300], recorded_by=actor,
                                      district_code=enterprise.district_code)


# --- reports (举报) --------------------------------------------------------------------------

@transaction.atomic
def report_submit(*, actor, description: str, lon: float, lat: float, crs: str = DEFAULT_CRS,
                  source: str = Report.Source.PUBLIC, reporter_name: str = "",
                  reporter_phone: str = "", photos: Sequence[UploadedFile] = (),
                  received_on: dt.date | None = None, client_id: uuid.UUID | None = None,
                  client_digest: str = "") -> Report:
    """Take a report: its cell comes from the position (the point lookup), and it goes to
    that cell's officer on duty, to be followed like a hazard. Phones use `report_sync`."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录")
    if not description.strip():
        raise ValidationError({"description": "请填写举报内容"})
    if source not in Report.Source.values:
        raise ValidationError({"source": "来源无效"})
    try:
        xs, ys = to_wgs84_arrays([lon], [lat], offered_crs(crs))
    except CRSError as exc:
        raise ValidationError({"crs": str(exc)}) from None
    except CoordinateError as exc:
        raise ValidationError({"position": f"位置：{exc}"}) from None
    lon, lat = float(xs[0]), float(ys[0])
    position = Point(float(lon), float(lat), srid=4326)
    received_on = received_on or timezone.localdate()
    cell = cell_on(position, received_on)
    if cell is None:
        raise ValidationError({"position": "位置不在本区任何网格内"})
    formats = check_photos(photos)
    officer = cell_officers([cell.pk], received_on).get(cell.pk)
    # The enterprise the report is about, when one lies within 200 m of the position.
    nearby = (Enterprise.objects.filter(cell=cell, location__dwithin=(position, 0.002))
              .order_by("id").first())
    rate_limit_take(user=actor, action="report", per_hour=core_settings.RATE_REPORTS_PER_HOUR, what="提交举报")
    with recorded_as(actor, "report_submit"):
        report = Report.objects.create(
            source=source, reporter_name=reporter_name.strip()[:64], reporter_phone=reporter_phone.strip()[:32],
            description=description.strip()[:2000], position=position, cell=cell, enterprise=nearby,
            assignee=officer, received_on=received_on,
            deadline=received_on + dt.timedelta(days=app_settings.REPORT_DEADLINE_DAYS),
            created_by=actor, district_code=cell.district_code, client_id=client_id,
            client_digest=client_digest)
        _save_photos(photos, formats, report=report)
    return report


def report_sync(*, actor, client_id: uuid.UUID | None, description: str, lon: float, lat: float,
                crs: str = DEFAULT_CRS, source: str = Report.Source.PUBLIC, reporter_name: str = "",
                reporter_phone: str = "", photos: Sequence[UploadedFile] = ()) -> Synced:
    """A report sent by a phone: stored once per client_id of its sender (gridmap.core.sync)."""
    fields = {"description": description, "lon": lon, "lat": lat, "crs": crs, "source": source,
              "reporter_name": reporter_name, "reporter_phone": reporter_phone}
    digest = submission_digest(fields, photos) if client_id else ""
    mine = Report.objects.filter(created_by_id=actor.pk) if actor.is_authenticated else Report.objects.none()
    return created_once(
        lambda: report_submit(actor=actor, photos=photos, client_id=client_id, client_digest=digest, **fields),
        mine=mine, client_id=client_id, digest=digest, constraint="report_client_id_once")


@transaction.atomic
def report_handle(*, actor, report: Report, status: str, result: str = "",
                  on: dt.date | None = None) -> Report:
    """received → handling → handled (办结, with a result)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_in_scope(actor, report.cell_id)
    order = [Report.Status.RECEIVED, Report.Status.HANDLING, Report.Status.HANDLED]
    if status not in order or order.index(status) <= order.index(report.status):
        raise ValidationError({"status": f"举报当前为“{report.get_status_display()}”，不能改为该状态"})
    if status == Report.Status.HANDLED:
        if not result.strip():
            raise ValidationError({"result": "办结须填写处理结果"})
        report.handled_on = on or timezone.localdate()
    report.status = status
    report.result = result.strip()[:2000] or report.result
    with recorded_as(actor, f"report_{status}"):
        report.save()
    return report


# --- self-inspections (企业自查) and the enterprise's own rectification --------------------------

def _own_enterprise(actor, enterprise: Enterprise | None) -> Enterprise:
    """The enterprise an enterprise user records for: the one their account has (given or not);
    any other is refused."""
    ACT_FOR_ENTERPRISE.require(actor)
    own = own_enterprise_ids(actor)
    if not own:
        raise PermissionDenied("您的账户未关联企业")
    if enterprise is None:
        if len(own) > 1:
            raise ValidationError({"enterprise": "请指定企业"})
        return Enterprise.objects.select_related("cell").get(pk=next(iter(own)))
    if enterprise.pk not in own:
        raise PermissionDenied("只能记录本企业的自查")
    return enterprise


def _self_inspection_items(enterprise: Enterprise, day: dt.date,
                           items: Sequence[Mapping[str, str]]) -> list[tuple[CheckItem, dict]]:
    if not items:
        raise ValidationError({"items": "请至少填写一项自查结果"})
    known = {item.code: item for item in check_items(enterprise, day)}
    seen, checked = set(), []
    for i, row in enumerate(items):
        code = str(row.get("code", "")).strip()
        if code not in known:
            raise ValidationError({"items": f"第 {i + 1} 项：未知的自查项目 {code or '（空）'}，"
                                            f"不在{enterprise.name}{day:%Y-%m-%d}的自查项目中"})
        if code in seen:
            raise ValidationError({"items": f"第 {i + 1} 项：自查项目 {code} 重复"})
        result = str(row.get("result", "")).strip()
        if result not in ("ok", "hazard"):
            raise ValidationError({"items": f"第 {i + 1} 项（{code}）：结果须为 ok 或 hazard"})
        note = str(row.get("note", "") or "").strip()[:1000]
        if result == "hazard" and not note:
            raise ValidationError({"items": f"第 {i + 1} 项（{code}）：发现隐患须写明情况（note）"})
        seen.add(code)
        checked.append((known[code], {"code": code, "title": known[code].title, "result": result, "note": note}))
    return checked


def _self_inspection_photos(checked: list[tuple[CheckItem, dict]],
                            item_photos: Mapping[str, Sequence[UploadedFile]]) -> dict[str, list[str]]:
    """Each item's own photos checked (formats by code): only a `hazard` item carries photos."""
    results = {row["code"]: (i, row["result"]) for i, (_, row) in enumerate(checked)}
    formats = {}
    for code, photos in item_photos.items():
        if not photos:
            continue
        if code not in results:
            raise ValidationError({f"photo_{code}": f"照片 photo_{code} 没有对应的自查项目："
                                                    f"{code or '（空）'} 不在本次提交的项目中"})
        index, result = results[code]
        if result != "hazard":
            raise ValidationError({f"photo_{code}": f"第 {index + 1} 项（{code}）：结果为正常，不能附隐患照片"})
        formats[code] = check_photos(photos, field=f"photo_{code}")
    return formats


def _self_inspection_create(*, actor, enterprise: Enterprise, checked_at: dt.datetime, day: dt.date,
                            checked: list[tuple[CheckItem, dict]], client_id, digest: str,
                            photos: Sequence[UploadedFile] = (),
                            item_photos: Mapping[str, Sequence[UploadedFile]] | None = None) -> SelfInspection:
    findings = [(item, row) for item, row in checked if row["result"] == "hazard"]
    formats = check_photos(photos)
    item_photos = item_photos or {}
    item_formats = _self_inspection_photos(checked, item_photos)
    if findings and enterprise.cell_id is None:
        raise ValidationError({"enterprise": f"{enterprise.name}不在任何网格内，自查发现的隐患无法转交网格员"})
    cell_id = cell_of_day(enterprise, day)
    with recorded_as(actor, "self_inspection_record"):
        record = SelfInspection.objects.create(
            enterprise=enterprise, cell_id=cell_id, checked_at=checked_at, checked_on=day,
            items=[row for _, row in checked], recorded_by=actor, district_code=enterprise.district_code,
            client_id=client_id, client_digest=digest)
        for item, row in findings:
            major = item.major_criterion
            hazard = Hazard.objects.create(
                enterprise=enterprise, cell_id=cell_id, source=HazardSource.SELF_INSPECTION,
                self_inspection=record, level=Hazard.Level.MAJOR if major else Hazard.Level.GENERAL,
                criterion_code=item.code if major else "",
                description=f"企业自查发现：{row['note']}（自查项目 {item.code} {item.title}）"[:2000],
                location=enterprise.location, found_on=day,
                deadline=day + dt.timedelta(days=HAZARD_DEADLINE_DAYS),
                # A major hazard awaits the bureau's confirmation (then it is supervised).
                status=HazardStatus.LEAD if major else HazardStatus.FOUND,
                reported_by=actor, district_code=enterprise.district_code)
            # The item's own photos; photos sent for the whole submission (records queued on a
            # phone before items carried photos) go with every hazard found, as they did.
            _save_photos(item_photos.get(item.code, ()), item_formats.get(item.code, []), hazard=hazard)
            _save_photos(photos, formats, hazard=hazard)
            row["hazard"] = hazard.pk
        record.items = [row for _, row in checked]
        record.save(update_fields=["items"])
    return record


@transaction.atomic
def self_inspection_sync(*, actor, enterprise: Enterprise | None = None, checked_at: dt.datetime | None = None,
                         items: Sequence[Mapping[str, str]] = (), client_id: uuid.UUID | None = None,
                         photos: Sequence[UploadedFile] = (),
                         item_photos: Mapping[str, Sequence[UploadedFile]] | None = None) -> Synced:
    """An enterprise's self-inspection, item by item; each `hazard` item becomes a hazard with
    source self_inspection in its cell (general; major, awaiting the bureau's confirmation, when
    the item is a major-hazard criterion), with the item's own photos (item_photos by code).
    Sent twice (also twice at once) with one client_id,
    it is stored once; its time is at most 10 minutes ahead of now."""
    enterprise = _own_enterprise(actor, enterprise)
    rows = [{"code": str(r.get("code", "")), "result": str(r.get("result", "")), "note": str(r.get("note", "") or "")}
            for r in items]
    # What was sent (a retry without checked_at is the same submission, whenever it arrives).
    sent_at = checked_at.isoformat() if checked_at else None
    item_photos = {str(code): list(files) for code, files in (item_photos or {}).items() if files}
    by_item = {code: [photo_sha256(p) for p in files] for code, files in sorted(item_photos.items())}
    digest = submission_digest({"enterprise": enterprise.pk, "checked_at": sent_at, "items": rows,
                                **({"item_photos": by_item} if by_item else {})},
                               photos) if client_id else ""
    checked_at = checked_at or timezone.now()
    day = synced_record_day(checked_at, field="checked_at", label="自查时间")

    def record() -> SelfInspection:
        checked = _self_inspection_items(enterprise, day, rows)
        return _self_inspection_create(actor=actor, enterprise=enterprise, checked_at=checked_at, day=day,
                                       checked=checked, client_id=client_id, digest=digest, photos=photos,
                                       item_photos=item_photos)

    mine = SelfInspection.objects.filter(recorded_by_id=actor.pk)
    return created_once(record, mine=mine, client_id=client_id, digest=digest,
                        constraint="self_inspection_client_id_once")


@transaction.atomic
def hazard_rectified(*, actor, hazard: Hazard, measures: str, rectified_on: dt.date,
                     photos: Sequence[UploadedFile] = ()) -> Hazard:
    """The enterprise closes its side of a general hazard with proof (photos, measures taken,
    date): it then waits for the cell officer's check (a verification, or the bureau's
    re-inspection) before it is closed. A major hazard is closed only after the bureau's
    re-inspection by two certified staff: the enterprise cannot close it."""
    ACT_FOR_ENTERPRISE.require(actor)
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.enterprise_id not in own_enterprise_ids(actor):
        raise PermissionDenied("只能办理本企业的隐患")
    if hazard.level == Hazard.Level.MAJOR:
        raise PermissionDenied("重大隐患须经区应急管理局两名持证执法人员复查合格后销号，企业不能自行销号；"
                               "请在整改完成后向区应急管理局申请复查")
    if hazard.status not in (HazardStatus.FOUND, HazardStatus.RECTIFYING):
        raise ValidationError({"status": f"隐患 #{hazard.pk} 当前为“{hazard.get_status_display()}”，不能报告整改完成"})
    if not measures.strip():
        raise ValidationError({"measures": "请填写已采取的整改措施"})
    check_record_date(rectified_on, field="rectified_on", label="整改完成日期")
    if rectified_on < hazard.found_on:
        raise ValidationError({"rectified_on": "整改完成日期早于隐患发现日期"})
    if not photos:
        raise ValidationError({"photos": "请上传整改后的照片作为证明"})
    formats = check_photos(photos)
    hazard.status, hazard.measures = HazardStatus.RECTIFIED, measures.strip()[:2000]
    hazard.rectified_on, hazard.rectified_by = rectified_on, actor
    with recorded_as(actor, "hazard_rectified"):
        hazard.save()
        _save_photos(photos, formats, hazard=hazard, proof=True)
    return hazard
