from django import forms
from django.core.exceptions import ValidationError


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
