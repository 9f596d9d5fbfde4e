from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from gridmap.geo.coords import CRS_CHOICES, DEFAULT_CRS
from gridmap.grids.models import Grid, GridAssignment


class UsernameField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = get_user_model().objects.filter(username=value.strip()).first()
        if user is None:
            raise forms.ValidationError(f"用户 {value} 不存在")
        return user


class CellCodesField(forms.CharField):
    def clean(self, value):
        codes = [c for c in (super().clean(value) or "").replace("，", ",").split(",") if c.strip()]
        codes = [c.strip() for c in codes]
        grids = list(Grid.objects.filter(code__in=codes))
        missing = set(codes) - {g.code for g in grids}
        if not codes:
            raise forms.ValidationError("请先在地图上选择网格")
        if missing:
            raise forms.ValidationError(f"网格不存在：{'、'.join(sorted(missing))}")
        return grids


class AssignForm(forms.Form):
    cells = CellCodesField(label="网格")
    username = UsernameField(label="人员（用户名）")
    role = forms.ChoiceField(label="职责", choices=GridAssignment.Role.choices)
    valid_from = forms.DateField(label="起始日期", required=False)
    valid_to = forms.DateField(label="结束日期", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class MoveForm(forms.Form):
    to_cell = CellCodesField(label="调往网格")
    on = forms.DateField(label="生效日期", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReplaceForm(forms.Form):
    username = UsernameField(label="接替人（用户名）")
    on = forms.DateField(label="生效日期", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class EndForm(forms.Form):
    last_day = forms.DateField(label="最后一天", required=False)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RosterForm(forms.Form):
    roster = forms.FileField(label="名册文件（CSV 或 Excel）")
    dry_run = forms.BooleanField(label="仅检查，不写入", required=False)

    MAX_BYTES = 5 * 1024 * 1024

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("只接受 .csv 或 .xlsx 文件")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("名册文件不能超过 5 MB")
        return upload


class PatrolForm(forms.Form):
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial=DEFAULT_CRS)
    patrolled_at = forms.DateTimeField(label="巡查时间", required=False,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    visited = forms.CharField(label="走访单位/地点", max_length=300, required=False)
    enterprise = forms.IntegerField(label="走访企业", required=False, min_value=1)
    notes = forms.CharField(label="巡查情况", max_length=4000, required=False, widget=forms.Textarea)
    track = forms.CharField(required=False, widget=forms.HiddenInput)


class _EnforcementRecordForm(forms.Form):
    """The enterprise is named as on the documents page (its number or credit code) and found
    by the view's `find_enterprise`, in the user's scope; the date may not lie ahead (the
    service refuses it)."""

    enterprise = forms.CharField(label="企业（企业编号或统一社会信用代码）", max_length=32)
    note = forms.CharField(label="说明", max_length=300, required=False)
    date_field = ""

    def __init__(self, *args, today, find_enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_enterprise = find_enterprise
        self.fields[self.date_field].widget.attrs["max"] = today.isoformat()

    def clean_enterprise(self):
        try:
            return self.find_enterprise(self.cleaned_data["enterprise"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("enterprise", exc.messages)) from None


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class ExposureForm(_EnforcementRecordForm):
    exposed_on = _date_field("曝光日期")
    medium = forms.CharField(label="曝光媒体", max_length=100)
    date_field = "exposed_on"
    field_order = ["enterprise", "exposed_on", "medium", "note"]


class SummonsForm(_EnforcementRecordForm):
    held_on = _date_field("约谈日期")
    people = forms.IntegerField(label="约谈人数", min_value=1, max_value=1000, initial=1)
    date_field = "held_on"
    field_order = ["enterprise", "held_on", "people", "note"]
