"""Each station's state as a view (flood_stationstate): the latest reading by time and the 24 h
rain sum up to it, each read once per station through LATERAL joins on the readings' index
(which now carries the value, so both are index-only). The thresholds are the station's
(GB/T 28592-2012 for rain: ≥ warning_level → warning, ≥ guarantee_level → danger; water
level: above 警戒水位 → warning, above 保证水位 → danger). The 24 hours are
gridmap.flood.gauges.RAIN_WINDOW (a test checks they agree)."""

import django.db.models.deletion
from django.db import migrations, models

STATION_STATE_VIEW = """
CREATE VIEW flood_stationstate AS
SELECT s.id AS station_id, l.time AS latest_time, l.value AS latest_value, rain.mm AS rain_24h_mm,
       CASE WHEN s.kind = 'rain' THEN rain.mm ELSE l.value END AS measure,
       CASE
         WHEN l.time IS NULL THEN 'normal'
         WHEN s.kind = 'rain' THEN CASE WHEN rain.mm >= s.guarantee_level THEN 'danger'
                                        WHEN rain.mm >= s.warning_level THEN 'warning'
                                        ELSE 'normal' END
         WHEN l.value > s.guarantee_level THEN 'danger'
         WHEN l.value > s.warning_level THEN 'warning'
         ELSE 'normal'
       END::varchar(8) AS state
FROM flood_station s
LEFT JOIN LATERAL (
    SELECT r.time, r.value FROM flood_reading r WHERE r.station_id = s.id ORDER BY r.time DESC LIMIT 1
) l ON true
LEFT JOIN LATERAL (
    SELECT round(sum(r.value)::numeric, 1)::float8 AS mm FROM flood_reading r
    WHERE s.kind = 'rain' AND r.station_id = s.id AND r.time <= l.time AND r.time > l.time - interval '24 hours'
) rain ON true
"""


class Migration(migrations.Migration):

    dependencies = [
        ('flood', '0007_live_picture_versions'),
    ]

    operations = [
        migrations.CreateModel(
            name='StationState',
            fields=[
                ('station', models.OneToOneField(db_column='station_id', on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='live', serialize=False, to='flood.station', verbose_name='测站')),
                ('latest_time', models.DateTimeField(null=True, verbose_name='最新观测时间')),
                ('latest_value', models.FloatField(null=True, verbose_name='最新读数')),
                ('rain_24h_mm', models.FloatField(null=True, verbose_name='24 小时雨量 (mm)')),
                ('measure', models.FloatField(null=True, verbose_name='比较值')),
                ('state', models.CharField(max_length=8, verbose_name='状态')),
            ],
            options={
                'verbose_name': '测站状态',
                'verbose_name_plural': '测站状态',
                'db_table': 'flood_stationstate',
                'managed': False,
            },
        ),
        migrations.RemoveIndex(
            model_name='reading',
            name='reading_latest',
        ),
        migrations.AddIndex(
            model_name='reading',
            index=models.Index(fields=['station', '-time'], include=('value',), name='reading_latest_value'),
        ),
        migrations.RunSQL(STATION_STATE_VIEW, "DROP VIEW flood_stationstate"),
    ]
