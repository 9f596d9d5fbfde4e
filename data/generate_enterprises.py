"""Generate the sample enterprises and risk points of Jinghai District (静海区).

Everything here is invented for demonstration and tests: names, credit codes (valid
GB 32100 check characters, with valid GB 11714 organisation-code checks), people, sites and
risk points. Only the industry mix follows the district's 2019 report: steel rolling (GB/T
4754-2017 division 31) around 大邱庄镇, metal products and machinery (33/34/35), non-ferrous
and recycling in 子牙 economic-technological development zone, warehousing and logistics
(59/54), and hazardous-chemical traders (a flag, not a GB/T 4754 class). Enterprises
cluster in industrial zones of each town and park, inside the generated level-II cells.

Some records are deliberately incomplete (no site outline, a risk point without a
responsible person or without a position) so that the completeness dashboard has work.

Run from the repo root:  python data/generate_enterprises.py
Same inputs give byte-identical outputs (fixed seed).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.affinity import rotate

SEED = 20190428
TOTAL = 6000
DATA_DIR = Path(__file__).resolve().parent
SHAPES = DATA_DIR / "shapefiles"
WORK_CRS = "EPSG:4548"  # CGCS2000 / 3-degree GK CM 117E, metres
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Level-I unit -> (share of enterprises, industry profile, number of industrial clusters)
UNITS = {
    "120118108": (900, "steel", 4),      # 大邱庄镇: steel rolling and wire
    "120118402": (450, "recycling", 3),  # 子牙经济技术开发区: non-ferrous, recycling
    "120118400": (500, "machinery", 3),  # 高新产业园
    "120118403": (250, "health", 2),     # 健康产业国际合作示范区
    "120118100": (450, "town", 4), "120118101": (350, "town_steel", 3),
    "120118102": (350, "town_steel", 3), "120118103": (300, "town_bike", 3),
    "120118104": (200, "town", 2), "120118105": (200, "recycling", 2),
    "120118106": (300, "town_steel", 3), "120118107": (200, "town", 2),
    "120118109": (250, "town_steel", 2), "120118110": (150, "town", 2),
    "120118111": (150, "health", 2), "120118112": (250, "town", 3),
    "120118113": (180, "town", 2), "120118114": (180, "town", 2),
    "120118115": (160, "town", 2), "120118200": (130, "town", 2),
    "120118201": (130, "town", 2), "120118001": (180, "street", 3),
    "120118002": (190, "street", 3),
}
BASE_TOWN = {"3311": 10, "3340": 8, "3484": 10, "3441": 5, "2929": 8, "2922": 6, "1329": 5,
             "1713": 3, "2221": 4, "2319": 4, "3021": 6, "5920": 9, "5910": 3, "5431": 6,
             "5169": 4, "5162": 2, "5265": 2, "5990": 3, "3360": 3, "3670": 4}
PROFILES = {
    "steel": {"3130": 45, "3340": 10, "3311": 10, "3360": 8, "3391": 5, "3140": 2, "5920": 6,
              "5431": 4, "5169": 3, "3484": 5, "2929": 2},
    "recycling": {"4210": 22, "3216": 4, "3252": 12, "3251": 10, "4220": 10, "3392": 8,
                  "2922": 8, "5920": 8, "3831": 8, "3670": 6, "5942": 2},
    "machinery": {"3484": 15, "3441": 10, "3443": 10, "3525": 8, "3670": 12, "3831": 8,
                  "3511": 6, "2641": 4, "2661": 4, "3360": 5, "5920": 8, "5942": 3, "3411": 5},
    "health": {"2710": 12, "2761": 10, "1419": 12, "1391": 8, "5930": 10, "5920": 10,
               "2319": 6, "2929": 6, "5169": 3, "3484": 5},
    "town": BASE_TOWN,
    "town_steel": {**BASE_TOWN, "3130": 18, "3340": 14, "3311": 12},
    "town_bike": {**BASE_TOWN, "3761": 20, "2929": 12},
    "street": {"5265": 10, "6210": 20, "7020": 12, "5920": 10, "2319": 8, "5169": 5,
               "5431": 10, "5930": 5, "1419": 5},
}
NAMES = {
    "3130": "钢铁", "3340": "金属制品", "3311": "钢结构", "3360": "镀锌", "3391": "铸造",
    "3140": "合金", "5920": "仓储", "5431": "物流", "5169": "化工贸易", "3484": "机械",
    "2929": "塑料制品", "4210": "再生资源", "3216": "铝业", "3252": "铝材", "3251": "铜业",
    "4220": "环保科技", "3392": "精密铸造", "2922": "塑料管材", "3831": "电缆", "3670": "汽车配件",
    "5942": "危险品仓储", "3441": "泵业", "3443": "阀门", "3525": "模具", "3511": "重工",
    "2641": "涂料", "2661": "化学试剂", "3411": "锅炉", "2710": "药业", "2761": "生物制药",
    "1419": "食品", "1391": "淀粉", "5930": "冷链物流", "2319": "印刷包装", "1329": "饲料",
    "1713": "印染", "2221": "纸业", "3021": "建材", "5910": "装卸", "5162": "石油化工",
    "5265": "加油站", "5990": "储运", "3761": "自行车", "6210": "餐饮", "7020": "物业管理",
}
CHEM = {"5162", "5169", "5942", "5265", "2641", "2661", "2710"}
KEY_CODES = {"3130", "3216", "3252", "3140", "5942", "5162", "2641", "2661"}
SYLLABLES = "宏鑫达盛泰源华金通恒瑞丰安隆兴昌汇德利信诚嘉正捷鼎博远众新顺合永广联强益祥和润泽天中"
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰飞鹏辉斌宇浩凯秀云海波宁亮婷"

# Risk-point templates: name, place, activity, hazard source, accident types, method,
# candidate factors ((L, E, C) or (L, S)), engineering, management, PPE measures.
T = {
    "furnace": ("加热炉", "轧钢车间加热炉区", "钢坯加热", "高温炉体、燃气", "灼烫、火灾、其他爆炸",
                "LEC", [(3, 6, 15), (3, 6, 40), (1, 6, 15), (6, 6, 15)],
                "炉体测温与燃气切断联锁", "点检表每班检查", "隔热服、防护面罩"),
    "rolling": ("轧机", "轧钢车间", "轧制作业", "旋转轧辊、飞剪", "机械伤害、物体打击", "LEC",
                [(3, 6, 7), (1, 6, 15), (3, 6, 15), (6, 6, 7)],
                "轧机防护罩、急停按钮", "检修挂牌上锁", "安全帽、防护手套"),
    "gas": ("煤气管道", "煤气区域", "煤气输送", "煤气泄漏", "中毒和窒息、其他爆炸", "LEC",
            [(3, 6, 40), (1, 6, 40), (6, 6, 40), (1, 3, 40)],
            "固定式一氧化碳报警仪", "动火作业审批", "便携式一氧化碳报警仪、空气呼吸器"),
    "crane": ("桥式起重机", "成品库", "起重吊装", "起重机械", "起重伤害", "LEC",
              [(1, 6, 15), (3, 3, 15), (1, 3, 15), (3, 6, 7)],
              "限位器、超载限制器", "特种设备定期检验", "安全帽"),
    "pit": ("氧化铁皮沟", "轧线地下", "清理作业", "有限空间、缺氧", "中毒和窒息、淹溺", "LS",
            [(3, 5), (2, 5), (3, 4), (4, 5)],
            "强制通风设施", "有限空间作业审批、先通风再检测后作业", "气体检测仪、安全绳"),
    "press": ("冲压机", "冲压车间", "冲压作业", "冲床", "机械伤害", "LEC",
              [(3, 6, 7), (1, 6, 7), (3, 6, 3), (6, 6, 7)],
              "光电保护装置、双手按钮", "岗位操作规程", "防护手套"),
    "welding": ("电焊作业区", "焊接车间", "电焊、气割", "电弧、乙炔和氧气瓶", "灼烫、火灾、触电",
                "LEC", [(3, 6, 7), (3, 6, 3), (1, 6, 15), (3, 6, 15)],
                "气瓶防倾倒、回火防止器", "动火作业票", "焊工面罩、绝缘鞋"),
    "dust": ("打磨抛光工位", "抛光车间", "打磨抛光", "铝镁金属粉尘", "其他爆炸、火灾", "LS",
             [(3, 5), (2, 5), (3, 4), (2, 4)],
             "湿式除尘器、防爆电气", "粉尘清扫制度", "防尘口罩、防静电服"),
    "acid": ("酸洗槽", "表面处理车间", "酸洗", "盐酸、硫酸", "灼烫、中毒和窒息", "LEC",
             [(3, 6, 7), (1, 6, 7), (3, 6, 15)],
             "酸雾收集装置、围堰", "危化品领用登记", "防酸服、护目镜"),
    "melting": ("熔炼炉", "熔炼车间", "熔炼", "高温金属液", "灼烫、其他爆炸", "LEC",
                [(3, 6, 15), (1, 6, 40), (3, 6, 40), (1, 6, 15)],
                "炉前防水、冷却水断水报警", "开炉前检查", "阻燃服、防护面罩"),
    "compressor": ("空压机储气罐", "空压站", "压缩空气", "压力容器", "容器爆炸", "LS",
                   [(2, 4), (1, 4), (2, 3), (3, 4)],
                   "安全阀、压力表", "压力容器定期检验", "耳塞"),
    "chem_store": ("危化品库房", "危化品仓库", "危化品储存", "易燃液体、氧化剂",
                   "火灾、其他爆炸、中毒和窒息", "LEC", [(3, 6, 15), (3, 6, 40), (1, 6, 40)],
                   "可燃气体报警、防爆电气、通风", "双人双锁、出入库台账", "防静电服"),
    "loading": ("装卸区", "装卸平台", "危化品装卸", "易燃液体、槽罐车", "火灾、其他爆炸、车辆伤害",
                "LEC", [(3, 3, 15), (1, 6, 40), (3, 6, 15)],
                "静电接地报警器", "装卸作业专人监护", "防静电服"),
    "reactor": ("反应釜", "生产车间", "化学反应", "反应釜超温超压", "火灾、其他爆炸、中毒和窒息",
                "LEC", [(1, 6, 40), (3, 6, 40), (3, 6, 15)],
                "温度压力联锁、紧急泄放", "工艺操作规程", "防护面罩"),
    "tank": ("储罐区", "罐区", "储存", "甲类液体储罐", "火灾、其他爆炸", "LEC",
             [(1, 6, 40), (1, 6, 100), (3, 6, 40)],
             "防火堤、液位报警、紧急切断", "罐区巡检", "防静电服"),
    "fuel": ("加油机", "加油区", "加油作业", "汽油、柴油", "火灾、其他爆炸", "LEC",
             [(1, 6, 40), (3, 6, 15), (1, 6, 15)],
             "油气回收、紧急切断", "卸油作业监护", "防静电工作服"),
    "racks": ("高位货架", "库房", "仓储作业", "高位货架", "物体打击、坍塌", "LS",
              [(2, 3), (2, 2), (3, 3), (1, 3)],
              "货架防撞护栏", "限高限载标识", "安全帽"),
    "forklift": ("叉车作业", "库区通道", "叉车搬运", "场内机动车辆", "车辆伤害", "LEC",
                 [(3, 6, 7), (1, 6, 15), (3, 6, 3)],
                 "人车分流、限速标志", "持证上岗", "反光背心"),
    "dock": ("装卸月台", "月台", "装卸作业", "货车、登车桥", "车辆伤害、高处坠落", "LS",
             [(2, 3), (2, 2), (3, 2), (1, 2)],
             "月台防坠护栏、车辆止挡", "装卸指挥", "安全鞋"),
    "ammonia": ("液氨制冷机房", "冷库机房", "制冷运行", "液氨", "中毒和窒息、其他爆炸", "LEC",
                [(1, 6, 40), (3, 6, 40), (1, 6, 100)],
                "氨气泄漏报警与排风联锁", "制冷工持证上岗", "防毒面具、空气呼吸器"),
    "mill": ("粉碎工段", "原料车间", "粉碎", "粮食淀粉粉尘", "其他爆炸、火灾", "LS",
             [(2, 5), (3, 4), (2, 4), (1, 5)],
             "除尘系统、泄爆片", "清扫制度", "防尘口罩"),
    "boiler": ("锅炉房", "锅炉房", "锅炉运行", "蒸汽锅炉", "锅炉爆炸、灼烫", "LEC",
               [(1, 6, 15), (1, 6, 40), (3, 6, 7)],
               "水位报警、安全阀", "司炉持证上岗", "隔热手套"),
    "sewage": ("污水池", "污水处理站", "清理作业", "有限空间、硫化氢", "中毒和窒息", "LS",
               [(3, 5), (2, 5), (2, 4)],
               "池口盖板、通风", "有限空间作业审批", "气体检测仪、安全绳"),
    "moulding": ("注塑机", "注塑车间", "注塑", "注塑机", "机械伤害、灼烫", "LEC",
                 [(3, 6, 3), (3, 6, 7), (1, 6, 7)],
                 "安全门联锁", "岗位操作规程", "防护手套"),
    "kitchen": ("后厨", "厨房", "燃气灶具", "液化石油气", "火灾、其他爆炸", "LEC",
                [(1, 6, 15), (3, 6, 7), (1, 6, 40)],
                "可燃气体报警、切断阀", "用气安全检查", "防烫手套"),
    "power": ("配电室", "配电室", "配电设施运行", "高低压配电设备", "触电、火灾", "LS",
              [(1, 4), (2, 3), (1, 3), (2, 4)],
              "漏电保护、绝缘垫", "电工持证上岗", "绝缘手套、绝缘鞋"),
}
GROUP_TEMPLATES = {
    "31": ["furnace", "rolling", "gas", "crane", "pit", "power", "forklift", "welding"],
    "metal": ["press", "welding", "crane", "compressor", "power", "forklift", "acid"],
    "nonferrous": ["melting", "dust", "crane", "compressor", "power", "forklift"],
    "chem": ["chem_store", "loading", "tank", "reactor", "power", "forklift"],
    "fuel": ["fuel", "tank", "loading", "power"],
    "logistics": ["racks", "forklift", "dock", "power"],
    "cold": ["ammonia", "racks", "forklift", "dock", "power"],
    "food": ["mill", "boiler", "sewage", "power", "forklift"],
    "light": ["moulding", "boiler", "power", "forklift", "compressor"],
    "service": ["kitchen", "power"],
}


def group_of(code: str) -> str:
    if code.startswith("31"):
        return "31"
    if code in ("3216", "3252", "3251", "3392", "4210", "4220", "3391"):
        return "nonferrous"
    if code == "5265":
        return "fuel"
    if code in CHEM or code.startswith("26") or code.startswith("27"):
        return "chem"
    if code == "5930":
        return "cold"
    if code[:2] in ("59", "54"):
        return "logistics"
    if code[:2] in ("13", "14", "15", "17", "22"):
        return "food"
    if code[:2] in ("62", "70", "72"):
        return "service"
    if code[:2] in ("29", "23", "30", "38"):
        return "light"
    return "metal"


def gb32100_check(body: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def gb11714_check(body: str) -> str:
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w
                for ch, w in zip(body, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code(rng, used: set[str]) -> str:
    while True:
        region = "120223" if rng.random() < 0.55 else "120118"  # 静海县 before 2015, then 区
        if rng.random() < 0.6:
            org = "MA0" + "".join(rng.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 5))
        else:
            org = "".join(rng.choice(list("0123456789"), 8))
        body = "91" + region + org + gb11714_check(org)
        code = body + gb32100_check(body)
        if code not in used:
            used.add(code)
            return code


def person(rng) -> str:
    return rng.choice(list(SURNAMES)) + "".join(rng.choice(list(GIVEN), rng.integers(1, 3)))


def pick(rng, weights: dict[str, int]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[rng.choice(len(keys), p=p / p.sum())]


def main() -> None:
    rng = np.random.default_rng(SEED)
    to_work = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    to_wgs = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    units = pyogrio.read_dataframe(SHAPES / "grids_level1.shp")
    cells = pyogrio.read_dataframe(SHAPES / "grids_level2.shp")
    unit_geom = {r.code: shapely.transform(r.geometry, lambda c: np.column_stack(
        to_work.transform(c[:, 0], c[:, 1]))) for r in units.itertuples()}
    unit_name = dict(zip(units.code, units.name, strict=True))
    cell_geoms = np.array([shapely.transform(g, lambda c: np.column_stack(
        to_work.transform(c[:, 0], c[:, 1]))) for g in cells.geometry])
    tree = shapely.STRtree(cell_geoms)
    scale_total = sum(v[0] for v in UNITS.values())
    counts = {code: round(share * TOTAL / scale_total) for code, (share, _, _) in UNITS.items()}
    counts["120118108"] += TOTAL - sum(counts.values())

    used_codes: set[str] = set()
    used_names: set[str] = set()
    enterprises, points = [], []
    for unit_code, (_, profile, n_clusters) in UNITS.items():
        polygon = unit_geom[unit_code]
        minx, miny, maxx, maxy = polygon.bounds
        centres = []
        while len(centres) < n_clusters:
            c = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if polygon.buffer(-800).contains(c):
                centres.append(c)
        sigma = 500 if profile in ("street", "health") else 900
        for _ in range(counts[unit_code]):
            while True:
                centre = centres[rng.integers(len(centres))]
                x = centre.x + rng.normal(0, sigma)
                y = centre.y + rng.normal(0, sigma)
                lon, lat = (round(v, 6) for v in to_wgs.transform(x, y))
                x, y = to_work.transform(lon, lat)
                point = shapely.Point(x, y)
                # Strictly inside one cell, at least 5 m from any border (no tie at a border).
                hits = [h for h in tree.query(point, predicate="within")
                        if cell_geoms[h].boundary.distance(point) > 5]
                if len(hits) == 1:
                    break
            cell = cells.iloc[hits[0]]
            code = pick(rng, PROFILES[profile])
            industry = NAMES[code]
            while True:
                name = f"天津{''.join(rng.choice(list(SYLLABLES), 2))}{industry}有限公司"
                if name not in used_names:
                    used_names.add(name)
                    break
            scale = pick(rng, {"large": 3, "medium": 15, "small": 50, "micro": 32})
            group = group_of(code)
            hazardous = code in CHEM or (group == "31" and rng.random() < 0.3) or (
                code == "3360" and rng.random() < 0.5)
            dust = group == "nonferrous" and rng.random() < 0.5 or (
                group == "food" and rng.random() < 0.3)
            confined = group in ("31", "food") and rng.random() < 0.4
            ammonia = group == "cold" and rng.random() < 0.6
            key = hazardous or ammonia or (code in KEY_CODES) or (
                dust and scale in ("large", "medium"))
            status = pick(rng, {"operating": 90, "stopped": 7, "closed": 3})
            has_site = rng.random() < (0.85 if key else 0.6)
            site_wkt = ""
            site = None
            size = {"large": 350, "medium": 200, "small": 110, "micro": 60}[scale]
            if has_site:
                w, h = size * rng.uniform(0.7, 1.3), size * rng.uniform(0.5, 1.0)
                site = rotate(shapely.box(x - w / 2, y - h / 2, x + w / 2, y + h / 2),
                              rng.uniform(-30, 30), origin=point)
                site_wgs = shapely.transform(site, lambda c: np.column_stack(to_wgs.transform(
                    c[:, 0], c[:, 1])))
                site_wkt = shapely.to_wkt(site_wgs, rounding_precision=6)
            credit = credit_code(rng, used_codes)
            enterprises.append({
                "credit_code": credit, "name": name,
                "address": f"天津市静海区{unit_name[unit_code]}{cell['name']}"
                           f"{rng.choice(['工业园', '路', '街', '道'])}{rng.integers(1, 300)}号",
                "lon": f"{lon:.6f}", "lat": f"{lat:.6f}", "site_wkt": site_wkt,
                "industry_code": code, "industry_name": "", "hazardous_chemicals": int(hazardous),
                "dust_explosion": int(dust), "confined_space": int(confined),
                "ammonia": int(ammonia), "scale": scale,
                "legal_representative": person(rng),
                "safety_contact": person(rng) if rng.random() < 0.95 else "",
                "safety_phone": f"1{rng.choice(['3', '5', '8'])}{rng.integers(0, 10**9):09d}",
                "supervision_class": "key" if key else "general", "status": status,
            })
            if not key and rng.random() > 0.5:
                continue
            templates = list(GROUP_TEMPLATES[group])
            if dust and "dust" not in templates:
                templates.append("dust")
            if ammonia and "ammonia" not in templates:
                templates.append("ammonia")
            n_points = int(rng.integers(3, 7)) if key else int(rng.integers(1, 4))
            chosen = rng.choice(templates, size=min(n_points, len(templates)), replace=False)
            sloppy = rng.random() < 0.12  # deliberately incomplete registers
            unlocated = rng.random() < 0.06
            for number, template in enumerate(chosen, start=1):
                (rp_name, place, activity, hazard, accidents, method, candidates,
                 engineering, management, ppe) = T[template]
                factors = candidates[rng.choice(len(candidates), p=[0.4, 0.3, 0.2, 0.1][
                    :len(candidates)] / np.sum([0.4, 0.3, 0.2, 0.1][:len(candidates)]))]
                area = site if site is not None else point.buffer(size / 2)
                bx0, by0, bx1, by1 = area.bounds
                while True:
                    px, py = rng.uniform(bx0, bx1), rng.uniform(by0, by1)
                    if area.contains(shapely.Point(px, py)):
                        break
                if template in ("tank", "racks"):
                    geom = shapely.box(px - 12, py - 8, px + 12, py + 8)
                else:
                    geom = shapely.Point(px, py)
                geom = shapely.transform(geom, lambda c: np.column_stack(
                    to_wgs.transform(c[:, 0], c[:, 1])))
                missing_person = sloppy and number == 1
                points.append({
                    "credit_code": credit, "number": number, "name": rp_name, "place": place,
                    "activity": activity, "hazard_source": hazard, "accident_types": accidents,
                    "method": method,
                    "L": factors[0], "E": factors[1] if method == "LEC" else "",
                    "C": factors[2] if method == "LEC" else "",
                    "S": factors[1] if method == "LS" else "",
                    "responsible_unit": place.split("车间")[0] + "车间" if "车间" in place else "安全管理部",
                    "responsible_person": "" if missing_person else person(rng),
                    "measures_engineering": engineering, "measures_management": management,
                    "measures_training": "岗前安全培训和年度复训",
                    "measures_ppe": ppe,
                    "measures_emergency": "现场处置方案，每半年演练一次",
                    "location_wkt": "" if unlocated else shapely.to_wkt(geom, rounding_precision=7),
                })
    for path, rows in ((DATA_DIR / "enterprises.csv", enterprises),
                       (DATA_DIR / "risk_points.csv", points)):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    print(f"{len(enterprises)} enterprises, {len(points)} risk points")


if __name__ == "__main__":
    main()
