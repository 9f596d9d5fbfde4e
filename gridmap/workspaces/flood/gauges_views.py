"""The readings upload page (CSV through the same service as the API)."""

from __future__ import annotations

from django.shortcuts import render

from gridmap.accounts.capabilities import FEED_READINGS, capability_required
from gridmap.flood.ingest import MAX_BATCH, ReadingsRefused, readings_record

from .forms import ReadingsUploadForm

# The CSV's first line is its header: row index 0 is line 2 of the file.
FIRST_DATA_LINE = 2


@capability_required(FEED_READINGS)
def readings_upload(request):
    form = ReadingsUploadForm(request.POST or None, request.FILES or None)
    context, status = {"form": form, "max_batch": MAX_BATCH}, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = readings_record(actor=request.user, rows=form.cleaned_data["file"])
            except ReadingsRefused as exc:
                status = 400
                context["errors"] = [{"line": e.index + FIRST_DATA_LINE, "field": e.field, "message": e.message}
                                     for e in exc.errors[:200]]
                context["error_count"] = len(exc.errors)
            else:
                context["result"] = result
        else:
            status = 400
    return render(request, "workspaces/flood_readings_upload.html", context, status=status)
