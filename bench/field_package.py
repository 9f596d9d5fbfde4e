"""The officer's cell package (issue 16) against the layer GeoJSON requests the my-cell page
makes for the same data: gzip size and build time, for the sample's largest and median cells
(by enterprises). Run on a database holding the sample:

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python -m bench.field_package
"""

from __future__ import annotations

import gzip
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from gridmap.grids.models import Grid, GridAssignment  # noqa: E402

RUNS = 9
TARGET_KB, TARGET_MS = 500, 200


def timed(client: Client, url: str, **headers) -> tuple[float, bytes, str]:
    times, response = [], None
    client.get(url, **headers)  # warm: the first request fills the per-process caches
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - start) * 1000)
    content = response.content if not response.streaming else b"".join(response.streaming_content)
    return statistics.median(times), content, response.get("ETag", "")


def layer_urls(cell: Grid, username: str) -> list[str]:
    """The GeoJSON requests of the my-cell page (gridmap.workspaces.views.my_cell)."""
    return [
        "/api/layers/my-town.geojson",
        f"/api/layers/grids-level2.geojson?code={cell.code}",
        f"/api/layers/enterprises.geojson?cell={cell.code}",
        f"/api/layers/patrols.geojson?cell={cell.code}",
        f"/api/layers/tasks.geojson?cell={cell.code}&assignee={username}",
        f"/api/layers/open-hazards.geojson?cell={cell.code}",
    ]


def measure(cell: Grid) -> dict:
    officer = GridAssignment.objects.filter(grid=cell, role="cell_officer").select_related("user").first().user
    client = Client()
    client.force_login(officer)
    ms, body, etag = timed(client, "/api/field/package/")
    not_modified_ms, _, _ = timed(client, "/api/field/package/", HTTP_IF_NONE_MATCH=etag)
    layers_ms, layers_gzip = 0.0, 0
    for url in layer_urls(cell, officer.username):
        layer_ms, layer_body, _ = timed(client, url)
        layers_ms += layer_ms
        layers_gzip += len(gzip.compress(layer_body))
    return {"cell": cell.code, "enterprises": cell.n, "ms": ms, "kb": len(gzip.compress(body)) / 1024,
            "raw_kb": len(body) / 1024, "not_modified_ms": not_modified_ms,
            "layers_ms": layers_ms, "layers_kb": layers_gzip / 1024}


def main() -> None:
    cells = list(Grid.objects.filter(level=Grid.Level.LEVEL_2, assignments__role="cell_officer")
                 .annotate(n=Count("enterprises", distinct=True)).order_by("-n", "code"))
    largest, median = cells[0], cells[len(cells) // 2]
    print("| cell | enterprises | package gzip | package build | 304 "
          "| layer GeoJSON (6 requests) gzip | their time | met |")
    print("|---|---|---|---|---|---|---|---|")
    for label, cell in (("largest", largest), ("median", median)):
        r = measure(cell)
        met = "yes" if r["kb"] <= TARGET_KB and r["ms"] <= TARGET_MS else "no"
        print(f"| {label} {r['cell']} | {r['enterprises']} | {r['kb']:.1f} KB ({r['raw_kb']:.0f} KB raw) "
              f"| {r['ms']:.1f} ms | {r['not_modified_ms']:.1f} ms | {r['layers_kb']:.1f} KB | {r['layers_ms']:.1f} ms "
              f"| {met} |")


if __name__ == "__main__":
    main()
