"""One colour, one meaning, on every map: no two legend entries of different meaning share a
colour (layers that share a scale, enterprises and their risk points, share its entries)."""

from collections import defaultdict

from layers.registry import _LAYERS

# Layers drawn with the same scale or outline: the same meaning under two names.
SAME_MEANING = [{"enterprises", "risk-points"}, {"grids-level1", "my-town"}]


def test_no_colour_has_two_meanings():
    meanings = defaultdict(set)
    for layer in _LAYERS.values():
        family = next((min(group) for group in SAME_MEANING if layer.name in group), layer.name)
        for entry in layer.legend():
            label = entry["label"] if family != "grids-level1" else "一级网格"
            meanings[entry["color"].lower()].add((family, label))
    assert {colour: sorted(uses) for colour, uses in meanings.items() if len(uses) > 1} == {}
