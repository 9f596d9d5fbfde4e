from __future__ import annotations

from pathlib import Path

import shapely
from django.db import connection, transaction

from gridmap.grids.readers import ImportRefused, Problem, feature_label, read_vector


def rivers_import(*, path: str | Path, district_code: str, encoding: str | None = None,
                  source_crs: str | None = None) -> int:
    """Load river lines (name, channel); replaces the district's rivers of the same names."""
    path = Path(path)
    frame = read_vector(path, encoding=encoding, source_crs=source_crs).frame
    if "name" not in frame.columns:
        raise ImportRefused([Problem(path.name, "name", "缺少字段")])
    rows, problems = [], []
    for position, row in enumerate(frame.itertuples(index=False), start=1):
        where = feature_label(path, position)
        name = str(row.name or "").strip()
        channel = str(getattr(row, "channel", "") or "").strip()
        if not name:
            problems.append(Problem(where, "name", "名称为空"))
        if row.geometry is None or row.geometry.geom_type not in ("LineString", "MultiLineString"):
            problems.append(Problem(where, "geometry", "不是线要素"))
            continue
        rows.append((name, channel, district_code, shapely.to_wkb(row.geometry)))
    if problems:
        raise ImportRefused(problems)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("""
            INSERT INTO flood_river (name, channel, district_code, geom, length_m)
            SELECT %s, %s, %s, g, ST_Length(g::geography)
            FROM ST_Multi(ST_GeomFromWKB(%s, 4326)) AS g
            ON CONFLICT (district_code, name, channel) DO UPDATE
            SET geom = EXCLUDED.geom, length_m = EXCLUDED.length_m""", rows)
    return len(rows)
