"""Major-hazard criteria for industry and trade enterprises (工贸企业重大事故隐患判定标准),
Ministry of Emergency Management Order No. 10 (2023), in force 15 May 2023: 64 items,
3 management (Art. 3), 47 industry (Arts. 4–11), 14 special (Arts. 12–14: dust explosion 10,
ammonia refrigeration 2, confined space 2).

Codes are ours: "M10-<article>-<item>". `verbatim` is True only where the title is the
order's own wording (Art. 3); every other title is a PARAPHRASED SHORT TITLE written for the
checklist, not the legal text: the inspector judges against the official text. Industry
items are a representative subset (the sector's first items), not all 47.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    code: str
    category: str  # "management", "industry", "special"
    sector: str  # "all", an industry sector key, or a special key
    title: str
    verbatim: bool = False


SECTORS = {
    "all": "通用（管理类）", "metallurgy": "冶金", "nonferrous": "有色", "machinery": "机械",
    "light": "轻工", "warehousing": "商贸（仓储）", "dust": "存在粉尘爆炸危险",
    "ammonia": "使用液氨制冷", "confined": "有限空间作业",
}
# GB/T 4754-2017 divisions per sector (not the 2002 numbering: ferrous metals are 31).
SECTOR_DIVISIONS = {
    "metallurgy": ("31",),
    "nonferrous": ("32",),
    "machinery": ("33", "34", "35", "36", "37", "38", "43"),
    "light": ("13", "14", "15", "19", "20", "21", "22", "23", "24", "29"),
    "warehousing": ("51", "52", "59"),
}
# Enterprise flags that bring in the special items.
SPECIAL_FLAGS = {"dust": "dust_explosion", "ammonia": "ammonia", "confined": "confined_space"}

_C = Criterion
CRITERIA: tuple[Criterion, ...] = (
    # Art. 3: every industry and trade enterprise (the order's wording).
    _C("M10-3-1", "management", "all",
       "未对承包单位、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查的", True),
    _C("M10-3-2", "management", "all", "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业的", True),
    _C("M10-3-3", "management", "all", "金属冶炼企业主要负责人、安全生产管理人员未按照规定经考核合格的", True),
    # Art. 4 metallurgy (subset; paraphrased titles).
    _C("M10-4-1", "industry", "metallurgy", "人员聚集场所或钢铁水罐冷热修工位设在熔融金属吊运跨地坪区域内"),
    _C("M10-4-2", "industry", "metallurgy", "生产期间熔融金属泄漏、喷溅影响范围内的事故坑、渣坑等区域存在积水"),
    _C("M10-4-3", "industry", "metallurgy", "炼钢连铸未设事故钢水罐、漏钢坑、溢流坑等应急设施"),
    _C("M10-4-4", "industry", "metallurgy", "炼钢炉水冷元件未设出水温度、流量差监测报警或未与相关装置联锁"),
    _C("M10-4-5", "industry", "metallurgy", "高炉炉顶压力超设计值或压力监测未与放散阀联锁"),
    _C("M10-4-6", "industry", "metallurgy", "煤气区域人员聚集场所设置不当或煤气设施未设泄漏报警"),
    # Art. 5 non-ferrous (subset; paraphrased titles).
    _C("M10-5-1", "industry", "nonferrous", "人员聚集场所设在熔融金属吊运跨或浇注区地坪区域内"),
    _C("M10-5-2", "industry", "nonferrous", "熔融金属影响范围内的炉坑、渣坑等区域存在积水"),
    _C("M10-5-3", "industry", "nonferrous", "冶炼炉窑水冷元件未设温度、流量监测报警装置"),
    _C("M10-5-4", "industry", "nonferrous", "铝加工熔炼炉、保温炉未设紧急排放和应急储存设施"),
    # Art. 7 machinery (subset; paraphrased titles).
    _C("M10-7-1", "industry", "machinery", "人员聚集场所设在熔融金属吊运跨或浇注区域内"),
    _C("M10-7-2", "industry", "machinery", "铸造熔炼炉、精炼炉、保温炉未设紧急排放和应急储存设施"),
    _C("M10-7-3", "industry", "machinery", "铸造熔炼炉冷却水系统未设温度、流量监测报警装置"),
    _C("M10-7-4", "industry", "machinery", "喷涂作业场所未设可燃气体检测报警或通风设施失效"),
    # Art. 8 light industry (subset; paraphrased titles).
    _C("M10-8-1", "industry", "light", "食品制造烘制、油炸设备未设防过热自动切断装置"),
    _C("M10-8-2", "industry", "light", "白酒勾兑、灌装场所和酒库未设乙醇浓度检测报警或未与通风联锁"),
    _C("M10-8-3", "industry", "light", "纸浆制造、造纸使用蒸汽或明火直接加热钢瓶汽化液氯"),
    _C("M10-8-4", "industry", "light", "日用玻璃、陶瓷燃气窑炉未设燃气低压警报器和快速切断阀"),
    # Art. 11 commerce and warehousing (subset; paraphrased titles).
    _C("M10-11-1", "industry", "warehousing", "粮食进出仓作业未按作业标准步骤或未采取有效防护措施"),
    # Art. 12 dust explosion: all 10 (paraphrased titles).
    _C("M10-12-1", "special", "dust", "粉尘爆炸危险场所设在非框架结构多层建筑内，或场所内设有人员聚集场所"),
    _C("M10-12-2", "special", "dust",
       "不同类别可燃性粉尘或与可燃气体共用除尘系统，或不同建筑、防火分区除尘系统互联互通"),
    _C("M10-12-3", "special", "dust", "干式除尘系统未采取泄爆、惰化、抑爆等任一爆炸防控措施"),
    _C("M10-12-4", "special", "dust", "铝镁等金属粉尘除尘系统正压吹送且未采取火花探测消除等措施"),
    _C("M10-12-5", "special", "dust", "采用重力沉降室除尘或干式巷道式构筑物作除尘风道"),
    _C("M10-12-6", "special", "dust", "铝镁等金属粉尘、木质粉尘干式除尘系统未设锁气卸灰装置"),
    _C("M10-12-7", "special", "dust", "除尘器、收尘仓等20区粉尘爆炸危险场所电气设备不防爆"),
    _C("M10-12-8", "special", "dust", "粉碎研磨等设备前未设杂物去除装置，或砂光机风管未设火花探测消除装置"),
    _C("M10-12-9", "special", "dust", "遇湿自燃金属粉尘场所未防氢气积聚，或干式收集场所未防水防潮"),
    _C("M10-12-10", "special", "dust", "未落实粉尘清理制度，作业现场积尘严重"),
    # Art. 13 ammonia refrigeration: both items (paraphrased titles).
    _C("M10-13-1", "special", "ammonia", "包装、分割、产品整理场所空调系统采用氨直接蒸发制冷"),
    _C("M10-13-2", "special", "ammonia", "快速冻结装置未设在单独作业间内，或作业间内作业人员超过9人"),
    # Art. 14 confined space: both items (paraphrased titles).
    _C("M10-14-1", "special", "confined", "未辨识有限空间、建立安全管理台账，且未设置明显安全警示标志"),
    _C("M10-14-2", "special", "confined", "未落实作业审批，或未执行“先通风、再检测、后作业”，或未设监护人员"),
)
BY_CODE = {c.code: c for c in CRITERIA}


def criterion(code: str) -> Criterion | None:
    return BY_CODE.get(code)


def sector_of(industry_code: str) -> str | None:
    division = (industry_code or "")[:2]
    return next((s for s, divisions in SECTOR_DIVISIONS.items() if division in divisions), None)


def checklist_for(enterprise) -> list[Criterion]:
    """The items an inspection of this enterprise goes through: the management items, its
    sector's items, and the special items its flags call for."""
    sector = sector_of(enterprise.industry_code)
    specials = {key for key, flag in SPECIAL_FLAGS.items() if getattr(enterprise, flag, False)}
    return [c for c in CRITERIA
            if c.sector == "all" or c.sector == sector or (c.category == "special" and c.sector in specials)]
