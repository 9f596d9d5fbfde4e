"""The inputs of the event pages: open an event, set its level, record a consultation or an
order, answer a roll call, dispatch, close with a summary."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from gridmap.flood.events.models import Event, ResponseLevel
from gridmap.flood.models import FloodZone, RescueTeam, StockItem, SupplyDepot
from gridmap.geo.coords import CRS_CHOICES, DEFAULT_CRS

LEVEL_CHOICES = [(str(v), label) for v, label in ResponseLevel.choices]
MOMENT = {"invalid": "请填写有效的时间（年-月-日 时:分）"}


class MomentField(forms.DateTimeField):
    """A local date and time as the browser's datetime-local input sends it; empty is now."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, label: str, **kwargs):
        super().__init__(label=label, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                         error_messages=MOMENT, **kwargs)


class EventOpenForm(forms.Form):
    name = forms.CharField(label="事件名称", max_length=100, error_messages={"required": "请填写事件名称"})
    kind = forms.ChoiceField(label="类型", choices=Event.Kind.choices)
    level = forms.ChoiceField(label="启动响应级别", choices=[("", "暂不启动")] + LEVEL_CHOICES, required=False)
    started_at = MomentField("开始时间")
    zone = forms.ModelChoiceField(label="事件范围", queryset=FloodZone.objects.all(), required=False,
                                  empty_label="全区（不限范围）", error_messages={"invalid_choice": "防汛责任区不存在"})


class LevelForm(forms.Form):
    level = forms.ChoiceField(label="响应级别", choices=LEVEL_CHOICES, error_messages={"required": "请选择响应级别"})
    reason = forms.CharField(label="依据", max_length=500, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "依据（预警、雨情、水情）"}))


class ConsultationForm(forms.Form):
    topic = forms.CharField(label="议题", max_length=200, error_messages={"required": "请填写议题"})
    attendees = forms.CharField(label="参会人员", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                error_messages={"required": "请填写参会人员"})
    decisions = forms.CharField(label="会商决定", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                                error_messages={"required": "请填写会商决定"})
    held_at = MomentField("会商时间")


class OrderForm(forms.Form):
    recipients = forms.CharField(label="接收单位", max_length=300, error_messages={"required": "请填写接收单位"})
    content = forms.CharField(label="指令内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "请填写指令内容"})


class AnswerForm(forms.Form):
    post = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    answerer = forms.CharField(label="应答人", max_length=64, error_messages={"required": "请填写应答人"})


class CloseForm(forms.Form):
    summary = forms.CharField(label="事件总结", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "请填写事件总结"})


class DispatchForm(forms.Form):
    """A depot, up to five stock lines and the teams, to a point (picked on the map)."""

    LINES = 5

    depot = forms.ModelChoiceField(label="出发仓库", queryset=SupplyDepot.objects.all(),
                                   error_messages={"required": "请选择仓库", "invalid_choice": "仓库不存在"})
    teams = forms.ModelMultipleChoiceField(label="队伍", queryset=RescueTeam.objects.all(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    lon = forms.FloatField(label="目的地经度", min_value=-180, max_value=180,
                           error_messages={"required": "请在地图上点选目的地或填写经纬度"})
    lat = forms.FloatField(label="目的地纬度", min_value=-90, max_value=90,
                           error_messages={"required": "请在地图上点选目的地或填写经纬度"})
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial=DEFAULT_CRS)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [("", "（物资）")] + [(c, f"{n}（{c}）") for c, n in
                                    StockItem.objects.order_by("code").values_list("code", "name").distinct()]
        for i in range(self.LINES):
            self.fields[f"item_{i}"] = forms.ChoiceField(label=f"物资 {i + 1}", choices=codes, required=False)
            wrong = f"第 {i + 1} 项数量必须是正整数"
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=f"数量 {i + 1}", min_value=1, required=False,
                error_messages={"min_value": wrong, "invalid": wrong})

    def clean(self):
        data = super().clean()
        lines = []
        for i in range(self.LINES):
            code, quantity = data.get(f"item_{i}"), data.get(f"quantity_{i}")
            if code and not quantity:
                self.add_error(f"quantity_{i}", f"第 {i + 1} 项请填写数量")
            elif quantity and not code:
                self.add_error(f"item_{i}", f"第 {i + 1} 项请选择物资")
            elif code:
                lines.append({"item_code": code, "quantity": quantity})
        data["items"] = lines
        return data

    def line_fields(self):
        return [(self[f"item_{i}"], self[f"quantity_{i}"]) for i in range(self.LINES)]


def now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")
