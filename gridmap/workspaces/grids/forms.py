"""Forms of the grid pages: assigning officers on the map, moving, replacing and ending a
duty, and the roster upload."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

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
        grids = list(Grid.objects.current().filter(code__in=codes))
        missing = set(codes) - {g.code for g in grids}
        if not codes:
            raise forms.ValidationError("请先在地图上选择网格")
        if missing:
            raise forms.ValidationError(f"网格不存在：{'、'.join(sorted(missing))}")
        return grids


class SelectionForm(forms.Form):
    """The cells the assigning map had selected, to select them again after an action.
    Only codes are kept: the value goes back into the page's query string."""

    back_cells = forms.RegexField(regex=r"^[0-9A-Za-z,，\-]*$", max_length=4000, required=False)

    @classmethod
    def cells_of(cls, data) -> str:
        form = cls(data)
        return form.cleaned_data["back_cells"] if form.is_valid() else ""


class AssignForm(forms.Form):
    cells = CellCodesField(label="网格")
    username = UsernameField(label="人员（用户名）")
    role = forms.ChoiceField(label="职责", choices=GridAssignment.Duty.choices)
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


class AsOfForm(forms.Form):
    """The grid map "as of" a day: that day's boundaries and people on duty."""

    on = forms.DateField(label="查看日期", required=False, input_formats=["%Y-%m-%d"],
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         error_messages={"invalid": "查看日期格式应为 YYYY-MM-DD"})

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day is None:
            return None
        first = Grid.objects.aggregate(first=Min("valid_from"))["first"]
        if first is None or day < first:
            raise forms.ValidationError(f"查看日期 {day:%Y-%m-%d} 早于最早的网格版本（{first:%Y-%m-%d}）"
                                        if first else "尚无网格数据")
        if day > timezone.localdate():
            raise forms.ValidationError(f"查看日期 {day:%Y-%m-%d} 晚于今天")
        return day
