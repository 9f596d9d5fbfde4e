"""The event pages of the flood desk (/flood/events/): the list, an event with its map,
timeline, roll call and the forms that run it. Thin: forms in, flood.events services out."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gridmap.accounts.capabilities import COMMAND_FLOODS, capability_required
from gridmap.flood.events import selectors, services
from gridmap.flood.events.models import Event
from gridmap.flood.models import RescueTeam
from gridmap.grids.selectors import district_centre
from layers.maps import build_map, map_context
from layers.registry import layers_named

from .briefing import event_briefing_context
from .event_forms import (
    AnswerForm,
    CloseForm,
    ConsultationForm,
    DispatchForm,
    EventOpenForm,
    LevelForm,
    OrderForm,
    now_local,
)
from .views import briefing_pdf_bytes

command_required = capability_required(COMMAND_FLOODS)
EVENT_LAYERS = ("district", "rivers", "roll-call", "depots", "rescue-teams", "dispatches", "situation_reports")


def _refusal(errors) -> str:
    if isinstance(errors, ValidationError):
        return "；".join(errors.messages)
    return "；".join(message for field_errors in errors.values() for message in field_errors)


@command_required
def event_list(request, *, form: EventOpenForm | None = None, status: int = 200):
    if request.method == "POST" and form is None:
        form = EventOpenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.event_open(actor=request.user, name=data["name"], kind=data["kind"],
                                            level=data["level"] or None, started_at=data["started_at"],
                                            area=data["zone"].geom if data["zone"] else None)
            except ValidationError as exc:
                messages.error(request, f"未保存：{_refusal(exc)}")
                return event_list(request, form=form, status=400)
            messages.success(request, f"已创建事件“{event.name}”")
            return redirect("flood:event", pk=event.pk)
        messages.error(request, f"未保存：{_refusal(form.errors)}")
        status = 400
    return render(request, "workspaces/flood_events.html", {
        "events": selectors.events_for_user(request.user),
        "form": form or EventOpenForm(initial={"started_at": now_local(), "kind": "rainstorm"})}, status=status)


def _event(request, pk: int) -> Event:
    event = selectors.event_for_user(request.user, pk)
    if event is None:
        raise Http404("事件不存在")
    return event


@command_required
def event_detail(request, pk: int, *, status: int = 200, forms: dict | None = None):
    event = _event(request, pk)
    roll_call = selectors.roll_calls_of(event).first()
    urls = {"situation_reports": f"/api/layers/situation_reports.geojson?event={event.pk}",
            "dispatches": f"/api/layers/dispatches.geojson?event={event.pk}",
            "roll-call": f"/api/layers/roll-call.geojson?roll_call={roll_call.pk if roll_call else 0}"}
    fmap = build_map(layers_named(request.user, EVENT_LAYERS), user=request.user, center=district_centre(),
                     zoom=10, fit_layer="district", urls=urls)
    forms = forms or {}
    return render(request, "workspaces/flood_event.html", {
        "event": event, "timeline": selectors.timeline(event), "roll_call": roll_call,
        "answers": selectors.roll_call_answers(roll_call) if roll_call else [],
        "dispatches": event.dispatches.select_related("depot").prefetch_related("deployments__team",
                                                                                 "movements__item"),
        "level_form": forms.get("level") or LevelForm(initial={"level": str(max((event.level or 5) - 1, 1))}),
        "consultation_form": forms.get("consultation") or ConsultationForm(initial={"held_at": now_local()}),
        "order_form": forms.get("order") or OrderForm(),
        "close_form": forms.get("close") or CloseForm(),
        "dispatch_form": forms.get("dispatch") or DispatchForm(),
        "teams_out": selectors.deployments_out(request.user), "teams": RescueTeam.objects.all(),
        "report_counts": selectors.report_counts(event),
        **map_context(fmap, nonce=str(request.csp_nonce))}, status=status)


def _act(request, pk: int, *, form_class, name: str, action, success: str, anchor: str):
    """Validate the form, run the service, and come back to the event: a refusal shows the
    event again (400) with the reason and what was typed."""
    event = _event(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = action(event, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, f"未保存：{_refusal(exc)}")
        else:
            messages.success(request, success.format(result=result, event=event))
            return redirect(reverse("flood:event", args=[event.pk]) + f"#{anchor}")
    else:
        messages.error(request, f"未保存：{_refusal(form.errors)}")
    return event_detail(request, pk, status=400, forms={name: form})


@command_required
@require_POST
def event_level(request, pk: int):
    return _act(request, pk, form_class=LevelForm, name="level", anchor="level", success="响应级别已调整为{result}",
                action=lambda event, d: services.event_set_level(
                    actor=request.user, event=event, level=int(d["level"]), reason=d["reason"]).get_to_level_display())


@command_required
@require_POST
def event_consultation(request, pk: int):
    return _act(request, pk, form_class=ConsultationForm, name="consultation", anchor="timeline",
                success="已记录会商：{result.topic}",
                action=lambda event, d: services.consultation_record(actor=request.user, event=event, **d))


@command_required
@require_POST
def event_order(request, pk: int):
    return _act(request, pk, form_class=OrderForm, name="order", anchor="timeline", success="已下达指令",
                action=lambda event, d: services.order_issue(actor=request.user, event=event, **d))


@command_required
@require_POST
def event_close(request, pk: int):
    return _act(request, pk, form_class=CloseForm, name="close", anchor="timeline", success="事件“{event.name}”已结束",
                action=lambda event, d: services.event_close(actor=request.user, event=event, summary=d["summary"]))


@command_required
@require_POST
def event_dispatch(request, pk: int):
    def send(event, d):
        return services.dispatch_create(
            actor=request.user, event=event, depot=d["depot"],
            lines=[services.DispatchLine(**line) for line in d["items"]], teams=[t.pk for t in d["teams"]],
            lon=d["lon"], lat=d["lat"], crs=d["crs"], note=d["note"])

    return _act(request, pk, form_class=DispatchForm, name="dispatch", anchor="dispatches", action=send,
                success="已从{result.depot.name}调度，距目的地 {result.distance_m:.0f} m")


def _run(request, event: Event, work, *, anchor: str):
    """Run a service that needs no form (or a small one); its refusal shows the event again
    (400) with the reason, its success message comes back from `work`."""
    try:
        done = work()
    except ValidationError as exc:
        messages.error(request, f"未保存：{_refusal(exc)}")
        return event_detail(request, event.pk, status=400)
    messages.success(request, done)
    return redirect(reverse("flood:event", args=[event.pk]) + f"#{anchor}")


@command_required
@require_POST
def dispatch_recall(request, pk: int, dispatch: int):
    event = _event(request, pk)
    found = event.dispatches.filter(pk=dispatch).first()
    if found is None:
        raise Http404("调度不存在")
    return _run(request, event, lambda: f"已撤回队伍 {services.teams_recall(actor=request.user, dispatch=found)} 支",
                anchor="dispatches")


@command_required
@require_POST
def roll_call_start(request, pk: int):
    event = _event(request, pk)

    def start():
        roll_call = services.roll_call_start(actor=request.user, event=event)
        return f"已发起点名：呼叫值守点位 {roll_call.answers.count()} 个"

    return _run(request, event, start, anchor="roll-call")


def _roll_call(request, pk: int, rc: int):
    event = _event(request, pk)
    roll_call = selectors.roll_call_for_user(request.user, event, rc)
    if roll_call is None:
        raise Http404("点名不存在")
    return event, roll_call


@command_required
@require_POST
def roll_call_answer(request, pk: int, rc: int):
    event, roll_call = _roll_call(request, pk, rc)

    def answer():
        form = AnswerForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_refusal(form.errors))
        done = services.roll_call_answer(actor=request.user, roll_call=roll_call, post=form.cleaned_data["post"],
                                         answerer=form.cleaned_data["answerer"])
        return f"{done.post.name}已应答（{done.answerer}）"

    return _run(request, event, answer, anchor="roll-call")


@command_required
@require_POST
def roll_call_repeat(request, pk: int, rc: int):
    event, roll_call = _roll_call(request, pk, rc)

    def repeat():
        call = services.roll_call_repeat(actor=request.user, roll_call=roll_call)
        return f"第 {call.number} 轮点名：再次呼叫未应答点位 {call.posts_called} 个"

    return _run(request, event, repeat, anchor="roll-call")


@command_required
def event_briefing_pdf(request, pk: int):
    event = _event(request, pk)
    body = briefing_pdf_bytes(event_briefing_context(request.user, event), "workspaces/flood_event_briefing.html")
    response = HttpResponse(body, content_type="application/pdf")
    name = f"应急事件简报_{event.name}_{timezone.localtime():%Y%m%d-%H%M}.pdf"
    response["Content-Disposition"] = (f'attachment; filename="event-briefing.pdf"; '
                                       f"filename*=UTF-8''{quote(name)}")
    return response
