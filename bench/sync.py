"""A phone's outbox synced over loopback: 100 queued patrols POSTed one after another to the
real server (gridmap.server), each with its client_id, against the same 100 POSTs without
one (the baseline, same run), then the same 100 sent again (a retry of the whole outbox).

    python -m bench.sync [--district-db gridmap_bench_district]

Writes the "Field app: syncing 100 queued records" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
import urllib.request
import uuid

import django

from bench.run import bench_server, write_section

RECORDS = 100
CELL = "120118105-001"
SECTION = "## Field app: syncing 100 queued records"


def post(base: str, token: str, body: dict) -> int:
    request = urllib.request.Request(f"{base}/api/patrols/", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Token {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status


def send_outbox(base: str, token: str, bodies: list[dict]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    statuses = [post(base, token, body) for body in bodies]
    return time.perf_counter() - started, statuses


def run() -> dict:
    from django.utils import timezone

    from gridmap.accounts.services import device_token_create
    from gridmap.grids.models import Grid, GridAssignment
    from gridmap.patrols.models import Patrol

    officer = (GridAssignment.objects.filter(grid__code=CELL, role=GridAssignment.Duty.CELL_OFFICER)
               .select_related("user").first().user)
    token = device_token_create(user=officer, name="bench-sync")[1]
    point = Grid.objects.get(code=CELL).geom.point_on_surface
    now = timezone.now()

    def bodies(with_client_id: bool) -> list[dict]:
        return [{"lon": point.x, "lat": point.y, "notes": f"离线巡查 {i}", "visited": "某某化工厂",
                 "patrolled_at": (now - dt.timedelta(minutes=i)).isoformat(),
                 **({"client_id": str(uuid.uuid4())} if with_client_id else {})} for i in range(RECORDS)]

    before = Patrol.objects.filter(officer=officer).count()
    with bench_server() as base:
        send_outbox(base, token, bodies(False)[:5])  # workers up, caches warm
        queued = bodies(True)
        baseline_s, baseline_statuses = send_outbox(base, token, bodies(False))
        synced_s, synced_statuses = send_outbox(base, token, queued)
        retried_s, retried_statuses = send_outbox(base, token, queued)
    stored = Patrol.objects.filter(officer=officer).count() - before
    Patrol.objects.filter(officer=officer, notes__startswith="离线巡查").delete()
    return {"load_average": os.getloadavg()[0],
            "records": RECORDS, "baseline_s": baseline_s, "synced_s": synced_s, "retried_s": retried_s,
            "ratio": synced_s / baseline_s, "retry_ratio": retried_s / baseline_s,
            "statuses": {"baseline": sorted(set(baseline_statuses)), "synced": sorted(set(synced_statuses)),
                         "retried": sorted(set(retried_statuses))},
            "stored": stored, "expected_stored": 5 + 2 * RECORDS}


def write(result: dict) -> None:
    lines = ["",
             f"One officer's outbox of {result['records']} patrols POSTed one after another to "
             "`/api/patrols/` over loopback (granian, `gridmap.server`), as the phone sends it. "
             "Baseline: the same POSTs without `client_id`, in the same run. Target: ≤ 10 s. "
             f"Machine load average when it ended: {result.get('load_average', float('nan')):.1f} "
             f"on {os.cpu_count()} CPUs.", "",
             "| figure | value |", "|---|---|",
             f"| baseline: 100 POSTs without client_id, s | {result['baseline_s']:.2f} |",
             f"| 100 POSTs with client_id (new), s | {result['synced_s']:.2f} |",
             f"| the same 100 again (retries answered 200), s | {result['retried_s']:.2f} |",
             f"| with client_id / baseline | {result['ratio']:.2f} |",
             f"| retries / baseline | {result['retry_ratio']:.2f} |",
             f"| statuses: new / retried | {result['statuses']['synced']} / {result['statuses']['retried']} |",
             f"| records stored (expected {result['expected_stored']}) | {result['stored']} |", ""]
    write_section(SECTION, lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--district-db", default="gridmap_bench_district")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()
    from bench.run import prepare_database
    from gridmap.demo.sample import sample_load
    from gridmap.grids.models import Grid

    prepare_database(args.district_db)
    if not Grid.objects.filter(level=2).exists():
        sample_load(log=lambda *args: None)
    result = run()
    print(json.dumps(result, indent=2))
    write(result)


if __name__ == "__main__":
    main()
