"""The layers of the platform. Apps' selectors supply the data; styles live here and in
settings (risk colours)."""

from gridmap.flood.selectors import rivers_for_user
from gridmap.grids.models import Grid
from gridmap.grids.selectors import grids_for_user

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
