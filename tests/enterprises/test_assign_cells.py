"""The re-assignment statement against the reference lookup (grids.selectors.cell_at_point_json):
on a shared edge and a shared vertex the lower code wins, outside every cell is NULL and reported,
also next to a cell of more than 256 vertices; and what it returns to its callers."""

import json

import pytest
import shapely
from django.contrib.gis.geos import Point
from django.db import connection

from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.services import enterprises_assign_cells
from gridmap.grids.models import Grid
from gridmap.grids.selectors import cell_at_point_json

pytestmark = pytest.mark.django_db


def neighbours() -> tuple[Grid, Grid, shapely.Geometry]:
    """Two level-II cells sharing an edge, and that edge."""
    cells = list(Grid.objects.filter(level=2).order_by("code")[:60])
    for a in cells:
        shape_a = shapely.from_wkb(bytes(a.geom.wkb))
        for b in cells:
            if b.code > a.code:
                border = shape_a.intersection(shapely.from_wkb(bytes(b.geom.wkb)))
                if border.length > 0:
                    return a, b, shapely.line_merge(border)
    raise AssertionError("no neighbouring cells in the sample")


def reference(point) -> str | None:
    found = cell_at_point_json(point.x, point.y)
    return json.loads(found)["code"] if found else None


def place(points) -> list[Enterprise]:
    return [Enterprise.objects.create(
        name=f"边界企业{i}", credit_code=f"91120118MA07BD{i:02d}0X", location=Point(p.x, p.y, srid=4326),
        industry_code="3130", industry_name="钢压延加工", district_code="120118") for i, p in enumerate(points)]


@pytest.mark.parametrize("densify", [False, True])
def test_border_points_go_to_the_lower_code_and_outside_is_null(densify):
    a, b, border = neighbours()
    if densify:  # the same outline with > 256 vertices (the shared edge gains vertices on one side)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE grids_grid SET geom = ST_Multi(ST_Segmentize(geom, ST_Perimeter(geom) / 400)) "
                           "WHERE id = %s RETURNING ST_NPoints(geom)", [a.pk])
            assert cursor.fetchone()[0] > 256
    vertex = shapely.Point(shapely.get_coordinates(border)[0])  # a vertex of both cells
    middle = shapely.line_interpolate_point(border, 0.5, normalized=True)
    inside = shapely.from_wkb(bytes(a.geom.wkb)).representative_point()
    outside = shapely.Point(100.0, 30.0)
    enterprises = place([vertex, middle, inside, outside])
    Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]).update(cell=None)

    result = enterprises_assign_cells()

    cells = dict(Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]).values_list("pk", "cell__code"))
    got = [cells[e.pk] for e in enterprises]
    assert got == [reference(p) for p in (vertex, middle, inside, outside)]
    assert got[0] == min(a.code, b.code)  # both cells hold their shared vertex
    assert got[2] == a.code and got[3] is None
    assert [row[0] for row in result.outside] == [enterprises[3].pk]
    assert result.outside[0][1:] == (enterprises[3].credit_code, enterprises[3].name)
    assert result.changed >= 3

    again = enterprises_assign_cells()  # nothing moved: nothing written, the outsider still reported
    assert again.changed == 0 and [row[0] for row in again.outside] == [enterprises[3].pk]


def test_given_ids_only_and_their_cells():
    a, _, _ = neighbours()
    inside = shapely.from_wkb(bytes(a.geom.wkb)).representative_point()
    first, second = place([inside, shapely.Point(100.0, 30.0)])
    Enterprise.objects.filter(pk__in=[first.pk, second.pk]).update(cell=None)
    result = enterprises_assign_cells(ids=[first.pk])
    assert result.changed == 1 and result.outside == [] and result.cells == {first.pk: a.pk}
    result = enterprises_assign_cells(ids=[second.pk])
    assert result.changed == 0 and [row[0] for row in result.outside] == [second.pk]
    assert result.cells == {second.pk: None}
