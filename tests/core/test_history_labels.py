"""A history names each action in Chinese: every action the code records has a label."""

import re
from pathlib import Path

from django.conf import settings

from gridmap.core.history import ACTIONS

# recorded_as(actor, "name") and recorded_as(actor, f"prefix_{...}")
CALL = re.compile(r'recorded_as\([^,()]+,\s*(f?)"([a-z_]+)')


def test_every_recorded_action_has_a_chinese_label():
    sources = list((Path(settings.BASE_DIR) / "gridmap").rglob("*.py")) + list(
        (Path(settings.BASE_DIR) / "layers").rglob("*.py"))
    literal, prefixes = set(), set()
    for path in sources:
        for f, name in CALL.findall(path.read_text(encoding="utf-8")):
            (prefixes if f else literal).add(name)
    assert literal and prefixes
    assert literal - set(ACTIONS) == set()
    for prefix in prefixes:
        assert any(action.startswith(prefix) for action in ACTIONS), prefix
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in ACTIONS.values())
