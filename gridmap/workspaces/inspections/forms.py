"""The forms of the inspection pages. They check what a field can say on its own (a date,
a number, a choice); the rules of the work (who may sign, what a major hazard needs, which
enterprise a user may name) are the services' and selectors', the same ones the API's
serializers call, so the same bad input gets the same message from the page and the API."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from gridmap.geo.coords import CRS_CHOICES, DEFAULT_CRS
from gridmap.inspections import selectors, services
from gridmap.inspections.criteria import checklist_for
from gridmap.inspections.models import EnforcementDocument, Hazard, Inspection, InspectionTask, LegalReview, Report
from gridmap.inspections.services import HazardFound

YES_NO = [("1", "是"), ("0", "否")]


def field_refusal(exc: ValidationError, field: str) -> ValidationError:
    """A service's or selector's refusal of one field, as that field's own error."""
    return ValidationError(exc.message_dict.get(field, exc.messages) if hasattr(exc, "error_dict")
                           else exc.messages)


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           **kwargs)


def yes_no(label: str, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "1", **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos under one name (the service checks their kind, size and number)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(label="照片", required=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class EnterpriseRefForm(forms.Form):
    """A form naming an enterprise by its number or credit code, found in the user's scope by
    the selector the API uses too."""

    enterprise = forms.CharField(label="企业（企业编号或统一社会信用代码）", max_length=32)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_enterprise(self):
        try:
            return selectors.enterprise_named(self.user, self.cleaned_data["enterprise"])
        except ValidationError as exc:
            raise field_refusal(exc, "enterprise") from None


# --- tasks and inspections -------------------------------------------------------------------

class InspectorsField(forms.CharField):
    """The law-enforcement staff of a supervision inspection or re-inspection, by username,
    separated by commas (who may inspect is the service's rule)."""

    def __init__(self, **kwargs):
        super().__init__(label="执法人员（用户名，逗号分隔；至少 2 名持有效执法证）", max_length=400,
                         required=False, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text.strip():
            return []
        try:
            return services.inspectors_named(text)
        except ValidationError as exc:
            raise field_refusal(exc, "inspectors") from None


class TaskActionForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, required=False)
    cannot_reason = forms.ChoiceField(label="无法检查的原因", required=False,
                                      choices=[("", "—"), *InspectionTask.CannotReason.choices])


class InspectionForm(forms.Form):
    """An inspection on a task: one choice per checklist item of the enterprise's industry,
    findings, position, photos, and the hazard found, if any."""

    findings = forms.CharField(label="检查情况", max_length=4000, required=False)
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90, required=False)
    photos = PhotosField()
    hazard_description = forms.CharField(label="隐患描述", max_length=2000, required=False)
    hazard_level = forms.CharField(label="等级", max_length=16, initial=Hazard.Level.GENERAL, required=False)
    criterion_code = forms.CharField(label="判定依据", max_length=32, required=False)
    measures = forms.CharField(label="整改措施", max_length=2000, required=False)
    deadline = date_field("整改期限", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[
        ("", "按任务"), (Inspection.Kind.PATROL, "巡查"), (Inspection.Kind.ROUTINE, "监督检查")])
    inspectors = InspectorsField()

    def __init__(self, *args, task: InspectionTask, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [c.code for c in checklist_for(task.enterprise)]
        for code in self.codes:
            # The result is checked by the service, with the message the API gives.
            self.fields[f"item_{code}"] = forms.CharField(label=code, max_length=16, required=False)

    def clean(self) -> dict:
        """The data as `services.inspection_record` takes it: checklist items and a hazard."""
        data = super().clean()
        if self.errors:
            return data
        hazard = None
        if data["hazard_description"].strip():
            hazard = HazardFound(description=data["hazard_description"], deadline=data["deadline"],
                                 level=data["hazard_level"] or Hazard.Level.GENERAL,
                                 criterion_code=data["criterion_code"], measures=data["measures"])
        items = [{"code": code, "result": data[f"item_{code}"]} for code in self.codes if data[f"item_{code}"]]
        return {"items": items, "findings": data["findings"], "lon": data["lon"], "lat": data["lat"],
                "photos": data["photos"], "hazard": hazard, "kind": data["kind"] or None,
                "inspectors": data["inspectors"]}


# --- hazards ---------------------------------------------------------------------------------

class RectifyForm(forms.Form):
    measures = forms.CharField(label="整改措施", max_length=2000, required=False)


class ReinspectForm(forms.Form):
    findings = forms.CharField(label="复查情况", max_length=4000, required=False)
    photos = PhotosField()
    passed = yes_no("复查合格")
    inspectors = InspectorsField()


class CloseForm(forms.Form):
    on = date_field("销号日期", required=False)


class ConfirmForm(forms.Form):
    level = forms.ChoiceField(label="隐患等级", choices=Hazard.Level.choices)
    criterion_code = forms.CharField(label="判定依据（重大隐患必填）", max_length=32, required=False)
    deadline = date_field("整改期限", required=False)
    measures = forms.CharField(label="整改措施", max_length=2000, required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(label="线索不成立的理由", max_length=300)


# --- reports ---------------------------------------------------------------------------------

class ReportForm(forms.Form):
    source = forms.ChoiceField(label="来源", choices=Report.Source.choices, required=False)
    description = forms.CharField(label="举报内容", max_length=2000)
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90)
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, required=False)
    reporter_name = forms.CharField(label="举报人", max_length=64, required=False)
    reporter_phone = forms.CharField(label="电话", max_length=32, required=False)
    photos = PhotosField()

    def clean_source(self):
        return self.cleaned_data["source"] or Report.Source.PUBLIC

    def clean_crs(self):
        return self.cleaned_data["crs"] or DEFAULT_CRS


class ReportHandleForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=Report.Status.choices)
    result = forms.CharField(label="处理结果", max_length=2000, required=False)


# --- the annual plan -------------------------------------------------------------------------

class PlanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2999)
    key_visits_target = forms.IntegerField(label="重点企业户次", min_value=0, required=False)
    general_visits_target = forms.IntegerField(label="一般企业抽查户次", min_value=0, required=False)

    def clean_general_visits_target(self):
        return self.cleaned_data["general_visits_target"] or 0


# --- enforcement documents -------------------------------------------------------------------

class UsernamesField(forms.MultipleChoiceField):
    """People named by username, chosen from a list the view gives (certificate holders);
    who may sign is the service's rule, so a name outside the list is not refused here."""

    def valid_value(self, value):
        return True


class DocumentForm(EnterpriseRefForm):
    kind = forms.ChoiceField(label="种类", choices=EnforcementDocument.Kind.choices)
    number = forms.CharField(label="文书编号", max_length=64)
    signers = UsernamesField(label="执法人员（持有效执法证）")
    fine_amount = forms.DecimalField(label="罚款金额（元）", max_digits=12, decimal_places=2, min_value=0,
                                     required=False)
    production_stop = forms.BooleanField(label="责令停产停业", required=False)
    equipment_out_of_use = forms.IntegerField(label="责令暂时停止使用设备（台套，现场处理措施决定书）",
                                              min_value=0, max_value=100000, required=False)
    equipment_sealed = forms.IntegerField(label="查封扣押（台套，查封扣押决定书）", min_value=0, max_value=100000,
                                          required=False)
    hazard = forms.IntegerField(label="隐患编号", min_value=1, required=False, widget=forms.HiddenInput)
    content = forms.CharField(label="文书内容", max_length=4000, required=False)
    issued_on = date_field("文书日期", required=False)

    def clean_signers(self):
        try:
            return services.signers_named(self.cleaned_data["signers"])
        except ValidationError as exc:
            raise field_refusal(exc, "signers") from None

    def clean(self):
        data = super().clean()
        data["fine_amount"] = data.get("fine_amount") or 0
        data["equipment_sealed"] = data.get("equipment_sealed") or 0
        data["equipment_out_of_use"] = data.get("equipment_out_of_use") or 0
        hazard = data.get("hazard")
        data["hazard"] = None
        if hazard and not self.errors:
            # The hazard the document answers (an order to rectify an overdue one), in scope.
            data["hazard"] = selectors.hazard_in_scope(self.user, hazard)
            if data["hazard"] is None:
                self.add_error("hazard", f"隐患 #{hazard} 不存在或无权查看")
        return data


class LegalReviewForm(forms.Form):
    """The four checks (each passed or failed, with a note), the conclusion and the opinion."""

    reviewed_on = date_field("审核日期")
    approved = yes_no("审核通过")
    opinion = forms.CharField(label="审核意见", max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in LegalReview.CHECKS:
            self.fields[f"{name}_passed"] = yes_no(f"{label}合法")
            self.fields[f"{name}_note"] = forms.CharField(label=f"{label}说明", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        checks = {name: services.ReviewCheck(passed=data.pop(f"{name}_passed"), note=data.pop(f"{name}_note"))
                  for name, _label in LegalReview.CHECKS}
        return {**data, "checks": checks}


class IssueForm(forms.Form):
    issued_on = date_field("文书日期")


# --- public exposures (公开曝光) and summons (约谈) --------------------------------------------

class _EnforcementRecordForm(EnterpriseRefForm):
    """The enterprise is named as on the documents page; the date may not lie ahead (the
    service refuses it)."""

    note = forms.CharField(label="说明", max_length=300, required=False)
    date_field = ""

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.date_field].widget.attrs["max"] = today.isoformat()


class ExposureForm(_EnforcementRecordForm):
    exposed_on = date_field("曝光日期")
    medium = forms.CharField(label="曝光媒体", max_length=100)
    date_field = "exposed_on"
    field_order = ["enterprise", "exposed_on", "medium", "note"]


class SummonsForm(_EnforcementRecordForm):
    held_on = date_field("约谈日期")
    people = forms.IntegerField(label="约谈人数", min_value=1, max_value=1000, initial=1)
    date_field = "held_on"
    field_order = ["enterprise", "held_on", "people", "note"]
