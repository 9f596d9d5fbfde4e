"""Small timing helpers: medians of repeated runs after a warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(func: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def drf_gis_serializer_for(layer):
    """The plain drf-gis serializer of a registry layer: the same properties, read from the same
    scoped queryset (annotations included), serialised feature by feature in Python."""
    from rest_framework import serializers
    from rest_framework_gis.serializers import GeoFeatureModelSerializer

    attributes = {name: serializers.ReadOnlyField() for name in layer.properties}

    def build(queryset):
        meta = type("Meta", (), {"model": queryset.model, "geo_field": layer.geom_field,
                                 "fields": ("id", *layer.properties)})
        serializer = type("LayerSerializer", (GeoFeatureModelSerializer,), {**attributes, "Meta": meta})
        return serializer(queryset, many=True).data

    return build
