"""Bureau staff and grid officers get role names that no grid duty shares: the group
"supervisor" becomes "bureau_staff" and "officer" becomes "grid_officer" (members kept)."""

from django.db import migrations

RENAMES = (("supervisor", "bureau_staff"), ("officer", "grid_officer"))


def _rename(apps, pairs):
    group_model = apps.get_model("auth", "Group")
    for old, new in pairs:
        group = group_model.objects.filter(name=old).first()
        if group is None:
            continue
        existing = group_model.objects.filter(name=new).first()
        if existing is None:
            group.name = new
            group.save(update_fields=["name"])
        else:
            # Both names in use: the members of the old group join the new one.
            existing.user_set.add(*group.user_set.all())
            existing.permissions.add(*group.permissions.all())
            group.delete()


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, [(new, old) for old, new in RENAMES])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_user_staff_data_version"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
