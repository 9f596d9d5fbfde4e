"""The audit trail (django-pghistory): who did a change and why (`recorded_as`), and reading
it for a record's page (`history_of`).

The event tables are filled by database triggers on every insert, update and delete of a
tracked model, and are append-only (a trigger refuses UPDATE and DELETE on them; see
PGHISTORY_APPEND_ONLY): the application can read history but not rewrite it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pghistory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from pghistory.models import Events

LABELS = {"insert": "新建", "update": "修改", "delete": "删除"}
# Every action named in a recorded_as(...) call, as a person reads it in a history (an action
# without a label shows nothing rather than its code name: tests/core/test_history_labels.py).
ACTIONS = {
    "assignment_create": "分配", "assignment_move": "调动", "assignment_replace": "替换",
    "assignment_end": "结束职责", "patrol_record": "记录巡查", "roster_import": "导入网格员名册",
    "certificate_record": "登记执法证", "document_draft": "制作文书", "document_issue": "送达文书",
    "exposure_record": "记录曝光", "summons_record": "记录约谈", "legal_review": "法制审核",
    "hazard_report": "登记隐患", "hazard_start_rectification": "开始整改", "hazard_escalate": "挂牌督办",
    "hazard_reinspect": "整改复查", "hazard_close": "隐患销号", "inspection_record": "记录检查",
    "plan_create": "制定计划", "plan_draw": "抽取计划", "tasks_assign": "分配检查任务",
    "preflood_tasks_create": "生成汛前检查任务", "report_submit": "受理举报",
    "report_handling": "核查处理举报", "report_handled": "举报办结",
    "task_accept": "接收任务", "task_start": "开始检查", "task_decline": "退回任务",
    "task_cannot_inspect": "无法检查", "stock_receipt": "物资入库", "stock_issue": "物资出库",
    "assignment_batch_undo": "撤销分配批次", "hazard_lead": "登记隐患线索", "hazard_confirm": "确认隐患线索",
    "hazard_dismiss": "隐患线索不成立", "plan_approve": "批准计划", "plan_tasks_open": "计划任务下达",
    "publication_record": "公示", "credit_listing_record": "列入信用名单", "credit_listing_exit": "移出信用名单",
    "publication_withdraw": "撤回公示",
    "event_open": "启动应急事件", "event_set_level": "调整响应级别", "event_close": "结束应急事件",
    "consultation_record": "记录会商", "order_issue": "下达指令", "roll_call_start": "发起点名",
    "roll_call_answer": "点名应答", "roll_call_repeat": "再次点名", "dispatch_create": "调度队伍物资",
    "teams_recall": "撤回队伍", "situation_report_submit": "报告险情",
    "enterprise_account_open": "开通企业账户", "enterprise_account_activate": "企业账户首次登录",
    "self_inspection_record": "企业自查", "hazard_rectified": "企业报告整改完成",
    "register_change_propose": "提出一企一册变更", "register_change_approve": "批准一企一册变更",
    "register_change_return": "退回一企一册变更",
}
HIDDEN = {"id", "password", "last_login", "district_code", "created_at", "updated_at"}


def tracked():
    """Every insert, update and delete of the decorated model, as events. Fresh trackers per
    model: pghistory binds each tracker to the model it decorates."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def recorded_as(actor, action: str, **extra):
    """Context manager: every history event written inside it names the actor (a user or
    None for the system), the action and any extra facts (a note, the grid moved from)."""
    return pghistory.context(user=getattr(actor, "pk", None), action=action, **extra)


@dataclass
class HistoryEntry:
    when: object
    label: str
    model: str
    object_id: str
    who: str
    action: str
    url: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _field_label(model: type[models.Model], key: str) -> tuple[str, models.Field | None]:
    name = key[:-3] if key.endswith("_id") else key
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return key, None
    return str(model_field.verbose_name), model_field


def _show(value, model_field, cache: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if getattr(model_field, "geom_type", None):
        return "（空间数据）"
    if isinstance(model_field, models.BooleanField):
        return "是" if value in (True, "true", "True", "t", 1) else "否"
    if isinstance(model_field, models.DateTimeField):
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and model_field.related_model is not None:
        key = (model_field.related_model, value)
        if key not in cache:
            found = model_field.related_model._default_manager.filter(pk=value).first()
            cache[key] = str(found) if found is not None else f"#{value}（已删除）"
        return cache[key]
    return str(value)


def history_of(*objs: models.Model, references: bool = False, limit: int = 200) -> list[HistoryEntry]:
    """Every event of the given records (of one model), oldest first.

    With references=True, also the events of records that point to them (a patrol's photos).
    """
    if not objs:
        return []
    query = Events.objects.references(*objs) if references else Events.objects.tracks(*objs)
    events = list(query.order_by("pgh_created_at", "pgh_id")[:limit])
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context} - {None}
    names = {u.pk: f"{u.full_name or u.username}（{u.username}）"
             for u in get_user_model().objects.filter(pk__in=user_ids)}
    entries, cache = [], {}
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        context = event.pgh_context or {}
        entry = HistoryEntry(
            when=event.pgh_created_at, label=LABELS.get(event.pgh_label, event.pgh_label),
            model=str(model._meta.verbose_name), object_id=event.pgh_obj_id or "",
            who=names.get(context.get("user"), "系统（导入或命令）" if not context else "—"),
            action=ACTIONS.get(context.get("action"), ""),
            url=context.get("url", ""))
        if event.pgh_label == "update" and event.pgh_diff:
            pairs = event.pgh_diff.items()
            entry.changes = [(label, _show(old, f, cache), _show(new, f, cache))
                             for key, (old, new) in pairs if key not in HIDDEN
                             for label, f in [_field_label(model, key)]]
        else:
            data = event.pgh_data or {}
            entry.changes = [(label, "", _show(value, f, cache)) for key, value in data.items()
                             if key not in HIDDEN and value not in (None, "")
                             for label, f in [_field_label(model, key)]]
        entries.append(entry)
    return entries
