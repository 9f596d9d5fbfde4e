"""GeoJSON encoded by PostGIS: one query builds the whole FeatureCollection.

Serialising features in Python (e.g. the drf-gis serializer) costs far more for large
layers (bench/RESULTS.md); here Python only forwards bytes. Sources are ORM querysets, so the scope rule and
filters stay in selectors and the SQL below only wraps them.

Where PostgreSQL 15 spends the time per feature (perf, 10k enterprise points): not in the
geometry (ST_AsGeoJSON of a point is cheap) but in json_build_object, which looks up the
type of every argument in the catalogue caches on every row, and in the
copies of the growing text. So each value is turned into JSON text the cheapest way its type
allows (see _properties_sql); the document is concatenated as text, never parsed as json.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FieldError
from django.db import connection, models
from django.db.models import QuerySet
from psycopg.adapt import Loader

from .prepared import prepared_cursor

EMPTY_COLLECTION = '{"type": "FeatureCollection", "features": []}'

# Django fields (exact classes: a subclass may store something else) whose values are JSON
# strings, escaped by json_object, and those whose PostgreSQL text form is their JSON text.
_TEXT_FIELDS = (models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField)
_LITERAL_FIELDS = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
                   models.PositiveIntegerField, models.PositiveBigIntegerField, models.PositiveSmallIntegerField,
                   models.AutoField, models.BigAutoField, models.SmallAutoField, models.BooleanField)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _output_field(queryset: QuerySet, name: str):
    """The Django field of a column of the values() query, or None if it cannot be told."""
    try:
        if name in queryset.query.annotations:
            return queryset.query.annotations[name].output_field
        field = queryset.model._meta.get_field(name)
    except (FieldError, FieldDoesNotExist, AttributeError):
        return None
    return None if field.is_relation else field


def _kind(field) -> str:
    if type(field) in _TEXT_FIELDS:
        return "text"
    if type(field) in _LITERAL_FIELDS:
        return "literal"
    return "json"


def _value_sql(column: str, kind: str) -> str:
    """JSON text of a non-string value, 'null' for NULL."""
    if kind == "literal":  # 42, true: the text form is the JSON form
        return f"COALESCE({column}::text, 'null')"
    return f"COALESCE(to_json({column})::text, 'null')"


def _properties_sql(properties: Sequence[str], kinds: dict[str, str]) -> str:
    """The properties object as JSON text.

    The string values go into one json_object(text[]), which escapes them without the
    per-argument type look-ups of json_build_object; the others (literals or to_json) come
    first, then json_object's text without its opening brace. right(x, -1) drops one
    character in constant time (left(x, -1) counts every character of multibyte text).
    json_object writes '{"k" : "v", ...}', the layout of json_build_object. Keys keep their
    declared order within each group; a JSON object has no order anyway.
    """
    texts = [p for p in properties if kinds[p] == "text"]
    others = [f"""'"{p}" : ' || {_value_sql(f"t.{_quote(p)}", kinds[p])}""" for p in properties
              if kinds[p] != "text"]
    if not texts:
        return "'{' || " + (" || ', ' || ".join(others) if others else "''") + " || '}'"
    pairs = ", ".join(f"'{p}', t.{_quote(p)}::text" for p in texts)
    strings = f"json_object(ARRAY[{pairs}]::text[])::text"
    if not others:
        return strings
    return "'{' || " + " || ', ' || ".join(others) + f" || ', ' || right({strings}, -1)"


def _feature_sql(queryset: QuerySet, geom: str, properties: Sequence[str], id_field: str, precision: int,
                 flip_axes: bool = False) -> str:
    """One feature as JSON text. Concatenated as text: casting ST_AsGeoJSON to json (to nest
    it with json_build_object) re-parses every geometry, which cost more than encoding it.
    `flip_axes`: latitude first, for a coordinate system whose first axis is north (EPSG:4490)."""
    kinds = {name: _kind(_output_field(queryset, name)) for name in (id_field, *properties)}
    geometry = f"t.{_quote(geom)}"
    if flip_axes:
        geometry = f"ST_FlipCoordinates({geometry})"
    return (f"""'{{"type": "Feature", "id": ' || {_value_sql(f"t.{_quote(id_field)}", kinds[id_field])}"""
            f""" || ', "geometry": ' || COALESCE(ST_AsGeoJSON({geometry}, {int(precision)}), 'null')"""
            f""" || ', "properties": ' || {_properties_sql(properties, kinds)} || '}}'""")


def feature_sql(queryset: QuerySet, *, geom: str, properties: Sequence[str], id_field: str = "id",
                precision: int = 6, flip_axes: bool = False) -> str:
    """The SQL expression of one feature's JSON text over the row `t` of `queryset.values(id,
    geom, *properties)`, for callers that wrap the rows themselves (pages of features)."""
    return _feature_sql(queryset, geom, properties, id_field, precision, flip_axes)


def feature_collection_sql(queryset: QuerySet, *, geom: str, properties: Sequence[str],
                           id_field: str = "id", precision: int = 6) -> tuple[str, tuple]:
    columns = [id_field, geom, *properties]
    # Features of a collection have no order; sorting them cost a tenth of the encoding.
    inner_sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    sql = f"""
        SELECT '{{"type": "FeatureCollection", "features": ['
               || COALESCE(string_agg({_feature_sql(queryset, geom, properties, id_field, precision)}, ', '), '')
               || ']}}'
        FROM ({inner_sql}) AS t"""
    return sql, params


class _Utf8Bytes(Loader):
    """text as the bytes the server sent (the connection's encoding is UTF-8): a layer of
    megabytes is neither decoded into str nor encoded back for the response."""

    def load(self, data) -> bytes:
        return bytes(data)


def feature_collection(queryset: QuerySet, **kwargs) -> str:
    return feature_collection_bytes(queryset, **kwargs).decode()


def feature_collection_bytes(queryset: QuerySet, **kwargs) -> bytes:
    """The FeatureCollection as UTF-8 bytes, ready for the response body."""
    try:
        sql, params = feature_collection_sql(queryset, **kwargs)
    except EmptyResultSet:  # e.g. queryset.none(): nothing to ask the database
        return EMPTY_COLLECTION.encode()
    return run_feature_collection_sql(sql, params)


def run_feature_collection_sql(sql: str, params, *, prepare: bool = False) -> bytes:
    """The FeatureCollection of a statement from feature_collection_sql, as UTF-8 bytes.
    `prepare` for a statement that will run again (preparing a one-off costs a round trip)."""
    return fetch_row_bytes(sql, params, prepare=prepare)[0]


def fetch_row_bytes(sql: str, params, *, prepare: bool = False) -> tuple | None:
    """The first row of a statement (None if it gives none), its text columns as the UTF-8
    bytes the server sent: for statements that encode features (see feature_sql)."""
    with (prepared_cursor() if prepare else connection.cursor()) as cursor:
        cursor.cursor.adapters.register_loader("text", _Utf8Bytes)
        cursor.execute(sql, params)
        return cursor.fetchone()


def stream_feature_collection(queryset: QuerySet, *, geom: str, properties: Sequence[str],
                              id_field: str = "id", precision: int = 6, batch: int = 2000):
    """Yield a FeatureCollection in pieces: PostGIS encodes each feature, a server-side
    cursor hands them over in batches, so neither side holds the whole document."""
    columns = [id_field, geom, *properties]
    try:
        inner_sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    except EmptyResultSet:
        yield EMPTY_COLLECTION
        return
    sql = f"SELECT {_feature_sql(queryset, geom, properties, id_field, precision)} FROM ({inner_sql}) AS t"
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch):
            chunk = ",".join(row[0] for row in rows)
            yield chunk if first else "," + chunk
            first = False
    yield "]}"
