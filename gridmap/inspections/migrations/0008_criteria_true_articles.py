"""Criterion codes recorded before the criteria were corrected: the special items were numbered
one article too high (dust is Art. 11 of Order No. 10, liquid ammonia Art. 12, confined
spaces Art. 13), and "M10-11-1" was the 2017 standard's 商贸 item (Order No. 10 has no 商贸
article), now "S17-11-1"."""

import re

from django.db import migrations

SPECIAL = re.compile(r"^M10-(12|13|14)-(\d+)$")


def corrected(code: str) -> str:
    if code == "M10-11-1":
        return "S17-11-1"
    match = SPECIAL.match(code)
    return f"M10-{int(match[1]) - 1}-{match[2]}" if match else code


def forwards(apps, schema_editor):
    Hazard = apps.get_model("inspections", "Hazard")
    Inspection = apps.get_model("inspections", "Inspection")
    hazards = []
    for hazard in Hazard.objects.exclude(criterion_code="").only("pk", "criterion_code").iterator():
        code = corrected(hazard.criterion_code)
        if code != hazard.criterion_code:
            hazard.criterion_code = code
            hazards.append(hazard)
    Hazard.objects.bulk_update(hazards, ["criterion_code"], batch_size=1000)
    inspections = []
    for inspection in Inspection.objects.exclude(checklist=[]).only("pk", "checklist").iterator():
        checklist = [{**item, "code": corrected(item.get("code", ""))} for item in inspection.checklist]
        if checklist != inspection.checklist:
            inspection.checklist = checklist
            inspections.append(inspection)
    Inspection.objects.bulk_update(inspections, ["checklist"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("inspections", "0007_inspection_client_id")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
