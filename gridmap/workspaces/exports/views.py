"""我的导出: the user's exports with their progress, download and expiry, and a form to ask
for another (built by a worker, gridmap.jobs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from gridmap.jobs.models import Export
from gridmap.jobs.selectors import exports_of
from gridmap.jobs.services import export_request

from .forms import ExportForm


@login_required
def my_exports(request):
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                export_request(requester=request.user, kind=data["kind"], fmt=data["fmt"],
                               filters={"grid": data["grid"]} if data["grid"] else {})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(None, f"{field}：{'；'.join(errors)}")
        else:
            messages.success(request, "已提交导出申请，后台生成中。")
            return redirect("exports:mine")
    exports = list(exports_of(request.user)[:100])
    working = any(e.status in (Export.Status.QUEUED, Export.Status.RUNNING) for e in exports)
    return render(request, "exports/mine.html", {"form": form, "exports": exports, "working": working})
