"""险情报告 on the officer's phone: the form (kept for working offline, sent through the
outbox to /api/flood/situation-reports/) and the officer's own reports. Without scripts the
form posts here and is stored the same way."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from gridmap.flood.events.models import SituationReport
from gridmap.flood.events.selectors import situation_reports_for_user
from gridmap.flood.events.services import situation_report_submit
from gridmap.geo.coords import CRS_CHOICES, DEFAULT_CRS


class SituationReportForm(forms.Form):
    kind = forms.ChoiceField(label="险情类型", choices=SituationReport.Kind.choices)
    severity = forms.ChoiceField(label="严重程度", choices=SituationReport.Severity.choices)
    description = forms.CharField(label="情况说明", max_length=2000, error_messages={"required": "请填写情况说明"})
    lon = forms.FloatField(label="经度", min_value=-180, max_value=180, error_messages={"required": "请填写位置"})
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90, error_messages={"required": "请填写位置"})
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial=DEFAULT_CRS)
    reported_at = forms.DateTimeField(label="报告时间", required=False, input_formats=["%Y-%m-%dT%H:%M"],
                                      error_messages={"invalid": "报告时间无效"})


@login_required
def situation_reports(request):
    status = 200
    if request.method == "POST":
        form = SituationReportForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("；".join(m for errors in form.errors.values() for m in errors))
            situation_report_submit(actor=request.user, photos=request.FILES.getlist("photos"), **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"未提交：{text}")
            status = 400
        else:
            messages.success(request, "险情报告已提交")
            return redirect("field:situation_reports")
    return render(request, "field/situation_reports.html", {
        "reports": situation_reports_for_user(request.user).select_related("cell", "event")[:100],
        "kinds": SituationReport.Kind.choices, "severities": SituationReport.Severity.choices,
        "crs_choices": CRS_CHOICES, "default_crs": DEFAULT_CRS}, status=status)
