"""Forms of the enterprise user's pages (input never read from request.POST by hand)."""

from django import forms

from gridmap.enterprises.models import CHANGEABLE_FIELDS, EnterpriseAccount, RiskPoint

from ..inspections.forms import PhotosField


def self_check_form(items: list[dict]) -> type[forms.Form]:
    """One result (正常 / 发现隐患, or left out), one note and the hazard's photos per check item
    (photo_<code>, the name the API takes them under)."""
    fields = {}
    for item in items:
        fields[f"result-{item['code']}"] = forms.ChoiceField(
            label=item["code"], required=False, choices=[("", "未查"), ("ok", "正常"), ("hazard", "发现隐患")])
        fields[f"note-{item['code']}"] = forms.CharField(label="情况说明", required=False, max_length=1000)
        fields[f"photo_{item['code']}"] = PhotosField()
    fields["client_id"] = forms.UUIDField(required=False)
    fields["checked_at"] = forms.DateTimeField(required=False)
    fields["photos"] = PhotosField()
    return type("SelfCheckForm", (forms.Form,), fields)


def checked_rows(form: forms.Form, items: list[dict]) -> list[dict]:
    data = form.cleaned_data
    return [{"code": i["code"], "result": data[f"result-{i['code']}"], "note": data[f"note-{i['code']}"]}
            for i in items if data.get(f"result-{i['code']}")]


def item_photos(form: forms.Form, items: list[dict]) -> dict[str, list]:
    """Each item's own photos by code (the service refuses photos on an item found ok)."""
    data = form.cleaned_data
    return {i["code"]: data[f"photo_{i['code']}"] for i in items if data.get(f"photo_{i['code']}")}


class RectifiedForm(forms.Form):
    measures = forms.CharField(label="整改措施", max_length=2000)
    rectified_on = forms.DateField(label="整改完成日期")
    photos = PhotosField()


class ActivateForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    code = forms.CharField(label="一次性登录码", max_length=16)
    password = forms.CharField(label="密码", max_length=128, strip=False)


class AccountForm(forms.Form):
    duty = forms.ChoiceField(label="职责", choices=EnterpriseAccount.Duty.choices,
                             initial=EnterpriseAccount.Duty.SAFETY_CONTACT)


class ChangeForm(forms.Form):
    """One field of one risk point, its new value and why."""

    risk_point = forms.TypedChoiceField(label="风险点", coerce=int)
    field = forms.ChoiceField(label="变更项目", choices=[(f, RiskPoint._meta.get_field(f).verbose_name)
                                                     for f in CHANGEABLE_FIELDS])
    value = forms.CharField(label="新内容", max_length=2000, required=False)
    reason = forms.CharField(label="变更说明", max_length=500, required=False)

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk_point"].choices = [(p.pk, f"{p.number}. {p.name}") for p in points]


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见", max_length=300, required=False)
