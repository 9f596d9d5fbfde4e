"""The top menu: one line per page, saying under which heading it sits, which desks offer it
and which capability it needs (so a menu never offers a page that would refuse its user).

A desk is where a role works from, named by accounts.selectors.landing_for (the one place
that maps roles to desks): overview (supervisors, administrators), flood (flood command),
town (grid heads), cell (grid officers), my_tasks (law-enforcement staff), devices (data
feeds), enterprise (enterprise users), map (anyone else). A heading with one entry is a
link in the bar; with more it is a drop-down. At most MAX_TOP headings per desk, besides
the account menu.

To offer a new page, add one Entry below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from gridmap.accounts.capabilities import (
    ASSIGN_INSPECTIONS,
    ASSIGN_OFFICERS,
    COMMAND_FLOODS,
    FEED_READINGS,
    ISSUE_DOCUMENTS,
    REVIEW_REGISTERS,
    SEE_DISTRICT,
    Capability,
)
from gridmap.accounts.selectors import landing_for
from gridmap.enterprises.selectors import own_enterprise_ids
from gridmap.grids.selectors import user_active_towns

MAX_TOP = 6
DISTRICT, FLOOD, TOWN, CELL, MY_TASKS = "overview", "flood", "town", "cell", "my_tasks"
ENTERPRISE = "enterprise"
SCOPED = frozenset({TOWN, CELL})
INSPECTING = frozenset({DISTRICT, TOWN, CELL})
EVERYONE = frozenset({DISTRICT, FLOOD, TOWN, CELL, MY_TASKS, "map"})


def _own_enterprise(user) -> list[int] | None:
    own = sorted(own_enterprise_ids(user))
    return own[:1] or None


def _own_town(user) -> list[str] | None:
    town = user_active_towns(user).first()
    return [town.code] if town else None


@dataclass(frozen=True)
class Entry:
    heading: str
    label: str
    url_name: str
    desks: frozenset[str]
    capability: Capability | None = None
    query: str = ""
    # The URL's arguments for this user; None: the entry is not offered to them.
    args: Callable[[object], list | None] = field(default=lambda user: [])


# Headings appear in the order of their first entry; entries in the order given.
ENTRIES: tuple[Entry, ...] = (
    Entry("概况", "全区概况", "workspaces:overview", frozenset({DISTRICT}), SEE_DISTRICT),
    # An enterprise user's desk (企业自查自纠): four headings, all of its own enterprise.
    Entry("本企业", "本企业", "selfcheck:desk", frozenset({ENTERPRISE})),
    Entry("一企一册", "一企一册", "enterprises:register", frozenset({ENTERPRISE}), args=_own_enterprise),
    Entry("自查", "记录自查", "selfcheck:record", frozenset({ENTERPRISE})),
    Entry("隐患整改", "隐患整改", "selfcheck:hazards", frozenset({ENTERPRISE})),
    Entry("一企一册", "提出变更", "selfcheck:changes", frozenset({ENTERPRISE})),
    Entry("本镇", "本镇概况", "workspaces:town", frozenset({TOWN}), args=_own_town),
    Entry("我的网格", "我的网格", "workspaces:my_cell", frozenset({CELL})),
    Entry("防汛指挥", "防汛指挥", "flood:map", frozenset({FLOOD}), COMMAND_FLOODS),
    Entry("物资", "防汛物资", "flood:stock", frozenset({FLOOD}), COMMAND_FLOODS),
    Entry("值班", "值班表", "flood:duty", frozenset({FLOOD}), COMMAND_FLOODS),
    Entry("应急", "应急事件", "flood:events", frozenset({FLOOD}), COMMAND_FLOODS),
    Entry("应急", "水雨情数据导入", "flood:readings-upload", frozenset({FLOOD}), FEED_READINGS),
    Entry("巡查记录", "巡查记录", "workspaces:patrol_list", frozenset({CELL})),
    Entry("我的任务", "我的任务", "workspaces:task_list", frozenset({MY_TASKS}), query="mine=1"),
    Entry("地图", "网格地图", "workspaces:map", frozenset({DISTRICT, FLOOD, TOWN, "map"})),
    Entry("地图", "企业风险地图", "registers:map", frozenset({DISTRICT, FLOOD, TOWN})),
    Entry("地图", "防汛指挥", "flood:map", frozenset({DISTRICT}), COMMAND_FLOODS),
    Entry("地图", "应急事件", "flood:events", frozenset({DISTRICT}), COMMAND_FLOODS),
    Entry("企业", "企业名录", "enterprises:list", INSPECTING | {MY_TASKS}),
    Entry("企业", "一企一册", "registers:dashboard", INSPECTING),
    Entry("企业", "企业上线率", "registers:online", frozenset({DISTRICT, TOWN})),
    Entry("企业", "一企一册变更审核", "registers:changes", frozenset({DISTRICT}), REVIEW_REGISTERS),
    Entry("企业", "企业风险地图", "registers:map", frozenset({CELL})),
    Entry("企业", "巡查记录", "workspaces:patrol_list", frozenset({DISTRICT, TOWN})),
    Entry("检查", "年度计划", "workspaces:plan", frozenset({DISTRICT}), ASSIGN_INSPECTIONS),
    Entry("检查", "分配检查", "workspaces:area_assign", frozenset({DISTRICT}), ASSIGN_INSPECTIONS),
    Entry("检查", "检查任务", "workspaces:task_list", frozenset({DISTRICT, TOWN})),
    Entry("检查", "我的任务", "workspaces:task_list", frozenset({CELL}), query="mine=1"),
    Entry("检查", "隐患", "workspaces:hazard_list", INSPECTING | {MY_TASKS}),
    Entry("检查", "举报", "workspaces:report_list", INSPECTING),
    Entry("检查", "险情报告", "field:situation_reports", frozenset({TOWN, CELL})),
    Entry("检查", "统计", "workspaces:statistics", INSPECTING),
    Entry("执法", "执法文书", "workspaces:document_list", frozenset({DISTRICT, MY_TASKS})),
    Entry("执法", "公开曝光", "workspaces:exposure_list", frozenset({DISTRICT}), ISSUE_DOCUMENTS),
    Entry("执法", "约谈", "workspaces:summons_list", frozenset({DISTRICT}), ISSUE_DOCUMENTS),
    Entry("执法", "执法公示", "workspaces:publication_manage", frozenset({DISTRICT}), ISSUE_DOCUMENTS),
    Entry("网格管理", "分配网格员", "workspaces:assign", frozenset({DISTRICT}), ASSIGN_OFFICERS),
    Entry("网格管理", "覆盖检查", "workspaces:coverage", frozenset({DISTRICT}), ASSIGN_OFFICERS),
)


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Heading:
    label: str
    links: list[Link]

    @property
    def single(self) -> Link | None:
        """The heading's only link, shown in the bar itself."""
        return self.links[0] if len(self.links) == 1 else None


def _url(entry: Entry, user) -> str | None:
    args = entry.args(user)
    if args is None:
        return None
    try:
        url = reverse(entry.url_name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{entry.query}" if entry.query else url


def menu_for(user) -> list[Heading]:
    """The headings and links of the user's desk that their capabilities allow."""
    desk = landing_for(user)
    headings: dict[str, Heading] = {}
    for entry in ENTRIES:
        if desk not in entry.desks or (entry.capability and not entry.capability.allows(user)):
            continue
        url = _url(entry, user)
        if url is not None:
            headings.setdefault(entry.heading, Heading(entry.heading, [])).links.append(Link(entry.label, url))
    return list(headings.values())
