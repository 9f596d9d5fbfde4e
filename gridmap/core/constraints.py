"""Database CHECK constraints every geometry column carries, and the Chinese message a
violation turns into.

No path (form, API, importer, shell, raw SQL) may store a geometry that is invalid, empty or
not finite: one such row made every list it appears in fail (PostGIS and GEOS refuse NaN and
infinite coordinates when encoding or measuring). Absent geometry is NULL, never EMPTY.
"""

from django.db import IntegrityError
from django.db.models import BooleanField, CheckConstraint, F, FloatField, Func, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

# constraint name -> (field, message), filled as the models declare their constraints.
_MESSAGES: dict[str, tuple[str, str]] = {}


def _geometry_function(name: str, field: str, output_field) -> Func:
    return Func(F(field), function=name, output_field=output_field)


def geometry_constraints(table: str, **labels: str) -> list[CheckConstraint]:
    """Three named constraints for each geometry column of `table` (the model's db_table,
    which keeps the names unique in the database), given as column=label."""
    return [constraint for field, label in labels.items()
            for constraint in _column_constraints(table, field, label)]


def _column_constraints(table: str, field: str, label: str) -> list[CheckConstraint]:
    def bound(function: str, limit: float, lookup) -> Q:
        return Q(lookup(_geometry_function(function, field, FloatField()), limit))

    # ST_IsValid is false for a non-finite coordinate in any line, polygon or multi-point;
    # the bounding box catches a lone NaN point (PostgreSQL orders NaN above every number).
    in_range = (
        bound("ST_XMin", -180.0, GreaterThanOrEqual) & bound("ST_XMax", 180.0, LessThanOrEqual)
        & bound("ST_YMin", -90.0, GreaterThanOrEqual) & bound("ST_YMax", 90.0, LessThanOrEqual)
    )
    constraints = [
        CheckConstraint(
            condition=Q(_geometry_function("ST_IsValid", field, BooleanField())),
            name=f"{table}_{field}_valid",
            violation_error_message=f"{label}：几何图形无效（自相交、点数不足或坐标不是有限数）。",
        ),
        CheckConstraint(
            condition=~Q(_geometry_function("ST_IsEmpty", field, BooleanField())),
            name=f"{table}_{field}_not_empty",
            violation_error_message=f"{label}：几何图形不能为空。",
        ),
        CheckConstraint(
            condition=in_range,
            name=f"{table}_{field}_finite",
            violation_error_message=f"{label}：坐标必须是经度 -180～180、纬度 -90～90 之间的有限数。",
        ),
    ]
    for constraint in constraints:
        _MESSAGES[constraint.name] = (field, str(constraint.violation_error_message))
    return constraints


def check_violation(error: IntegrityError) -> tuple[str, str] | None:
    """(field, Chinese message) of the geometry constraint the database refused, or None when
    the error is something else (a unique or foreign-key violation, another constraint)."""
    diag = getattr(error.__cause__, "diag", None)
    if getattr(diag, "sqlstate", None) != "23514":
        return None
    return _MESSAGES.get(getattr(diag, "constraint_name", None) or "")


def _violations(column: str) -> str:
    return (f"(NOT ST_IsValid({column}) OR ST_IsEmpty({column}) OR ST_XMin({column}) < -180"
            f" OR ST_XMax({column}) > 180 OR ST_YMin({column}) < -90 OR ST_YMax({column}) > 90)")


def repair_or_report(connection, table: str, columns: tuple[str, ...]) -> list[str]:
    """Before the constraints are added: repair what can be repaired in rows that break them
    (an empty geometry where NULL is allowed becomes NULL; a self-intersecting polygon with
    finite coordinates goes through ST_MakeValid), print what was repaired, and refuse with
    the table, column and ids of every row that cannot be repaired (a NaN or infinite
    coordinate, a line of one point): those need a person to decide. Returns the repairs."""
    repairs, broken = [], []
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(
                "SELECT c.is_nullable = 'YES', g.type FROM information_schema.columns c"
                " JOIN geometry_columns g ON g.f_table_name = c.table_name AND g.f_geometry_column = c.column_name"
                " WHERE c.table_name = %s AND c.column_name = %s", [table, column])
            nullable, geometry_type = cursor.fetchone()
            if nullable:
                cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE ST_IsEmpty({column}) RETURNING id")
                repairs += [f"{table}.{column} id={row[0]}: 空几何改为 NULL" for row in cursor.fetchall()]
            if geometry_type in ("POLYGON", "MULTIPOLYGON"):
                made_valid = f"ST_CollectionExtract(ST_MakeValid({column}), 3)"
                if geometry_type == "MULTIPOLYGON":
                    repaired, fits = f"ST_Multi({made_valid})", ""
                else:
                    repaired, fits = f"ST_GeometryN({made_valid}, 1)", f" AND ST_NumGeometries({made_valid}) = 1"
                finite = (f"ST_XMin({column}) >= -180 AND ST_XMax({column}) <= 180"
                          f" AND ST_YMin({column}) >= -90 AND ST_YMax({column}) <= 90")
                cursor.execute(
                    f"UPDATE {table} SET {column} = {repaired} WHERE NOT ST_IsValid({column}) AND {finite}"
                    f" AND NOT ST_IsEmpty({made_valid}){fits} RETURNING id")
                repairs += [f"{table}.{column} id={row[0]}: 无效多边形已用 ST_MakeValid 修复"
                            for row in cursor.fetchall()]
            cursor.execute(f"SELECT id FROM {table} WHERE {_violations(column)} ORDER BY id")
            ids = [str(row[0]) for row in cursor.fetchall()]
            if ids:
                broken.append(f"{table}.{column} id={', '.join(ids)}")
        # The repairs' deferred checks (audit rows) run now: ALTER TABLE refuses pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for line in repairs:
        print(f"  {line}")
    if broken:
        raise RuntimeError(
            "以下记录的几何图形无效、为空或坐标不是有限数，无法自动修复，请核对后更正或删除再迁移："
            + "；".join(broken))
    return repairs


def geometry_rows_repair(table: str, *columns: str):
    """A RunPython step for the migration that adds a table's geometry constraints."""

    def run(apps, schema_editor) -> None:
        repair_or_report(schema_editor.connection, table, columns)

    return run
