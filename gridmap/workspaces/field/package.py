"""The cell package: everything a grid officer needs of their cells to work without signal,
as one JSON document. Built only through selectors that ask the one scope rule
(gridmap.grids.scope), so an officer's package holds their own cells and nothing else."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

from django.contrib.gis.db.models.functions import AsGeoJSON, Envelope
from django.db.models import Count, FloatField, Func, Max
from django.urls import reverse
from django.utils import timezone

from gridmap.core import versions
from gridmap.enterprises.models import Enterprise
from gridmap.enterprises.risk import RISK_ORDER
from gridmap.enterprises.risk import colour as risk_colour
from gridmap.enterprises.selectors import _completeness as register_summaries
from gridmap.enterprises.selectors import enterprises_in_cells
from gridmap.grids.models import GridAssignment
from gridmap.grids.scope import active_on, scope_for
from gridmap.grids.selectors import user_active_cells
from gridmap.inspections.criteria import SECTORS, checklist_for, referred_to, sector_of
from gridmap.inspections.selectors import hazards_for_user, tasks_for_user
from gridmap.patrols.selectors import patrols_for_user

# Tables whose writes bump a data version (core.DataVersion triggers).
VERSIONED_TABLES = ("grids_grid", "grids_gridassignment", "enterprises_enterprise", "enterprises_riskpoint")
# Six decimals of a degree are about 10 cm: finer digits only make the phone's package larger.
PRECISION = 6
RECENT_PATROLS = 30
# The zoom levels of the vector tiles the phone keeps of its cells.
TILE_ZOOMS = (12, 17)
TILE_LAYERS = ("grids-level2", "enterprises")
SPECIAL_KEYS = ("hazardous_chemicals", "dust_explosion", "confined_space", "ammonia")


def package_cells(user):
    """The cells the user is on duty for today (as officer or substitute), inside their scope."""
    return (user_active_cells(user).filter(pk__in=scope_for(user).cells().values("pk"))
            .select_related("parent"))


def _duty_query(user, cells):
    return GridAssignment.objects.filter(active_on(timezone.localdate()), user=user, grid__in=cells)


def _tasks(user, cells):
    return tasks_for_user(user, mine=True, open_only=True).filter(cell__in=cells)


def _hazards(user, cells):
    return hazards_for_user(user, open_only=True).filter(cell__in=cells)


def _patrols(user, cells):
    return patrols_for_user(user).filter(cell__in=cells, officer=user).order_by("-patrolled_at")


def package_etag(user) -> str:
    """A tag that changes whenever anything in the package may have: the data versions of the
    versioned tables, and the count and latest change of the others (tasks, hazards, patrols),
    with the user and the day (duties and overdue flags change at midnight)."""
    token = versions.of(VERSIONED_TABLES, versions.current())
    cells = list(package_cells(user).values_list("pk", flat=True))
    tasks = _tasks(user, cells).order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    hazards = _hazards(user, cells).order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    patrols = _patrols(user, cells).order_by().aggregate(n=Count("pk"), last=Max("created_at"))
    digest = hashlib.blake2b(
        f"{user.pk}|{timezone.localdate()}|{cells}|{token}|{tasks}|{hazards}|{patrols}".encode(),
        digest_size=16)
    return f'W/"{digest.hexdigest()}"'


def _geometry(text: str | None):
    return json.loads(text) if text else None


def _bbox(envelope) -> list[float] | None:
    if envelope is None:
        return None
    xmin, ymin, xmax, ymax = envelope.extent
    return [round(xmin, PRECISION), round(ymin, PRECISION), round(xmax, PRECISION), round(ymax, PRECISION)]


ENTERPRISE_FIELDS = ("id", "name", "credit_code", "cell__code", "address", "industry_name", "industry_code",
                     "risk_level", "supervision_class", "lon", "lat", "safety_contact", "safety_phone",
                     "legal_representative", "scale", "risk_points_count", "register_complete",
                     "hazardous_chemicals", "dust_explosion", "confined_space", "ammonia")


def _url_maker(name: str):
    """reverse() once for a route with one pk: the package names hundreds of records."""
    pattern = reverse(name, args=[999999999])
    return lambda pk: pattern.replace("999999999", str(pk))


def _enterprise_rows(user, codes: list[str]) -> list[dict]:
    register_url = _url_maker("enterprises:register")
    risk_labels = dict(Enterprise._meta.get_field("risk_level").choices)
    scales = dict(Enterprise._meta.get_field("scale").choices)
    rows = (register_summaries(enterprises_in_cells(user, codes))
            .annotate(risk_points_count=Count("risk_points"),
                      lon=Func("location", function="ST_X", output_field=FloatField()),
                      lat=Func("location", function="ST_Y", output_field=FloatField()))
            .order_by(RISK_ORDER, "name").values(*ENTERPRISE_FIELDS))
    return [{
        "id": e["id"], "name": e["name"], "credit_code": e["credit_code"], "cell": e["cell__code"],
        "address": e["address"], "industry": e["industry_name"], "industry_code": e["industry_code"],
        "risk_level": e["risk_level"], "risk_label": risk_labels.get(e["risk_level"], "未评估"),
        "risk_colour": risk_colour(e["risk_level"]), "supervision_class": e["supervision_class"],
        "position": [round(e["lon"], PRECISION), round(e["lat"], PRECISION)],
        "register": {
            "url": register_url(e["id"]), "safety_contact": e["safety_contact"], "safety_phone": e["safety_phone"],
            "legal_representative": e["legal_representative"], "scale": scales.get(e["scale"], ""),
            "risk_points": e["risk_points_count"], "complete": e["register_complete"],
            "hazardous_chemicals": e["hazardous_chemicals"], "dust_explosion": e["dust_explosion"],
            "confined_space": e["confined_space"], "ammonia": e["ammonia"],
        },
    } for e in rows]


def _checklists(enterprises: list[dict]) -> list[dict]:
    """One checklist per kind of enterprise (industry code and special flags: the criteria in
    force today that apply to it); each enterprise names its own."""
    checklists = {}
    for row in enterprises:
        register = row["register"]
        sector = sector_of(row["industry_code"]) or "management"
        flags = "+".join(sorted(flag for flag in SPECIAL_KEYS if register[flag]))
        key = f"{row['industry_code']}|{flags}"
        if key not in checklists:
            kind = SimpleNamespace(industry_code=row["industry_code"], **{k: register[k] for k in SPECIAL_KEYS})
            checklists[key] = {
                "key": key, "sector": sector, "sector_name": SECTORS[sector], "referred_to": referred_to(kind),
                "items": [{"code": c.code, "category": c.category, "title": c.title, "confirmed": c.confirmed}
                          for c in checklist_for(kind)],
            }
        row["checklist"] = key
    return list(checklists.values())


def build_package(user) -> dict:
    """The package document for one user (empty lists when they are on duty nowhere)."""
    today = timezone.localdate()
    cells = list(package_cells(user).annotate(
        outline=AsGeoJSON("geom", precision=PRECISION), parent_outline=AsGeoJSON("parent__geom", precision=PRECISION),
        box=Envelope("geom")))
    duties = {a.grid_id: a for a in _duty_query(user, cells)}
    towns = {}
    for cell in cells:
        if cell.parent_id and cell.parent_id not in towns:
            towns[cell.parent_id] = {"code": cell.parent.code, "name": cell.parent.name,
                                     "geometry": _geometry(cell.parent_outline)}
    enterprises = _enterprise_rows(user, [c.code for c in cells])
    checklists = _checklists(enterprises)
    task_url, hazard_url = _url_maker("workspaces:task_detail"), _url_maker("workspaces:hazard_detail")
    patrol_url = _url_maker("workspaces:patrol_detail")
    tasks = [{
        "id": t.pk, "url": task_url(t.pk), "enterprise": t.enterprise_id,
        "enterprise_name": t.enterprise.name, "cell": t.cell.code, "due_date": t.due_date.isoformat(),
        "overdue": t.overdue, "status": t.status, "status_label": t.get_status_display(),
    } for t in _tasks(user, cells)]
    hazards = [{
        "id": h.pk, "url": hazard_url(h.pk), "enterprise": h.enterprise_id,
        "enterprise_name": h.enterprise.name, "cell": h.cell.code, "level": h.level,
        "level_label": h.get_level_display(), "description": h.description, "criterion": h.criterion_code,
        "deadline": h.due.isoformat() if h.due else None, "overdue": h.overdue, "status": h.status,
        "status_label": h.get_status_display(),
        "position": [round(h.location.x, PRECISION), round(h.location.y, PRECISION)] if h.location else None,
    } for h in _hazards(user, cells)]
    patrols = [{
        "id": p.pk, "url": patrol_url(p.pk), "cell": p.cell.code,
        "patrolled_at": p.patrolled_at.isoformat(), "visited": p.visited, "enterprise": p.enterprise_id,
        "position": [round(p.position.x, PRECISION), round(p.position.y, PRECISION)],
    } for p in _patrols(user, cells)[:RECENT_PATROLS]]
    return {
        "generated_at": timezone.now().isoformat(), "day": today.isoformat(),
        "user": {"username": user.username, "name": user.full_name},
        "cells": [{
            "code": c.code, "name": c.name, "town": c.parent.code if c.parent_id else None,
            "role": duties[c.pk].role if c.pk in duties else None,
            "valid_from": duties[c.pk].valid_from.isoformat() if c.pk in duties and duties[c.pk].valid_from else None,
            "valid_to": duties[c.pk].valid_to.isoformat() if c.pk in duties and duties[c.pk].valid_to else None,
            "bbox": _bbox(c.box), "geometry": _geometry(c.outline),
        } for c in cells],
        "towns": list(towns.values()),
        "enterprises": enterprises,
        "tasks": tasks,
        "hazards": hazards,
        "checklists": checklists,
        "patrols": patrols,
        "tiles": {"zooms": list(TILE_ZOOMS),
                  "layers": [f"/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt" for name in TILE_LAYERS]},
        "pages": offline_pages(cells, tasks, hazards),
    }


def offline_pages(cells, tasks, hazards) -> list[str]:
    """The officer pages the phone keeps, opened or not: each cell, the forms, every task and
    hazard of the package (the enterprises' register summaries travel in the package itself)."""
    pages = [reverse("workspaces:my_cell"), reverse("workspaces:patrol_new"), reverse("field:outbox"),
             reverse("workspaces:task_list"), reverse("workspaces:hazard_list"), reverse("workspaces:report_list"),
             reverse("field:situation_reports")]
    pages += [f"{reverse('workspaces:my_cell')}?cell={c.code}" for c in cells[1:]]
    pages += [t["url"] for t in tasks] + [h["url"] for h in hazards]
    return pages
