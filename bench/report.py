"""bench/RESULTS.md from the suite's JSON."""

from __future__ import annotations


def _f(value, digits=2):
    if value is None:
        return "—"
    if isinstance(value, float):
        if value != value:  # NaN
            return "—"
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _load(scale) -> dict:
    """The province's load is done before the suite runs (run.province), the part's own top-up is then a no-op."""
    return scale.get("data", {}).get("inspections") or scale["inspections"]["load"]


def _inspection_section(row, header, rule) -> list[str]:
    def get(*keys):
        def getter(scale):
            value = scale["inspections"]
            for key in keys:
                value = value[key]
            return value
        return getter

    lines = ["## Inspection reads, district to province", "", header, rule,
             row("inspections", get("counts", "inspections"), 0),
             row("… in the year measured", get("counts", "inspections_in_year"), 0),
             row("tasks", get("counts", "tasks"), 0),
             row("open tasks", get("counts", "open_tasks"), 0),
             row("hazards", get("counts", "hazards"), 0),
             row("open hazards", get("counts", "open_hazards"), 0),
             row("level-II cells", get("counts", "cells"), 0),
             row("load: inspections/s (with tasks, history on)", lambda s: _load(s)["inspections_per_s"], 0),
             row("load: rows/s (inspections + tasks)", lambda s: _load(s)["rows_per_s"], 0),
             row("load: hazards/s", lambda s: _load(s)["hazards_per_s"], 0)]
    reads = (("statistics_level1", "annual statistics by level-I grid, whole area (statistics_by_grid)"),
             ("officer_open_tasks", "one officer's open tasks (tasks_for_user mine, open)"),
             ("cell_history", "one cell's inspection history, latest 50 (inspections_for_user)"),
             ("open_hazards", "hazards still open, whole area, first 500 (first_hazards_for_user)"))
    for key, label in reads:
        lines += [row(f"{label}: selector ms", get(key, "selector_ms")),
                  row("… its SQL replayed raw ms", get(key, "raw_sql_ms")),
                  row("… endpoint ms", get(key, "endpoint_ms")),
                  row("… selector / raw SQL", get(key, "selector_vs_raw")),
                  row("… tables read by Seq Scan",
                      lambda s, k=key: ", ".join(s["inspections"][k]["seq_scans"]) or "none")]
    lines += [row("statistics page (HTML, map, charts) ms", get("statistics_level1", "page_ms")),
              row("history triggers: inspections/s with context", get("trigger_cost", "history_with_context_per_s"), 0),
              row("… without a history context", get("trigger_cost", "history_without_context_per_s"), 0),
              row("… with history switched off", get("trigger_cost", "no_history_per_s"), 0),
              "", "District: the sample year's own inspections (2019) and this quarter's synthetic open tasks of "
              "the sample's enterprises; province: 5,000,000 synthetic inspections over five years "
              "(`bench/inspections.py`), figures for the last full year. Raw SQL is the statements the selector "
              "ran, replayed through a cursor.", ""]
    return lines


def write_markdown(report: dict, path) -> None:
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {report['date']} on {m['platform']}, Python {m['python']}, {m['cpus']} CPUs, "
        f"{m['memory_gb']} GB. Produced by `make bench` (`bench/run.py`); every ratio compares two figures "
        "measured in the same run. Times are medians in milliseconds.",
        "",
    ]
    scales = report["scales"]
    names = list(scales)

    def row(label, getter, digits=2):
        cells = []
        for name in names:
            try:
                cells.append(_f(getter(scales[name]), digits))
            except (KeyError, TypeError):
                cells.append("—")
        return f"| {label} | " + " | ".join(cells) + " |"

    header = "| figure | " + " | ".join(names) + " |"
    rule = "|---|" + "---|" * len(names)

    def table(title: str, key: str, figures) -> list[str]:
        """A section of one benchmark's figures: (label, field, digits) each."""
        return [title, "", header, rule,
                *(row(label, lambda s, f=field: s[key][f], *digits) for label, field, *digits in figures), ""]

    lines += table("## GeoJSON of the level-II grids", "geojson_grids", [
        ("features", "features", 0), ("raw SQL (json_agg) ms", "raw_sql_ms"), ("layer endpoint ms", "endpoint_ms"),
        ("drf-gis serializer ms", "drf_gis_ms"), ("endpoint / raw SQL", "endpoint_vs_raw"),
        ("drf-gis / endpoint (× faster)", "drf_gis_vs_endpoint")])
    if any("geojson_points" in s for s in scales.values()):
        lines += ["## GeoJSON of enterprise points", "", header, rule]
        for size in ("10k", "100k"):
            lines += [
                row(f"{size}: raw SQL ms", lambda s, k=size: s["geojson_points"][k]["raw_sql_ms"]),
                row(f"{size}: layer endpoint ms", lambda s, k=size: s["geojson_points"][k]["endpoint_ms"]),
                row(f"{size}: drf-gis ms", lambda s, k=size: s["geojson_points"][k]["drf_gis_ms"]),
                row(f"{size}: endpoint / raw", lambda s, k=size: s["geojson_points"][k]["endpoint_vs_raw"]),
                row(f"{size}: drf-gis / endpoint", lambda s, k=size: s["geojson_points"][k]["drf_gis_vs_endpoint"]),
            ]
        lines.append("")
    for title, part in (("## Vector tiles (level-II grids)", "tiles"),
                        ("## Vector tiles (enterprise points)", "tiles_enterprises")):
        lines += ([] if part == "tiles" else [""]) + [title, "", header, rule]
        for z in ("z10", "z12", "z14"):
            lines += [row(f"{z} bytes", lambda s, z=z, p=part: s[p][z]["bytes"], 0),
                      row(f"{z} raw ST_AsMVT ms", lambda s, z=z, p=part: s[p][z]["raw_sql_ms"]),
                      row(f"{z} raw ST_AsMVT, prepared ms", lambda s, z=z, p=part: s[p][z].get("raw_prepared_ms")),
                      row(f"{z} endpoint, made (cache empty) ms",
                          lambda s, z=z, p=part: s[p][z].get("endpoint_cold_ms")),
                      row(f"{z} endpoint, kept (cache) ms", lambda s, z=z, p=part: s[p][z]["endpoint_ms"]),
                      row(f"{z} made by the layer's tile function (no request) ms",
                          lambda s, z=z, p=part: s[p][z].get("made_ms")),
                      row(f"{z} made / raw", lambda s, z=z, p=part: s[p][z].get("endpoint_cold_vs_raw")),
                      row(f"{z} made / raw prepared",
                          lambda s, z=z, p=part: s[p][z].get("endpoint_cold_vs_raw_prepared")),
                      row(f"{z} kept / raw", lambda s, z=z, p=part: s[p][z]["endpoint_vs_raw"]),
                      row(f"{z} tile function / raw", lambda s, z=z, p=part: s[p][z].get("made_vs_raw"))]
    lines += ["", "## Vector tiles of a grid officer's cell (browser session)", "", header, rule]
    for z in ("z12", "z14"):
        lines += [row(f"{z} raw ST_AsMVT (officer's scope) ms",
                      lambda s, z=z: s.get("tiles_officer", {}).get(z, {}).get("raw_sql_ms")),
                  row(f"{z} endpoint, made (cache empty) ms",
                      lambda s, z=z: s.get("tiles_officer", {}).get(z, {}).get("endpoint_cold_ms")),
                  row(f"{z} endpoint, kept (cache) ms",
                      lambda s, z=z: s.get("tiles_officer", {}).get(z, {}).get("endpoint_ms")),
                  row(f"{z} made / raw",
                      lambda s, z=z: s.get("tiles_officer", {}).get(z, {}).get("endpoint_cold_vs_raw")),
                  row(f"{z} kept / raw", lambda s, z=z: s.get("tiles_officer", {}).get(z, {}).get("endpoint_vs_raw"))]
    lines += ["", "The officer's requests carry the session cookie a browser sends. The session's user, their "
              "role and their cells come from the process's memory while the tables they are read from are "
              "unchanged (accounts.middleware, grids.scope); before, each tile read them from the database "
              "first (4 queries: 2.9–5.0 ms for a kept tile).", ""]
    lines += table("## Re-assigning every enterprise to its cell", "reassign", [
        ("enterprises", "enterprises", 0), ("service (parallel join, then UPDATE) s", "service_s"),
        ("raw SQL UPDATE s", "raw_sql_s"), ("geopandas end to end s (read, sjoin, write back)", "geopandas_total_s"),
        ("… of which sjoin in memory s", "geopandas_sjoin_s"), ("service / raw SQL", "service_vs_raw"),
        ("geopandas / service (× slower)", "geopandas_vs_service")])
    lines += table("## Bulk import of enterprises (data/enterprises.csv)", "bulk_import", [
        ("rows", "rows", 0), ("importer rows/s (validation + COPY + upsert + cells)", "importer_rows_per_s", 0),
        ("ORM bulk_create rows/s (no validation)", "orm_rows_per_s", 0),
        ("importer / ORM speed", "importer_vs_orm_speed")])
    lines += [""] + table("## Point lookup, in process (per request)", "lookup_in_process", [
        ("raw ST_Covers SQL ms", "raw_covers_sql_ms", 3),
        ("SQL selector (cell, parent, officers; the reference) ms", "selector_ms", 3),
        ("in-memory answer (cell index) ms", "memory_ms", 4), ("raw SQL / in-memory (× faster)", "memory_vs_raw"),
        ("cell index build s (per process, on start and on change)", "index_build_s", 2),
        ("lookup endpoint ms", "endpoint_ms", 3), ("trivial view (floor) ms", "floor_view_ms", 3),
        ("endpoint / raw SQL", "endpoint_vs_raw"), ("endpoint / floor", "endpoint_vs_floor")])
    lines += ["## Under load: granian, 32 connections (wrk, loopback)", "", header, rule]
    for name in ("floor", "covers_bare_view", "lookup_bare_view", "lookup", "tile_z12"):
        lines += [row(f"{name} req/s", lambda s, n=name: s["concurrency"][n]["rps"], 0),
                  row(f"{name} p50 ms", lambda s, n=name: s["concurrency"][n]["p50_ms"]),
                  row(f"{name} p95 ms", lambda s, n=name: s["concurrency"][n]["p95_ms"]),
                  row(f"{name} errors", lambda s, n=name: s["concurrency"][n]["errors"], 0)]
    lines += [row(f"{name} / floor (req/s)", lambda s, n=name: s["concurrency"][f"{n}_vs_floor_rps"])
              for name in ("covers_bare_view", "lookup_bare_view", "lookup")]
    lines += [row("lookup p50 / floor p50", lambda s: s["concurrency"].get("lookup_vs_floor_p50"))]
    lines += ["", "`covers_bare_view` is the bare indexed `ST_Covers` query behind a plain Django view with no "
              "authentication; `lookup_bare_view` is the lookup's full answer (cell, parent, officers) from the "
              "in-memory cell index behind the same; `lookup` is the API as clients call it (a token "
              "client's valid point is answered before DRF's request wrapping). After 3 s of warm-up per target, "
              "the targets take turns (3 turns of 6 s each); each figure is the median of its turns.", ""]
    if any("inspections" in s for s in scales.values()):
        lines += _inspection_section(row, header, rule)
    lines += ["## Map pages in headless Chromium", "", header, rule]
    for role in ("supervisor", "officer"):
        lines += [row(f"{role}: HTML bytes", lambda s, r=role: s["map_pages"][r]["html_bytes"], 0),
                  row(f"{role}: first feature drawn ms", lambda s, r=role: s["map_pages"][r]["first_feature_ms"], 0),
                  row(f"{role}: all layers drawn ms", lambda s, r=role: s["map_pages"][r]["all_layers_ms"], 0)]
    extra = report.get("notes")
    if extra:
        lines += ["", "## Notes", "", *extra]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
