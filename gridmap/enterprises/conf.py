"""The enterprises app's settings (GRIDMAP_* in the project settings override these defaults)."""

import os
from pathlib import Path

from django.conf import settings

from gridmap.core.conf import AppSettings, env_float

app_settings = AppSettings(
    # No national RGB values exist for the four risk levels; these are common in deployed systems.
    RISK_COLOURS={
        "major": "#e63031",
        "large": "#f48400",
        "general": "#f1dd00",
        "low": "#00b0f0",
    },
    # Risk methods (domain.md §3): methods, factor tables and level bands are data. A band
    # is (level, operator, bound), tried from the top; a score matching none is "low". LEC:
    # the published mapping reads "D > 320 重大; 160–320 较大; 70–160 一般; < 70 低", so 320
    # is 较大 (not > 320), 70 is 一般 (not < 70), and the shared bound 160 goes to the higher
    # level (the safer reading).
    RISK_METHODS={
        "LEC": {
            "label": "作业条件危险性分析法（LEC）",
            "formula": "D = L × E × C",
            "factors": {
                "L": ("10", "6", "3", "1", "0.5", "0.2", "0.1"),
                "E": ("10", "6", "3", "2", "1", "0.5"),
                "C": ("100", "40", "15", "7", "3", "1"),
            },
            "bands": (("major", ">", "320"), ("large", ">=", "160"), ("general", ">=", "70")),
        },
        # LS matrix, R = L × S with L, S in 1–5: 20–25 重大, 15–16 较大, 9–12 一般, 1–8 低.
        "LS": {
            "label": "风险矩阵法（LS）",
            "formula": "R = L × S",
            "factors": {"L": ("1", "2", "3", "4", "5"), "S": ("1", "2", "3", "4", "5")},
            "bands": (("major", ">=", "20"), ("large", ">=", "15"), ("general", ">=", "9")),
        },
    },
    # Control tiers (管控层级): every lower tier also controls a higher risk.
    CONTROL_TIERS={
        "major": ("company", "workshop", "team", "post"),
        "large": ("company", "workshop", "team", "post"),
        "general": ("workshop", "team", "post"),
        "low": ("team", "post"),
    },
    # A risk point's location may lie this far outside the enterprise's site and still count.
    RISK_POINT_MAX_DISTANCE_M=env_float("GRIDMAP_RISK_POINT_MAX_DISTANCE_M", 500.0),
    # Where build_registers writes the 一企一册 PDFs.
    REGISTER_DIR=Path(os.environ.get("GRIDMAP_REGISTER_DIR", settings.BASE_DIR / "media" / "registers")),
)
