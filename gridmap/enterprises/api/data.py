"""The register (一企一册) as JSON, as /api/enterprises/ answers it."""

from __future__ import annotations

from gridmap.enterprises.models import Enterprise, RiskPoint
from gridmap.enterprises.risk import TIER_LABELS, control_tiers


def enterprise_row(e: Enterprise) -> dict:
    """One line of the list (an enterprise from enterprises_for_user, with its annotations)."""
    return {"id": e.pk, "name": e.name, "credit_code": e.credit_code, "address": e.address,
            "industry_code": e.industry_code, "industry_name": e.industry_name,
            "risk_level": e.risk_level or None, "supervision_class": e.supervision_class, "status": e.status,
            "cell": getattr(e, "cell_code", None), "grid1": getattr(e, "grid1_code", None),
            "lon": e.location.x, "lat": e.location.y,
            "risk_point_count": getattr(e, "point_count", None) or 0,
            "register_complete": getattr(e, "register_complete", None)}


def risk_point_data(p: RiskPoint) -> dict:
    return {"number": p.number, "name": p.name, "place": p.place, "activity": p.activity,
            "hazard_source": p.hazard_source, "accident_types": p.accident_types,
            "method": p.method, "score": str(p.score.normalize()), "level": p.level,
            "control_tiers": [{"code": t, "name": TIER_LABELS[t]} for t in control_tiers(p.level)],
            "responsible_unit": p.responsible_unit, "responsible_person": p.responsible_person,
            "measures": {"engineering": p.measures_engineering, "management": p.measures_management,
                         "training": p.measures_training, "ppe": p.measures_ppe,
                         "emergency": p.measures_emergency},
            "location": ({"lon": p.location.centroid.x, "lat": p.location.centroid.y} if p.location else None)}


def register_data(e: Enterprise, points: list[RiskPoint]) -> dict:
    return {**enterprise_row(e), "legal_representative": e.legal_representative,
            "safety_contact": e.safety_contact, "safety_phone": e.safety_phone, "scale": e.scale,
            "hazardous_chemicals": e.hazardous_chemicals, "dust_explosion": e.dust_explosion,
            "confined_space": e.confined_space, "ammonia": e.ammonia,
            "cell_name": getattr(e, "cell_name", None),
            "site": e.site.geojson if e.site else None,
            "risk_points": [risk_point_data(p) for p in points]}
