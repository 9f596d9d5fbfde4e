"""A duty on a grid gets values no account role shares: "officer" becomes "cell_officer" and
"supervisor" (of a town) "town_supervisor". The stored assignments are updated; the history
keeps the rename as an update of each (its older events keep the values of their time)."""

from django.db import migrations, models

RENAMES = (("officer", "cell_officer"), ("supervisor", "town_supervisor"))


def _rename(apps, pairs):
    assignment_model = apps.get_model("grids", "GridAssignment")
    for old, new in pairs:
        assignment_model.objects.filter(role=old).update(role=new)


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, [(new, old) for old, new in RENAMES])


class Migration(migrations.Migration):

    dependencies = [
        ('grids', '0003_data_versions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='gridassignment',
            name='role',
            field=models.CharField(choices=[('cell_officer', '网格员'), ('substitute', '代岗网格员'), ('town_supervisor', '安全监管责任人'), ('contact_leader', '联系负责人')], max_length=20, verbose_name='职责'),
        ),
        migrations.AlterField(
            model_name='gridassignmentevent',
            name='role',
            field=models.CharField(choices=[('cell_officer', '网格员'), ('substitute', '代岗网格员'), ('town_supervisor', '安全监管责任人'), ('contact_leader', '联系负责人')], max_length=20, verbose_name='职责'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
