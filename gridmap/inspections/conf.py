"""The inspections app's settings (GRIDMAP_* in the project settings override these defaults),
domain.md §4."""

from gridmap.core.conf import AppSettings, env_int

app_settings = AppSettings(
    # Planned visits a year by the enterprise's risk colour (red quarterly, orange twice a
    # year, yellow and blue once); an enterprise not yet assessed is visited once.
    PLAN_VISITS_BY_RISK={"major": 4, "large": 2, "general": 1, "low": 1, "": 1},
    # Double random (双随机): at least two law-enforcement staff per visit.
    INSPECTORS_PER_VISIT=2,
    # Supervised rectification (挂牌督办) of an overdue hazard gets its own deadline.
    SUPERVISED_DEADLINE_DAYS=env_int("GRIDMAP_SUPERVISED_DEADLINE_DAYS", 30),
    # Reports (举报) are to be handled within this many days.
    REPORT_DEADLINE_DAYS=15,
    # Major decisions pass legal review (法制审核) before they are issued: a penalty decision
    # with a fine at or above this amount or ordering a production stop, and any document of
    # the kinds listed. On-site measures (stops, sealing under Work Safety Law art. 65) are not.
    MAJOR_FINE_YUAN=env_int("GRIDMAP_MAJOR_FINE_YUAN", 50000),
    MAJOR_DECISION_KINDS=("compulsory_measure",),
    # The bureau's WeChat account, as its exposures (公开曝光) name the medium: the report
    # counts the enterprises exposed there as one of its credit lists.
    WECHAT_MEDIUM="静海区应急管理局微信公众号",
)
