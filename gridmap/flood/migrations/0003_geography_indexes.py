"""GiST indexes on the geography of depots and pumping stations: nearest-depot search
(`<->` on geography, KNN through the index) and "within N metres" (ST_DWithin on geography)
measure in metres on the spheroid, and use these indexes rather than the planar ones."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("flood", "0002_flood_command")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX flood_depot_geog_gist ON flood_supplydepot USING gist ((location::geography));"
            "CREATE INDEX flood_pump_geog_gist ON flood_pumpingstation USING gist ((location::geography));",
            "DROP INDEX flood_depot_geog_gist; DROP INDEX flood_pump_geog_gist;"),
    ]
