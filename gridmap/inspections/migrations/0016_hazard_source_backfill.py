"""Fill Hazard.source from what each existing hazard came from: a report (举报核查), a grid
officer's patrol (a patrol inspection, or a lead / dismissed lead registered by an officer
without one), otherwise the bureau's inspection (the field's default)."""

from django.db import migrations
from django.db.models import Q


def backfill(apps, schema_editor):
    Hazard = apps.get_model("inspections", "Hazard")
    Hazard.objects.filter(report__isnull=False).update(source="report")
    Hazard.objects.filter(report__isnull=True).filter(
        Q(inspection__kind="patrol") | Q(inspection__isnull=True, status__in=("lead", "dismissed"))
    ).update(source="patrol")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0015_self_inspections_hazard_source")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
