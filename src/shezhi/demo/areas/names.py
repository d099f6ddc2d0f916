"""Name tables for the demo territory (青白江区), used by ``geometry``.

Street and town names are the district's real ones; community names, codes
within streets and every dedicated micro-grid name are plausible inventions.
Positions are kilometres east/north of the district centre before the outline
is warped, and only shape the demo map.
"""

from __future__ import annotations

DISTRICT_CODE = "510113"
DISTRICT_NAME = "青白江区"

# (code suffix, name, anchor km (x, y), seat density peak, community names)
# Statistical-code habit: 街道 0xx, 镇 1xx; 社区 from 001, 村 from 201.
STREETS: tuple[tuple[str, str, tuple[float, float], float, tuple[str, ...]], ...] = (
    (
        "001",
        "大弯街道",
        (-3.2, 1.6),
        0.0,
        (
            "大弯社区",
            "凤凰社区",
            "团结社区",
            "友谊社区",
            "双元社区",
            "三元社区",
            "青江社区",
            "华严社区",
            "白鹤社区",
            "太平社区",
            "锦城社区",
            "怡湖社区",
            "玉虹社区",
        ),
    ),
    (
        "002",
        "红阳街道",
        (0.4, 3.6),
        0.0,
        (
            "红阳社区",
            "红旗社区",
            "新河社区",
            "工农社区",
            "东风社区",
            "前锋社区",
            "钢城社区",
            "川化社区",
        ),
    ),
    (
        "003",
        "大同街道",
        (2.6, -0.6),
        0.0,
        (
            "大同社区",
            "福田社区",
            "普贤社区",
            "龙王社区",
            "祥福社区",
            "日新社区",
            "永安社区",
            "八角社区",
            "光辉村",
            "合兴村",
        ),
    ),
    (
        "100",
        "弥牟镇",
        (-8.8, -2.4),
        3.0,
        (
            "弥牟社区",
            "八阵社区",
            "陆港社区",
            "同心村",
            "和平村",
            "长林村",
            "高桥村",
            "新民村",
            "桤木村",
            "万安村",
            "黄家村",
            "土桥村",
        ),
    ),
    (
        "101",
        "城厢镇",
        (-8.4, 4.6),
        3.5,
        (
            "绣川社区",
            "城北社区",
            "城南社区",
            "十八湾村",
            "天星村",
            "五桂村",
            "金华村",
            "双桥村",
            "洪安村",
            "玉皇村",
            "三河村",
        ),
    ),
    (
        "102",
        "姚渡镇",
        (4.6, 6.6),
        2.5,
        (
            "姚渡社区",
            "光明村",
            "涌泉村",
            "宝峰村",
            "马家村",
            "黄林村",
            "石马村",
            "双龙村",
            "丰收村",
        ),
    ),
    (
        "103",
        "清泉镇",
        (9.6, 0.4),
        2.5,
        (
            "清泉社区",
            "平安村",
            "灯塔村",
            "三星村",
            "石板村",
            "金凤村",
            "白果村",
            "松林村",
            "回龙村",
            "红花村",
        ),
    ),
    (
        "104",
        "福洪镇",
        (4.2, -6.2),
        2.5,
        (
            "福洪社区",
            "杏花村",
            "三合村",
            "民安村",
            "高家村",
            "金福村",
            "柏树村",
            "仙鹤村",
            "大石村",
            "梨花村",
        ),
    ),
)

# Dedicated micro-grids per type; sums to 534.
DEDICATED_COUNTS: dict[str, int] = {
    "school": 90,
    "enterprise": 180,
    "hospital": 35,
    "market": 45,
    "construction_site": 70,
    "government_unit": 60,
    "other": 54,
}

# How strongly each type leans to each street (in STREETS order): industry and
# building sites to the railway-port streets, public services to the town core.
STREET_AFFINITY: dict[str, tuple[float, ...]] = {
    "school": (3, 2, 2, 1.5, 1.5, 1, 1, 1),
    "enterprise": (3, 1, 3, 4, 1, 1, 1, 1),
    "hospital": (2, 2, 1, 1, 1, 1, 1, 1),
    "market": (2, 2, 1.5, 1, 1, 1, 1, 1),
    "construction_site": (3, 1, 3, 3, 1, 1, 1, 1),
    "government_unit": (2, 2, 1, 1, 1, 1, 1, 1),
    "other": (1, 1, 1, 1, 1, 1, 1, 1),
}

# Named landmarks placed first: (name, type, street name, width m, depth m).
LANDMARKS: tuple[tuple[str, str, str, float, float], ...] = (
    ("青白江区人民政府", "government_unit", "大弯街道", 120, 160),
    ("青白江区政务服务中心", "government_unit", "大弯街道", 90, 120),
    ("青白江区人民法院", "government_unit", "大弯街道", 80, 110),
    ("青白江区人民检察院", "government_unit", "大弯街道", 70, 100),
    ("青白江区税务局", "government_unit", "红阳街道", 60, 90),
    ("青白江区公安分局", "government_unit", "红阳街道", 80, 120),
    ("青白江区人民医院", "hospital", "大弯街道", 180, 240),
    ("青白江区中医医院", "hospital", "红阳街道", 120, 160),
    ("青白江区妇幼保健院", "hospital", "大弯街道", 90, 120),
    ("青白江区第二人民医院", "hospital", "城厢镇", 110, 150),
    ("青白江区实验小学", "school", "红阳街道", 150, 200),
    ("成都市青白江中学", "school", "大弯街道", 200, 260),
    ("青白江区外国语小学", "school", "大弯街道", 140, 190),
    ("青白江区职业中学", "school", "城厢镇", 180, 240),
    ("青白江区特殊教育学校", "school", "大同街道", 80, 110),
    ("青白江区农副产品批发市场", "market", "大同街道", 160, 220),
    ("凤凰湖湿地公园", "other", "大弯街道", 320, 400),
    ("青白江汽车客运站", "other", "红阳街道", 110, 150),
    ("成都国际铁路港多式联运监管中心", "enterprise", "弥牟镇", 260, 380),
    ("成都国际铁路港综合保税区冷链物流中心", "enterprise", "弥牟镇", 200, 300),
)

# Templates per type: (pattern, scope, (w min, w max), (d min, d max)) in metres.
# {c}/{C}: community stem/name, {s}/{S}: street stem/name.
# scope: "any", "urban" (社区), "rural" (村), "jiedao" (街道), "town" (镇).
TEMPLATES: dict[str, tuple[tuple[str, str, tuple[float, float], tuple[float, float]], ...]] = {
    "school": (
        ("{c}小学", "any", (110, 160), (140, 200)),
        ("{c}幼儿园", "any", (50, 75), (60, 90)),
        ("青白江区{c}实验幼儿园", "urban", (60, 80), (70, 100)),
        ("{s}中学", "any", (170, 230), (200, 280)),
        ("{s}中心小学", "town", (120, 170), (150, 210)),
        ("青白江区{s}小学", "jiedao", (120, 170), (150, 210)),
        ("{S}成人文化技术学校", "town", (60, 90), (70, 110)),
    ),
    "hospital": (
        ("{S}卫生院", "town", (90, 130), (110, 160)),
        ("{s}社区卫生服务中心", "jiedao", (70, 100), (80, 120)),
        ("{C}卫生服务站", "urban", (30, 45), (35, 55)),
        ("{C}卫生室", "rural", (25, 40), (30, 45)),
        ("{c}口腔医院", "urban", (35, 55), (40, 65)),
        ("{c}康复医院", "urban", (70, 110), (90, 140)),
    ),
    "market": (
        ("{s}农贸市场", "any", (80, 110), (90, 120)),
        ("{c}菜市场", "urban", (60, 90), (70, 100)),
        ("{c}集贸市场", "rural", (60, 90), (70, 100)),
        ("{c}生鲜超市", "urban", (40, 60), (50, 70)),
        ("{s}建材市场", "any", (120, 180), (150, 220)),
    ),
    "construction_site": (
        ("{c}安置小区建设项目工地", "any", (150, 260), (180, 300)),
        ("{c}片区城市更新项目工地", "urban", (120, 220), (150, 260)),
        ("{c}高标准农田建设项目工地", "rural", (200, 320), (220, 360)),
        ("{c}社区综合体建设项目工地", "urban", (90, 140), (110, 170)),
        ("{s}道路改造工程工地", "any", (40, 70), (250, 380)),
        ("{c}污水处理站建设工地", "rural", (60, 90), (70, 110)),
        ("成都国际铁路港{c}仓储项目工地", "urban", (180, 300), (220, 360)),
    ),
    "government_unit": (
        ("{S}办事处", "jiedao", (70, 100), (90, 130)),
        ("{S}人民政府", "town", (70, 100), (90, 130)),
        ("{s}派出所", "any", (50, 70), (60, 90)),
        ("{s}供电所", "any", (40, 60), (50, 80)),
        ("{s}消防救援站", "any", (60, 90), (80, 110)),
        ("{s}司法所", "any", (30, 45), (35, 55)),
        ("{C}党群服务中心", "any", (45, 70), (55, 85)),
        ("{s}自然资源所", "town", (30, 45), (35, 55)),
    ),
    "other": (
        ("{S}敬老院", "town", (70, 100), (80, 120)),
        ("{C}养老服务站", "urban", (35, 55), (40, 65)),
        ("{c}文化广场", "any", (60, 110), (70, 130)),
        ("{c}加油站", "any", (40, 60), (50, 70)),
        ("{c}公园", "urban", (120, 220), (150, 260)),
        ("{c}商业街", "urban", (40, 60), (200, 320)),
        ("{c}川西林盘", "rural", (100, 180), (120, 200)),
        ("{c}农家乐", "rural", (50, 80), (60, 90)),
    ),
}

# Enterprise names: prefix + trade name + trade + suffix, deduplicated.
ENTERPRISE_PREFIXES = ("成都", "四川", "成都青白江")
PORT_PREFIX = "成都国际铁路港综合保税区"
PORT_STREETS = ("大弯街道", "大同街道", "弥牟镇")
TRADE_NAMES = (
    "蓉欧",
    "欧亚",
    "锦程",
    "恒通",
    "港信",
    "陆海",
    "亚蓉",
    "蜀港",
    "嘉诚",
    "华瑞",
    "顺捷",
    "远航",
    "泰和",
    "德盛",
    "鑫源",
    "盛邦",
    "兴川",
    "汇港",
    "丰程",
    "众合",
    "博远",
    "新川",
    "瑞丰",
    "安捷",
    "诚通",
    "达兴",
    "金桥",
    "汇成",
    "青港",
    "凤鸣",
)
TRADES: tuple[tuple[str, tuple[float, float], tuple[float, float]], ...] = (
    ("物流", (150, 320), (200, 400)),
    ("供应链管理", (120, 260), (150, 320)),
    ("冷链物流", (120, 220), (150, 300)),
    ("新材料", (120, 260), (150, 320)),
    ("机械制造", (120, 280), (150, 350)),
    ("食品", (100, 200), (120, 250)),
    ("建材", (100, 220), (120, 260)),
    ("钢结构", (120, 260), (150, 330)),
    ("汽车零部件", (120, 260), (150, 320)),
    ("家具", (100, 200), (120, 260)),
    ("电子科技", (100, 180), (110, 220)),
    ("包装", (100, 180), (110, 220)),
    ("再生资源", (100, 220), (120, 260)),
    ("医药", (100, 200), (120, 240)),
)
# The bonded-zone companies are logistics and trade firms.
PORT_TRADES = ("物流", "供应链管理", "冷链物流")
