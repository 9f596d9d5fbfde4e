"""Every bad input the tests know, as requests through the forms and the API (issue 23).

Each write is (who, path, data, how): `how` is "page" (a form post with a session) or "json" /
"multipart" (the API with a token). Some are refused (NUL, non-finite coordinates, a track of
60,000 points, the integer maximum), some are accepted and stored (scripts and odd Unicode in
free text): after all of them every list of every role must still answer.
"""

import json

from tests.factories import inside

CELL = "120118105-001"
# Text that was stored and shown escaped on every page (the probe's 26 pages and the PDF).
ODD_TEXTS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "=HYPERLINK(\"http://x\")",
    "＝1+1",
    "\u202etxt.exe",  # right-to-left override
    "零\u200b宽",  # zero-width space
    "😀" * 50,
    "{{ 7*7 }} {% debug %}",
    "' OR 1=1 --",
]
# Patrol dates outside the platform's range ("0001-01-01T00:00" stored made every patrol
# list fail reading it back) are bounded by the patrol form (helper `field`); add it here then.
PATROL_DATES = ["9999-12-31T23:59", "2030-01-01T08:00"]
NON_FINITE_TRACKS = [
    [[float("nan"), float("nan")], [float("inf"), 1.0]],
    [[117.0, 38.9], [float("-inf"), 38.9]],
    [[117.0, 38.9], [1e308, 1e308]],
    [[117.0, 38.9]],
]


def _track_text(track) -> str:
    # json.dumps writes NaN and Infinity as the probe sent them (not strict JSON).
    return json.dumps(track)


def writes() -> list[tuple[str, str, dict, str]]:
    lon, lat = inside(CELL)
    near = [[lon, lat], [lon + 0.0005, lat + 0.0005]]
    long_track = [[lon + i * 1e-7, lat] for i in range(60_000)]
    result = []
    for text in ODD_TEXTS + ["化工厂\x00"]:
        result += [
            ("officer", "/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84", "visited": text, "notes": text,
                                          "track": _track_text(near)}, "page"),
            ("officer", "/api/patrols/", {"lon": lon, "lat": lat, "visited": text, "notes": text}, "multipart"),
            ("officer", "/inspections/reports/", {"description": text, "lon": lon, "lat": lat,
                                                  "reporter_name": text}, "page"),
            ("officer", "/api/inspections/reports/", {"description": text, "lon": lon, "lat": lat,
                                                      "reporter_name": text}, "json"),
        ]
    for track in [*NON_FINITE_TRACKS, long_track]:
        result += [
            ("officer", "/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84", "track": _track_text(track)},
             "page"),
            ("officer", "/api/patrols/", {"lon": lon, "lat": lat, "track": _track_text(track)}, "multipart"),
        ]
    for value in ("NaN", "Infinity", "-Infinity", "1e308", "2147483647"):
        result += [
            ("officer", "/api/patrols/", {"lon": value, "lat": lat}, "multipart"),
            ("officer", "/inspections/reports/", {"description": "坐标", "lon": value, "lat": value}, "page"),
            ("officer", "/api/inspections/reports/", {"description": "坐标", "lon": value, "lat": lat}, "multipart"),
        ]
    for date in PATROL_DATES:
        result.append(("officer", "/patrols/new/", {"lon": lon, "lat": lat, "crs": "wgs84",
                                                     "patrolled_at": date}, "page"))
    for quantity in ("2147483647", "99999999999999999999", "-1", "NaN"):
        result.append(("flood", "/flood/stock/{item}/move/", {"kind": "receive", "quantity": quantity}, "page"))
    return result
