"""The layers of the platform. Apps' selectors supply the data; styles live here and in
settings (risk colours)."""


from gridmap.accounts.capabilities import ASSIGN_OFFICERS, COMMAND_FLOODS
from gridmap.enterprises.risk import LEVEL_ORDER, SHORT_LABELS
from gridmap.enterprises.risk import colour as risk_colour
from gridmap.enterprises.selectors import completeness_cells_for_user, enterprises_for_user, risk_points_for_user
from gridmap.flood.selectors import rivers_for_user
from gridmap.grids.models import Grid
from gridmap.grids.selectors import cells_with_coverage, grids_for_user, parent_outlines_for_user
from gridmap.inspections.online import online_cells_for_user
from gridmap.inspections.selectors import open_hazards_for_map, tasks_for_map
from gridmap.inspections.statistics import cell_statistics_for_map
from gridmap.patrols.selectors import patrols_for_map

from .registry import Layer, register

# The grids and, for their officers on duty, the assignments and the officers' names and phones.
GRID_TABLES = ("grids_grid", "grids_gridassignment", "accounts_user")
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
    tooltip=None, updated_field="updated_at", source_tables=("grids_grid",),
))
register(Layer(
    name="grids-level1", title="一级网格", geometry="polygon",
    source=lambda user: grids_for_user(user, level=Grid.Level.LEVEL_1),
    properties=("code", "name", "kind", "parent_code", "parent_name", "area_m2", "officers"),
    popup=(("name", "名称"), ("code", "编码"), ("kind", "类型"), ("officers", "安全监管责任人")),
    style={"color": "#3949ab", "weight": 2.5, "fillColor": "#3949ab", "fillOpacity": 0.04},
    filters={"code": "code"},
    json_properties=("officers",), source_tables=GRID_TABLES,
    label_zoom=0,
))
register(Layer(
    name="grids-level2", title="二级网格", geometry="polygon",
    source=lambda user: grids_for_user(user, level=Grid.Level.LEVEL_2),
    properties=("code", "name", "kind", "parent_code", "parent_name", "area_m2", "officers"),
    popup=GRID_POPUP,
    style={"color": "#607d8b", "weight": 1, "fillColor": "#90a4ae", "fillOpacity": 0.12},
    filters={"parent": "parent__code", "code": "code"},
    json_properties=("officers",), detail_url="/api/grids/{code}/", source_tables=GRID_TABLES,
    label_zoom=13,
))
register(Layer(
    name="rivers", title="河流", geometry="line",
    source=rivers_for_user,
    properties=("name", "channel", "length_m"),
    popup=(("name", "名称"), ("channel", "河段"), ("length_m", "区内长度 (m)")),
    style={"color": "#1e88e5", "weight": 3, "opacity": 0.9},
))

# --- enterprises (issue 4) -------------------------------------------------------------------

RISK_STYLE_BY = {
    "values": {level: risk_colour(level) for level in LEVEL_ORDER},
    "default": risk_colour(""),
    "legend": {**{f"{SHORT_LABELS[level]}风险": risk_colour(level) for level in LEVEL_ORDER},
               "未评估": risk_colour("")},
}
register(Layer(
    name="enterprises", title="企业", geometry="point",
    source=enterprises_for_user, geom_field="location",
    properties=("name", "credit_code", "cell_code", "cell_name", "risk_level",
                "risk_level_name", "industry_code", "industry_name", "supervision_class",
                "point_count"),
    popup=(("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("cell_name", "二级网格"),
           ("cell_code", "网格编码"), ("risk_level_name", "风险等级"),
           ("industry_name", "行业"), ("point_count", "风险点数")),
    style={"radius": 4, "weight": 1, "color": "#555", "fillOpacity": 0.85},
    style_by={"property": "risk_level", **RISK_STYLE_BY},
    filters={"cell": "cell__code", "grid": "cell__parent__code", "risk_level": "risk_level",
             "industry": "industry_code__startswith", "supervision_class": "supervision_class"},
    cluster={"below_zoom": 13, "pixels": 48, "property": "risk_level",
             "order": LEVEL_ORDER},
    source_tables=("enterprises_enterprise", "enterprises_riskpoint", "grids_grid"),
))
register(Layer(
    name="risk-points", title="风险点", geometry="point",
    source=lambda user: risk_points_for_user(user, located_only=True),
    geom_field="location",
    properties=("name", "enterprise_name", "credit_code", "level", "level_name", "method",
                "score", "responsible_person"),
    popup=(("enterprise_name", "企业"), ("name", "风险点"), ("level_name", "风险等级"),
           ("method", "评价方法"), ("score", "风险值"), ("responsible_person", "责任人")),
    style={"radius": 5, "weight": 1, "color": "#333", "fillOpacity": 0.8},
    style_by={"property": "level", **RISK_STYLE_BY},
    min_zoom=14, show=False,
    filters={"credit_code": "enterprise__credit_code", "level": "level"},
))
register(Layer(
    name="register-completeness", title="一企一册完整率", geometry="polygon",
    source=completeness_cells_for_user,
    properties=("code", "name", "parent_name", "enterprise_count", "complete_count",
                "complete_percent", "completeness_band"),
    popup=(("name", "二级网格"), ("code", "编码"), ("parent_name", "一级网格"),
           ("enterprise_count", "企业数"), ("complete_count", "完整"),
           ("complete_percent", "完整率 (%)")),
    style={"color": "#455a64", "weight": 1, "fillOpacity": 0.6},
    style_by={"property": "completeness_band",
              "values": {"≥ 90%": "#1a9850", "75–90%": "#a6d96a", "50–75%": "#fdae61",
                         "< 50%": "#d73027", "无企业": "#eeeeee"},
              "default": "#eeeeee",
              "legend": {"完整率 ≥ 90%": "#1a9850", "75–90%": "#a6d96a", "50–75%": "#fdae61",
                         "< 50%": "#d73027", "无企业": "#eeeeee"}},
    filters={"parent": "parent__code"},
))
# 上线率 (issue 21): the share of a cell's enterprises online in self-inspection (last 30 days);
# a purple scale, which no other map uses.
ONLINE_COLOURS = {"≥ 80%": "#3f007d", "50–80%": "#6a51a3", "20–50%": "#9e9ac8", "< 20%": "#dadaeb",
                  "无企业": "#f5f5f5"}
register(Layer(
    name="enterprises-online", title="企业上线率", geometry="polygon",
    source=online_cells_for_user,
    properties=("code", "name", "parent_name", "enterprise_count", "online_count", "online_percent",
                "checkable_count", "check_days", "on_time_percent", "online_band"),
    popup=(("name", "二级网格"), ("code", "编码"), ("parent_name", "一级网格"),
           ("enterprise_count", "企业数"), ("online_count", "近30天上线"), ("online_percent", "上线率 (%)"),
           ("on_time_percent", "按时自查率 (%)")),
    style={"color": "#455a64", "weight": 1, "fillOpacity": 0.6},
    style_by={"property": "online_band", "values": ONLINE_COLOURS, "default": "#f5f5f5",
              "legend": {f"上线率 {band}" if band != "无企业" else "无企业（上线率）": colour
                         for band, colour in ONLINE_COLOURS.items()}},
    filters={"parent": "parent__code"},
))
register(Layer(
    name="my-town", title="所属一级网格", geometry="polygon",
    source=parent_outlines_for_user,
    properties=("code", "name", "kind"),
    popup=(("name", "名称"), ("code", "编码"), ("kind", "类型")),
    style={"color": "#3949ab", "weight": 3, "dashArray": "6 4", "fill": False},
    label_zoom=0,
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
    style_by={"property": "on_duty", "values": COVERAGE_COLOURS, "default": "#388e3c",
              "legend": {"无人在岗": "#d32f2f", "1 人在岗": "#f9a825", "2 人在岗": "#43a047",
                         "3 人及以上": "#388e3c"}},
    filters={"code": "code", "parent": "parent__code"},
    capability=ASSIGN_OFFICERS,
))
register(Layer(
    name="patrols", title="巡查记录", geometry="point",
    source=patrols_for_map,
    geom_field="position",
    properties=("cell_code", "officer_name", "when", "visited"),
    popup=(("when", "巡查时间"), ("officer_name", "巡查人"), ("cell_code", "网格"), ("visited", "走访单位/地点")),
    style={"color": "#ad1457", "fillColor": "#ec407a", "fillOpacity": 0.9, "radius": 6, "weight": 2},
    tooltip="when",
    filters={"cell": "cell__code", "id": "id"},
    time_field="patrolled_at",
))

# --- flood command (issue 7) -----------------------------------------------------------------
from gridmap.flood.selectors import (  # noqa: E402
    depots_for_user,
    dikes_for_user,
    pumping_stations_for_user,
    sluices_for_user,
    teams_for_user,
    zones_for_user,
)

ZONE_POPUP = (("name", "名称"), ("kind_name", "类型"), ("responsible_person", "责任人"),
              ("responsible_role", "职务"), ("phone", "电话"), ("area_km2", "面积 (km²)"),
              ("source", "范围来源"))
ZONE_PROPERTIES = ("name", "kind", "kind_name", "responsible_person", "responsible_role", "phone",
                   "river_name", "area_km2", "source")


def zone_layer(*, name: str, title: str, kinds: tuple[str, ...], style: dict, **options) -> Layer:
    """A layer of flood zones of some kinds: the same rows, properties and popup for each."""
    return Layer(name=name, title=title, geometry="polygon",
                 source=lambda user: zones_for_user(user, kinds=kinds),
                 properties=ZONE_PROPERTIES, popup=ZONE_POPUP, style=style,
                 capability=COMMAND_FLOODS, draw="geojson", **options)


register(zone_layer(
    name="flood-zones", title="防汛责任区", kinds=("sub_command", "river_system"),
    style={"color": "#00897b", "weight": 1.5, "fillOpacity": 0.08, "dashArray": "4 3"},
    style_by={"property": "kind", "values": {"sub_command": "#00897b", "river_system": "#0277bd"},
              "default": "#00897b",
              "legend": {"防汛分指挥部": "#00897b", "河系责任区": "#0277bd"}},
    filters={"kind": "kind"},
))
register(zone_layer(
    name="flood-basins", title="蓄滞洪区", kinds=("detention_basin",),
    style={"color": "#6a1b9a", "weight": 2, "fillColor": "#ab47bc", "fillOpacity": 0.18},
))
register(zone_layer(
    name="flood-gates", title="分洪口门", kinds=("diversion_gate",),
    style={"color": "#c62828", "weight": 2, "fillColor": "#ef5350", "fillOpacity": 0.5},
))
register(Layer(
    name="dikes", title="堤段", geometry="line",
    source=dikes_for_user,
    properties=("name", "river_name", "bank", "chainage_start_m", "chainage_end_m", "length_m",
                "watching_village", "responsible_person", "phone"),
    popup=(("name", "堤段"), ("river_name", "河流"), ("bank", "岸别"), ("chainage_start_m", "起点桩号 (m)"),
           ("chainage_end_m", "终点桩号 (m)"), ("length_m", "长度 (m)"), ("watching_village", "守护村"),
           ("responsible_person", "责任人"), ("phone", "电话")),
    style={"color": "#827717", "weight": 2, "opacity": 0.8}, show=False,
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="pumping-stations", title="泵站", geometry="point", geom_field="location",
    source=pumping_stations_for_user,
    properties=("name", "river_name", "design_flow_m3s", "installed_power_kw", "pump_count",
                "design_head_m", "status", "status_name"),
    popup=(("name", "泵站"), ("river_name", "排入河道"), ("design_flow_m3s", "设计流量 (m³/s)"),
           ("installed_power_kw", "装机功率 (kW)"), ("pump_count", "水泵台数"),
           ("design_head_m", "设计扬程 (m)"), ("status_name", "状态")),
    style={"color": "#0d47a1", "fillColor": "#42a5f5", "fillOpacity": 0.95, "radius": 7, "weight": 2},
    style_by={"property": "status", "values": {"operational": "#1565c0", "maintenance": "#8e24aa",
                                               "out_of_service": "#757575"},
              "default": "#1565c0", "legend": {"泵站（正常）": "#1565c0", "泵站（检修）": "#8e24aa"}},
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="sluices", title="水闸/涵洞", geometry="point", geom_field="location",
    source=sluices_for_user,
    properties=("name", "kind", "kind_name", "river_name", "gate_count", "net_width_m",
                "design_discharge_m3s"),
    popup=(("name", "名称"), ("kind_name", "类型"), ("river_name", "所在河道"), ("gate_count", "闸孔数"),
           ("net_width_m", "总净宽 (m)"), ("design_discharge_m3s", "设计流量 (m³/s)")),
    style={"color": "#004d40", "fillColor": "#26a69a", "fillOpacity": 0.95, "radius": 6, "weight": 2},
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="depots", title="防汛物资仓库", geometry="point", geom_field="location",
    source=depots_for_user,
    properties=("name", "address", "manager", "phone", "stock", "low_items", "stock_state"),
    popup=(("name", "仓库"), ("manager", "负责人"), ("phone", "电话"), ("stock", "库存"),
           ("stock_state", "储备状态")),
    style={"color": "#e65100", "fillColor": "#ff9800", "fillOpacity": 0.95, "radius": 9, "weight": 2},
    style_by={"property": "stock_state", "values": {"正常": "#ef6c00", "低于最低储备": "#c51162"},
              "default": "#ef6c00", "legend": {"仓库（储备正常）": "#ef6c00", "仓库（低于最低储备）": "#c51162"}},
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="rescue-teams", title="抢险救援队伍", geometry="point", geom_field="base",
    source=teams_for_user,
    properties=("name", "members", "equipment", "contact", "phone"),
    popup=(("name", "队伍"), ("members", "人数"), ("equipment", "主要装备"), ("contact", "联系人"),
           ("phone", "电话")),
    style={"color": "#1b5e20", "fillColor": "#66bb6a", "fillOpacity": 0.95, "radius": 7, "weight": 2},
    capability=COMMAND_FLOODS, draw="geojson",
))
# --- inspections (issue 6) -------------------------------------------------------------------
# One declaration serves the officer (their cells, `assignee=<username>` for their own) and
# the supervisor (the district): the scope rule decides what each receives.
# Task and hazard states take colours no risk level uses (red, orange, yellow, blue: a map
# shows both): one colour, one meaning.
OVERDUE_STYLE = {"property": "overdue", "values": {"overdue": "#c2185b", "on_time": "#2e7d32"},
                 "default": "#2e7d32", "legend": {"逾期": "#c2185b", "未逾期": "#2e7d32"}}
register(Layer(
    name="tasks", title="检查任务", geometry="point",
    source=tasks_for_map, geom_field="location",
    properties=("enterprise_name", "cell_code", "assignee_name", "assignee_username", "status",
                "status_name", "due", "overdue"),
    popup=(("enterprise_name", "企业"), ("cell_code", "网格"), ("assignee_name", "承办人"),
           ("status_name", "状态"), ("due", "完成期限")),
    style={"radius": 6, "weight": 2, "color": "#2e7d32", "fillOpacity": 0.8},
    style_by=OVERDUE_STYLE, tooltip="enterprise_name", draw="geojson",
    filters={"cell": "cell__code", "grid": "cell__parent__code", "assignee": "assignee__username",
             "status": "status", "id": "id"},
))
HAZARD_OVERDUE_COLOURS = {"overdue": "#212121", "on_time": "#795548"}
register(Layer(
    name="open-hazards", title="未销号隐患", geometry="point",
    source=open_hazards_for_map, geom_field="location",
    properties=("enterprise_name", "cell_code", "level", "level_name", "status", "status_name",
                "due", "overdue", "criterion_code"),
    popup=(("enterprise_name", "企业"), ("level_name", "隐患等级"), ("status_name", "状态"),
           ("due", "整改期限"), ("criterion_code", "判定依据"), ("cell_code", "网格")),
    style={"radius": 6, "weight": 2, "color": "#6d4c41", "fillOpacity": 0.85},
    style_by={"property": "overdue", "values": HAZARD_OVERDUE_COLOURS,
              "default": "#795548", "legend": {"逾期隐患": "#212121", "整改期限内": "#795548"}},
    tooltip="enterprise_name", draw="geojson",
    filters={"cell": "cell__code", "grid": "cell__parent__code", "level": "level", "status": "status",
             "id": "id"},
))
register(Layer(
    name="inspection-stats", title="检查户次（按二级网格）", geometry="polygon",
    source=cell_statistics_for_map,
    properties=("code", "name", "parent_name", "inspection_count", "hazard_count", "band", "period"),
    popup=(("name", "二级网格"), ("code", "编码"), ("parent_name", "一级网格"), ("period", "统计期间"),
           ("inspection_count", "检查户次"), ("hazard_count", "发现隐患")),
    style={"color": "#455a64", "weight": 1, "fillOpacity": 0.6},
    style_by={"property": "band",
              "values": {"0": "#f7fbff", "1–4": "#c6dbef", "5–9": "#6baed6", "10–19": "#2171b5", "≥ 20": "#08306b"},
              "default": "#f7fbff",
              "legend": {"0 户次": "#f7fbff", "1–4": "#c6dbef", "5–9": "#6baed6", "10–19": "#2171b5",
                         "≥ 20": "#08306b"}},
    filters={"parent": "parent__code", "code": "code"},
))

# --- flood command in a storm (issue 17) -----------------------------------------------------
from gridmap.flood.gauges import (  # noqa: E402
    shelters_for_user,
    stations_for_user,
    villages_for_user,
    waterlogging_points_for_user,
)

# Normal stations white, so that the two states that matter stand out among the green teams.
STATION_STATE_COLOURS = {"danger": "#d50000", "warning": "#ff8f00", "normal": "#ffffff"}
register(Layer(
    name="stations", title="水雨情测站", geometry="point", geom_field="location",
    source=stations_for_user,
    properties=("code", "name", "kind", "kind_name", "river_name", "state", "state_name", "stale",
                "latest_value", "latest_time", "rain_24h_mm", "warning_level", "guarantee_level"),
    popup=(("name", "测站"), ("code", "编码"), ("kind_name", "类型"), ("state_name", "状态"),
           ("latest_value", "最新读数"), ("latest_time", "观测时间"), ("rain_24h_mm", "24 小时雨量 (mm)"),
           ("warning_level", "警戒值"), ("guarantee_level", "保证值/危险值")),
    style={"radius": 7, "weight": 2, "color": "#263238", "fillOpacity": 0.95},
    style_by={"property": "state", "values": STATION_STATE_COLOURS, "default": "#ffffff",
              "legend": {"超保证/大暴雨": "#d50000", "超警戒/暴雨": "#ff8f00", "正常": "#ffffff"}},
    filters={"kind": "kind", "state": "state", "code": "code"},
    draw="geojson",
))
PERSON_POPUP = (("responsible_person", "责任人"), ("phone", "电话"))
register(Layer(
    name="waterlogging-points", title="易涝点", geometry="point", geom_field="location",
    source=waterlogging_points_for_user,
    properties=("name", "description", "responsible_person", "phone", "generated"),
    popup=(("name", "易涝点"), ("description", "情况"), *PERSON_POPUP),
    style={"radius": 6, "weight": 2, "color": "#01579b", "fillColor": "#4fc3f7", "fillOpacity": 0.9},
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="evacuation-villages", title="需转移村庄", geometry="point", geom_field="location",
    source=villages_for_user,
    properties=("name", "town", "population", "shelter_name", "responsible_person", "phone", "generated"),
    popup=(("name", "村庄"), ("town", "所属"), ("population", "人口"), ("shelter_name", "安置点"), *PERSON_POPUP),
    style={"radius": 6, "weight": 2, "color": "#4a148c", "fillColor": "#ce93d8", "fillOpacity": 0.9},
    capability=COMMAND_FLOODS, draw="geojson",
))
register(Layer(
    name="shelters", title="避险安置点", geometry="point", geom_field="location",
    source=shelters_for_user,
    properties=("name", "address", "capacity", "responsible_person", "phone", "generated"),
    popup=(("name", "安置点"), ("address", "地址"), ("capacity", "容纳人数"), *PERSON_POPUP),
    style={"radius": 8, "weight": 2, "color": "#00695c", "fillColor": "#a5d6a7", "fillOpacity": 0.95},
    capability=COMMAND_FLOODS, draw="geojson",
))
# --- storm events (issue 17): situation reports, dispatches, roll calls -------------------------
from gridmap.flood.events.selectors import (  # noqa: E402
    dispatches_for_map,
    roll_call_posts_for_map,
    situation_reports_for_map,
)

SEVERITY_COLOURS = {"general": "#fb8c00", "serious": "#dd2c00", "critical": "#880e4f"}
DISPATCH_COLOURS = {"deployed": "#0d47a1", "done": "#90a4ae"}
register(Layer(
    name="situation_reports", title="险情报告", geometry="point", geom_field="position",
    source=situation_reports_for_map,
    properties=("kind", "kind_name", "severity", "severity_name", "description", "cell_code", "reporter_name",
                "when", "event_id", "event_name"),
    popup=(("kind_name", "险情类型"), ("severity_name", "严重程度"), ("description", "情况说明"),
           ("reporter_name", "报告人"), ("when", "报告时间"), ("cell_code", "网格"), ("event_name", "事件")),
    style={"radius": 8, "weight": 2, "color": "#b71c1c", "fillOpacity": 0.9},
    style_by={"property": "severity", "values": SEVERITY_COLOURS, "default": "#fb8c00",
              "legend": {"险情（一般）": "#fb8c00", "险情（较重）": "#dd2c00", "险情（严重）": "#880e4f"}},
    tooltip="kind_name", draw="geojson",
    filters={"event": "event_id", "kind": "kind", "severity": "severity", "cell": "cell__code", "id": "id"},
    time_field="reported_at",
))
register(Layer(
    name="dispatches", title="调度", geometry="point", geom_field="destination",
    source=dispatches_for_map,
    properties=("event_id", "event_name", "depot_name", "items_text", "teams_text", "distance_km", "state",
                "state_name", "when"),
    popup=(("depot_name", "出发仓库"), ("items_text", "物资"), ("teams_text", "队伍"), ("distance_km", "距离 (km)"),
           ("state_name", "状态"), ("when", "调度时间"), ("event_name", "事件")),
    style={"radius": 8, "weight": 3, "color": "#0d47a1", "fillColor": "#ffffff", "fillOpacity": 0.9},
    style_by={"property": "state", "values": DISPATCH_COLOURS, "default": "#0d47a1",
              "legend": {"调度目的地（队伍在外）": "#0d47a1", "调度目的地（已撤回）": "#90a4ae"}},
    tooltip="depot_name", capability=COMMAND_FLOODS, draw="geojson",
    filters={"event": "event_id", "id": "id"},
    time_field="dispatched_at",
))
register(Layer(
    name="roll-call", title="点名（一级网格）", geometry="polygon",
    source=roll_call_posts_for_map,
    properties=("name", "code", "state", "state_name", "answerer", "answered_time", "last_called_round"),
    popup=(("name", "一级网格"), ("state_name", "应答"), ("answerer", "应答人"), ("answered_time", "应答时间"),
           ("last_called_round", "最后点名轮次")),
    style={"color": "#37474f", "weight": 2, "fillOpacity": 0.35},
    style_by={"property": "state", "values": {"answered": "#00c853", "unanswered": "#ff1744"},
              "default": "#ff1744", "legend": {"已应答": "#00c853", "未应答": "#ff1744"}},
    capability=COMMAND_FLOODS, draw="geojson",
    filters={"roll_call": "roll_call_id", "event": "roll_call__event_id"},
))
