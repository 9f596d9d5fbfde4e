from django.contrib.gis.db import models


class River(models.Model):
    name = models.CharField("名称", max_length=64)
    channel = models.CharField("河段", max_length=200, blank=True)
    district_code = models.CharField("区划代码", max_length=12, db_index=True)
    geom = models.MultiLineStringField("河道线", srid=4326)
    length_m = models.FloatField("长度 (m)")

    class Meta:
        verbose_name = "河流"
        verbose_name_plural = "河流"
        ordering = ["name", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["district_code", "name", "channel"], name="river_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}{f'（{self.channel}）' if self.channel else ''}"
