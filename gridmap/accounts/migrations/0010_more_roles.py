"""Three roles of this round: law-enforcement staff (执法人员, who carry certificates and do
supervision inspections), the machine accounts of station data loggers (gauge_feed) and
enterprise users (企业自查自纠)."""

from django.db import migrations

NEW_ROLES = ("law_enforcement", "gauge_feed", "enterprise")


def create_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    for name in NEW_ROLES:
        group_model.objects.get_or_create(name=name)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=NEW_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_device_token")]
    operations = [migrations.RunPython(create_roles, delete_roles)]
