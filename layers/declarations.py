"""The layers of the platform. Apps' selectors supply the data; styles live here and in
settings (risk colours)."""

from gridmap.accounts.models import Role
from gridmap.flood.selectors import rivers_for_user
from gridmap.grids.models import Grid
from gridmap.grids.selectors import cells_with_coverage, grids_for_user, parent_outlines_for_user
from gridmap.patrols.selectors import patrols_for_map

from .registry import Layer, register

GRID_POPUP = (
    ("name", "名称"), ("code", "编码"), ("parent_name", "上级网格"), ("parent_code", "上级编码"),
    ("officers", "网格员"),
)

register(Layer(
    name="district", title="区界", geometry="polygon",
    source=lambda user: grids_for_user(user, level=Grid.Level.DISTRICT),
    properties=("code", "name"),
    popup=(("name", "名称"), ("code", "区划代码")),
    style={"color": "#1f2d3d", "weight": 3, "fill": False},
    tooltip=None, updated_field="updated_at",
))
register(Layer(
    name="grids-level1", title="一级网格", geometry="polygon",
    source=lambda user: grids_for_user(user, level=Grid.Level.LEVEL_1),
    properties=("code", "name", "kind", "parent_code", "parent_name", "area_m2", "officers"),
    popup=(("name", "名称"), ("code", "编码"), ("kind", "类型"), ("officers", "安全监管责任人")),
    style={"color": "#3949ab", "weight": 2.5, "fillColor": "#3949ab", "fillOpacity": 0.04},
    filters={"code": "code"},
    json_properties=("officers",),
))
register(Layer(
    name="grids-level2", title="二级网格", geometry="polygon",
    source=lambda user: grids_for_user(user, level=Grid.Level.LEVEL_2),
    properties=("code", "name", "kind", "parent_code", "parent_name", "area_m2", "officers"),
    popup=GRID_POPUP,
    style={"color": "#607d8b", "weight": 1, "fillColor": "#90a4ae", "fillOpacity": 0.12},
    filters={"parent": "parent__code", "code": "code"},
    json_properties=("officers",), detail_url="/api/grids/{code}/",
))
register(Layer(
    name="rivers", title="河流", geometry="line",
    source=rivers_for_user,
    properties=("name", "channel", "length_m"),
    popup=(("name", "名称"), ("channel", "河段"), ("length_m", "区内长度 (m)")),
    style={"color": "#1e88e5", "weight": 3, "opacity": 0.9},
))

register(Layer(
    name="my-town", title="所属一级网格", geometry="polygon",
    source=parent_outlines_for_user,
    properties=("code", "name", "kind"),
    popup=(("name", "名称"), ("code", "编码"), ("kind", "类型")),
    style={"color": "#3949ab", "weight": 3, "dashArray": "6 4", "fill": False},
))
# For assigning officers: cells coloured by how many officers are on duty today, so the
# unassigned ones (red) stand out.
COVERAGE_COLOURS = {"0": "#d32f2f", "1": "#f9a825", "2": "#43a047"}
register(Layer(
    name="coverage", title="网格员配置", geometry="polygon",
    source=cells_with_coverage,
    properties=("code", "name", "parent_code", "parent_name", "officers", "on_duty"),
    popup=GRID_POPUP + (("on_duty", "在岗人数"),),
    style={"color": "#455a64", "weight": 1, "fillOpacity": 0.45},
    style_by={"property": "on_duty", "values": COVERAGE_COLOURS, "default": "#2e7d32",
              "legend": {"无人在岗": "#d32f2f", "1 人在岗": "#f9a825", "2 人在岗": "#43a047",
                         "3 人及以上": "#2e7d32"}},
    filters={"code": "code", "parent": "parent__code"},
    roles=frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR}),
))
register(Layer(
    name="patrols", title="巡查记录", geometry="point",
    source=patrols_for_map,
    geom_field="position",
    properties=("cell_code", "officer_name", "when", "visited"),
    popup=(("when", "巡查时间"), ("officer_name", "巡查人"), ("cell_code", "网格"), ("visited", "走访单位/地点")),
    style={"color": "#6a1b9a", "fillColor": "#ab47bc", "fillOpacity": 0.9, "radius": 6, "weight": 2},
    tooltip="when",
    filters={"cell": "cell__code", "id": "id"},
))
