"""The encoder turns each property into JSON by its type (json_object for strings, the text
form for integers and booleans, to_json for the rest): the values must come out as
json_build_object wrote them, whatever the text holds and in any order of properties."""

import json
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db.models import BooleanField, CharField, DateField, DecimalField, FloatField, IntegerField, Value
from django.db.models.functions import Cast

from gridmap.core.geojson import feature_collection, feature_collection_bytes, stream_feature_collection
from gridmap.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

AWKWARD = 'a "quoted" \\ back\\slash, 换行\n制表\t控制\x01 and {braces} 企业'


def make(credit_code: str, name: str) -> Enterprise:
    return Enterprise.objects.create(name=name, credit_code=credit_code, location=Point(116.9, 38.9, srid=4326),
                                     industry_code="3130", industry_name="钢压延加工", district_code="120118")


@pytest.mark.parametrize("properties", [
    ("name", "count", "flag", "missing_text", "ratio", "price", "day", "address"),
    ("count", "name", "price", "missing_text", "flag"),  # a non-string first
    ("name", "address", "missing_text"),                  # strings only
    ("count", "flag", "ratio"),                           # no strings
    (),
])
def test_every_kind_of_value_is_encoded_as_json_build_object_did(properties):
    make("91120118MA07TEST1X", AWKWARD)
    make("91120118MA07TEST2X", "")
    queryset = Enterprise.objects.filter(credit_code__startswith="91120118MA07TEST").annotate(
        count=Value(7, output_field=IntegerField()),
        flag=Cast("hazardous_chemicals", BooleanField()),
        missing_text=Value(None, output_field=CharField()),
        ratio=Value(0.25, output_field=FloatField()),
        price=Value(Decimal("12.50"), output_field=DecimalField(max_digits=6, decimal_places=2)),
        day=Cast(Value("2026-11-29"), DateField()),
    )
    body = json.loads(feature_collection(queryset, geom="location", properties=properties))
    streamed = json.loads("".join(stream_feature_collection(queryset, geom="location", properties=properties)))
    assert json.loads(feature_collection_bytes(queryset, geom="location", properties=properties)) == body
    expected = {
        "name": None, "count": 7, "flag": False, "missing_text": None, "ratio": 0.25, "price": 12.5,
        "day": "2026-11-29", "address": "",
    }
    features = sorted(body["features"], key=lambda f: f["id"])
    assert [f["id"] for f in features] == sorted(queryset.values_list("id", flat=True))
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [116.9, 38.9]}
    names = [AWKWARD, ""]
    for feature, name in zip(features, names, strict=True):
        assert feature["properties"] == {p: name if p == "name" else expected[p] for p in properties}
    assert sorted(streamed["features"], key=lambda f: f["id"]) == features


def test_a_text_id_is_quoted():
    make("91120118MA07TEST3X", "甲")
    queryset = Enterprise.objects.filter(credit_code="91120118MA07TEST3X")
    body = json.loads(feature_collection(queryset, geom="location", properties=("name",), id_field="credit_code"))
    assert body["features"][0]["id"] == "91120118MA07TEST3X"


def test_an_empty_queryset_is_an_empty_collection():
    assert json.loads(feature_collection_bytes(Enterprise.objects.none(), geom="location", properties=("name",))) == {
        "type": "FeatureCollection", "features": []}
