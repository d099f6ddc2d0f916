"""A year of event history in the demo district, made by the real workflow.

Nothing here writes an event's state: every event is reported with
``services.report_event`` and moved on with ``services.perform``, each at a
simulated moment (``at=``) by a simulated person who holds the role the step
needs, so the history rows, deadlines, counters, whistles and notifications
are exactly what the platform itself makes.

The figures follow the article (已处置微网格事件 1242 条, 办结率 98%, 满意度
95%) exactly, under the platform's own KPI definitions (``stats.kpis``), over
**the demo's year**: the 365 days that end two weeks before today (``demo_year``).
In that year exactly 1,242 events are handled (and closed), 25 are left open
past their deadlines (completion 1,242 / 1,267 = 98.0 %), and the residents'
ratings give a satisfaction rate of exactly 95 % (``calibrate``). The last two
weeks come after it. About 1,400 reports in all, spread over the district's
micro-grids (more in the dense town centre), from patrols, residents, the 12345
hotline and assignments from above. Most small ones are solved inside
the micro-grid by its own worker (小事不出网格); the rest go to the community or
a department. A few are voided or merged as duplicates, returned by a
department, reworked after a failed check, deferred, escalated, whistled to
departments, reopened by the reporter. Events of the last two weeks are left
open in every state, so queues, inboxes and deadline colours have something to
show, and every demo sign-in finds work waiting.

How it runs: every event's life is a generator that yields its next step (a
moment, an actor, an action); one heap replays all steps of all events in the
order of their moments, so an event is always acted on in the state it has at
that moment (a "me too" finds its master still open, a merge finds it valid).
Steps that would fall after now are not taken: the event stays where it is.

The history's notifications are made by the services like any others, but not
sent on any channel (a year of SMS at once helps nobody): they wait in the
notification centre, dated when their steps happened, the older ones read.

Deterministic for a given seed and ``now``; idempotent (it does nothing once
the district has events).
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import shapely.geometry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.locating import locate, locate_many
from shezhi.areas.models import Area
from shezhi.core import calendar
from shezhi.core.models import RoleAssignment
from shezhi.events import services
from shezhi.events.errors import EventError
from shezhi.events.models import Category, Event, WhistleSummons
from shezhi.notifications.models import Notification
from shezhi.people.models import Assignment, Department, Person
from shezhi.stats.kpis import basically_satisfied_weight

DISTRICT_CODE = "510113"
SEED = 2017
# Reports drafted over the year and the two weeks after it (showcase excluded);
# ``calibrate`` then drops the year's surplus down to the article's figure.
N_EVENTS = 1400
N_RESIDENTS = 320
YEAR_DAYS = 365
TAIL_DAYS = 14  # the last two weeks, still moving: after the demo's year
DAYS = YEAR_DAYS + TAIL_DAYS
# The article's figures, reproduced exactly over the demo's year (``calibrate``).
HANDLED = 1242  # 已处置微网格事件 1242 条: handled (and closed) in the year
LEFT_OPEN = 25  # open past their deadlines: 1242 / (1242 + 25) = 98.0 % (办结率 98%)
SATISFACTION = Fraction(95, 100)  # 满意度 95 %
UNSATISFIED_SHARE = 0.035  # of the ratings; 基本满意 follows from the rate
# Demo sign-ins (demo/users.py) whose areas the showcase events sit in.
DEMO_MICRO = "510113001001001001"
DEMO_COMMUNITY = "510113001001"
DEMO_STREET = "510113001"

# ---------------------------------------------------------------------------
# What happens, and how often

# Subcategory code → weight: rubbish, parking, stalls, fire lanes, noise and
# disputes lead, as on any grid worker's phone.
CATEGORY_WEIGHTS = {
    "0101": 110, "0102": 40, "0103": 30, "0104": 6, "0105": 20, "0106": 10,
    "0201": 35, "0202": 5, "0203": 5,
    "0301": 15, "0302": 15, "0303": 8, "0304": 8,
    "0401": 35, "0402": 40, "0403": 30, "0404": 45, "0405": 40, "0406": 10,
    "0501": 2, "0502": 5, "0503": 2, "0504": 8, "0505": 4,
    "1101": 30, "1102": 10, "1103": 20, "1104": 6,
    "1201": 8, "1202": 8, "1203": 35, "1204": 6, "1205": 2,
    "1301": 4, "1302": 35, "1303": 6,
    "1401": 45, "1402": 12, "1403": 40,
    "1501": 50, "1502": 20, "1503": 8,
    "1601": 12, "1602": 25, "1603": 25, "1604": 10,
    "1701": 5, "1702": 5,
}  # fmt: skip

SOURCE_WEIGHTS = {
    Event.Source.PATROL: 50,
    Event.Source.RESIDENT: 31,
    Event.Source.HOTLINE: 12,
    Event.Source.ASSIGNED: 7,
}

# Subcategories worth a whistle (several departments at once) and the extra
# departments summoned beside the responsible one.
WHISTLE_EXTRA = {
    "0303": ["gaj", "zj"], "0301": ["cg"], "0302": ["cg"], "0501": ["sw", "gaj"],
    "0502": ["zj"], "1103": ["scjg", "mz"], "1201": ["yjgl"], "1205": ["gaj", "scjg"],
    "1303": ["zj", "yjgl"], "1204": ["wj"], "1402": ["zj"],
}  # fmt: skip
# Subcategories a department may send back as not theirs, and who it really is.
BOUNCE_TO = {
    "0405": ("department", "cg"), "1603": ("department", "gd"), "1502": ("department", "cg"),
    "1602": ("community", ""), "1402": ("department", "zj"), "0104": ("department", "cg"),
    "1303": ("community", ""), "1503": ("department", "cg"), "0302": ("department", "cg"),
}  # fmt: skip
# Long jobs a handler may ask to defer (funding, materials, a third party).
DEFERRABLE = {"1602", "1603", "1201", "1402", "0202", "1502", "1303", "1103", "0104"}

# ---------------------------------------------------------------------------
# Words

COMPOUND_SUFFIX = ("花园", "小区", "家园", "苑", "新村", "雅居", "华庭", "公寓")
SPOTS = (
    "{c}{b}栋楼下", "{c}东门", "{c}南门口", "{c}{b}栋{u}单元", "{c}地下车库入口",
    "{c}背后小巷", "{c}旁人行道", "{c}{b}栋楼道", "{c}菜市场旁", "{c}公交站旁",
)  # fmt: skip
VILLAGE_SPOTS = ("{v}{g}组", "{v}{g}组院坝", "{v}村道{g}号路口", "{v}{g}组机耕道旁")

DESCRIPTIONS = {
    "0101": ["{p}垃圾桶满溢，垃圾散落地面", "{p}有人乱扔生活垃圾，已堆了两天",
             "{p}绿化带里有大量塑料袋和餐盒"],
    "0102": ["{p}堆放建筑垃圾和渣土，占了半条路", "{p}装修垃圾长期堆积无人清运"],
    "0103": ["{p}路面油污严重，行人易滑倒", "{p}路面泥浆多，车辆带泥上路"],
    "0104": ["{p}沟渠里漂浮垃圾，有异味", "{p}河道边有人倾倒垃圾"],
    "0105": ["{p}绿地里杂草丛生、垃圾多", "{p}绿化带被踩踏，堆了杂物"],
    "0106": ["{p}有人焚烧垃圾，烟很大", "{p}有人在空地焚烧树叶秸秆"],
    "0201": ["{p}墙面和电杆上贴满小广告", "{p}单元门上喷涂了办证小广告"],
    "0202": ["{p}新挂的广告牌没有审批，固定不牢", "{p}店招破损，有掉落风险"],
    "0203": ["{p}有人向行人散发宣传单", "{p}车辆挡风玻璃上被塞满传单"],
    "0301": ["{p}工地夜间施工，噪声很大", "{p}工地早上六点就开始打桩"],
    "0302": ["{p}工地裸土未覆盖，扬尘严重", "{p}工地出口没有冲洗设施，尘土飞扬"],
    "0303": ["{p}施工围挡占用人行道，行人只能走机动车道", "{p}管网施工占道，未设警示标志"],
    "0304": ["{p}渣土车沿路撒漏", "{p}路面有渣土车掉落的泥块"],
    "0401": ["{p}有流动摊贩占道经营", "{p}早上有人摆摊卖菜，堵住通道"],
    "0402": ["{p}餐馆在店外摆桌经营", "{p}商铺把货物摆到人行道上"],
    "0403": ["{p}有人在公共区域堆放木料杂物", "{p}楼下空地被堆满废旧家具"],
    "0404": ["{p}共享单车乱停，堵住盲道", "{p}电动车停满人行道"],
    "0405": ["{p}有车辆长期占用消防登高面停放", "{p}机动车停在小区出入口，影响通行"],
    "0406": ["{p}废品收购点占道堆放", "{p}收废品的三轮车长期占用车位"],
    "0501": ["{p}路面出现塌陷坑，约一米宽", "{p}人行道地砖下沉开裂"],
    "0502": ["{p}自来水管爆裂，路面冒水", "{p}地下水管漏水，水流到路上"],
    "0503": ["{p}闻到明显燃气味，疑似管道泄漏", "{p}燃气管道被挖破"],
    "0504": ["{p}下雨后积水没过脚踝", "{p}雨水篦子堵塞，路口积水"],
    "0505": ["{p}电线垂落，离地面很近", "{p}变压器有异响并冒火花"],
    "1101": ["{p}邻居装修漏水到楼下，双方争执", "{p}两户因公共走道堆物发生口角"],
    "1102": ["{p}一户家庭夫妻矛盾激烈，需要调解", "{p}老人反映子女不履行赡养义务"],
    "1103": ["{p}业主与物业因停车费发生纠纷", "{p}物业撤场后小区无人管理"],
    "1104": ["{p}工人反映被拖欠工资三个月", "{p}装修工人讨薪与老板发生争执"],
    "1201": ["{p}老旧楼房外墙开裂掉块", "{p}房屋承重墙出现裂缝"],
    "1202": ["{p}餐馆液化气罐放在过道", "{p}居民家燃气软管老化"],
    "1203": ["{p}有人从楼上拉电线给电动车充电", "{p}电动车停在楼道里充电"],
    "1204": ["{p}小吃店卫生条件差，无健康证", "{p}流动摊贩售卖来源不明的熟食"],
    "1205": ["{p}有人私自存放大量油漆稀料", "{p}发现疑似危化品桶被丢弃"],
    "1301": ["{p}有陌生人连续几天在楼道徘徊", "{p}发现无人认领的可疑包裹"],
    "1302": ["{p}广场舞音响声音太大，晚上十点还没停", "{p}楼上深夜噪声扰民",
             "{p}商铺高音喇叭循环播放"],
    "1303": ["{p}一套房子住了十几个人，疑似群租", "{p}出租屋隔成多个小间出租"],
    "1401": ["{p}消防通道被私家车堵住", "{p}消防通道堆放杂物，消防车进不去"],
    "1402": ["{p}消火栓被损坏漏水", "{p}楼道灭火器过期、应急灯不亮"],
    "1403": ["{p}楼道里堆放纸箱和旧家具", "{p}楼梯间堆满杂物"],
    "1501": ["{p}小区垃圾两天没有清运", "{p}垃圾分类点满溢，气味很大"],
    "1502": ["{p}下水道堵塞，污水外溢", "{p}化粪池满溢，臭味很大"],
    "1503": ["{p}老鼠很多，夜里成群出没", "{p}积水处蚊虫滋生"],
    "1601": ["{p}独居老人生活困难，需要帮扶", "{p}残疾人家庭申请临时救助"],
    "1602": ["{p}健身器材损坏，存在安全隐患", "{p}小区道路破损坑洼", "{p}公共座椅断裂"],
    "1603": ["{p}路灯不亮已经一周", "{p}整排路灯晚上不亮，行人不安全"],
    "1604": ["{p}居民询问停水原因和恢复时间", "{p}居民反映突然停电，询问原因"],
    "1701": ["建议{p}增设非机动车充电桩", "建议{p}设置垃圾分类督导员"],
    "1702": ["建议{p}公交站增加候车座椅", "建议{p}增加社区老年食堂就餐点"],
}  # fmt: skip

RESULTS = {
    "01": ["已组织保洁人员清运，现场已清理干净", "已协调环卫清扫，垃圾清运完毕"],
    "02": ["已清除小广告并告知物业加强巡查", "已责令当事人拆除，现场恢复"],
    "03": ["已约谈施工单位，落实整改措施", "已督促工地覆盖裸土、规范作业时间"],
    "04": ["已劝导当事人规范经营，现场恢复整洁", "已劝离并整理，通道恢复畅通"],
    "05": ["已组织抢修，现场恢复正常", "已设置警示并完成抢修"],
    "11": ["已组织双方调解，达成一致意见", "经社区调委会调解，矛盾已化解"],
    "12": ["已现场排查并督促整改，隐患已消除", "已张贴告知书并完成整改复查"],
    "13": ["已联合派出所处理，情况已消除", "已上门劝导，当事人承诺整改"],
    "14": ["已清理通道和杂物，消防通道畅通", "已更换损坏设施，复查正常"],
    "15": ["已通知清运单位处理，现场已恢复", "已疏通管道，现场消杀完毕"],
    "16": ["已上门了解情况并落实帮扶措施", "已维修完毕，恢复正常使用", "已电话答复居民"],
    "17": ["建议已收悉，已纳入社区议事会研究", "已书面答复并纳入年度计划"],
}

VOID_REASONS = {
    "invalid": ["经核实现场无此问题", "不属于受理范围，已告知居民咨询渠道", "描述不清、无法定位"],
    "duplicate": ["与同一位置已受理事件重复", "同一问题已由网格员上报"],
}
ESCALATE_REASONS = [
    "涉及多个网格，需社区统筹处置",
    "网格内无法解决，需上级协调",
    "涉及多个部门职责",
]
STREET_REASONS = ["涉及多个社区，需街道协调", "社区协调未果，提请街道处置"]
WHISTLE_REASONS = [
    "问题涉及多个部门，吹哨召集相关部门现场会商",
    "多次处置反复，吹哨请相关部门联合执法",
]
RETURN_REASONS = ["不属于本部门职责范围，请重新派遣", "经核实属于其他单位管辖"]
DEFER_REASONS = [
    "需协调专项资金，预计两周内完成",
    "需等待材料到货后施工",
    "需产权单位配合，申请缓办",
]
REWORK_REASONS = ["现场复核仍有残留，请返工", "整改不到位，居民仍有反映", "处置照片与现场不符"]
REOPEN_REASONS = ["问题又出现了", "处理后没几天又恢复原样"]
RATING_COMMENTS = {
    "satisfied": ["处理很及时，谢谢", "网格员很负责", "", "效率高，点赞"],
    "basically_satisfied": ["处理了，但是慢了一点", "基本解决了", ""],
    "unsatisfied": ["问题没有根本解决", "处理太慢了"],
}
REPORT_IN_NOTES = [
    "已到现场",
    "已安排执法队员到场",
    "已派技术人员赶赴现场",
    "已电话对接，正赶往现场",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红梅玉燕东文德晓春婷雪俊"


# ---------------------------------------------------------------------------
# The plan of one event


@dataclass(eq=False)
class Plan:
    n: int
    at: dt.datetime
    area: Area  # the micro-grid the point is located in
    lng: float
    lat: float
    code: str  # subcategory
    source: str
    submitter: object
    description: str = ""
    address: str = ""
    contact: tuple[str, str] = ("", "")
    anonymous: bool = False
    # What becomes of it.
    void: str = ""  # "invalid" / "duplicate"
    master: Plan | None = None  # merged into it as a duplicate
    me_too: list = field(default_factory=list)  # (user, when)
    grid_registers: bool = False  # the grid registers and dispatches it itself
    escalate: int = 0  # levels up: 1 grid → community, 2 → street
    whistle: list[str] = field(default_factory=list)  # department codes, the lead first
    late_report_in: set[str] = field(default_factory=set)
    silent: set[str] = field(default_factory=set)  # summoned, not reported in (yet)
    target: str = "worker"  # worker / community / department
    department: str = ""
    bounce: tuple[str, str] | None = None  # the department returns it; re-dispatched here
    defer: str = ""  # "", "approve", "reject"
    rework: bool = False
    late: bool = False
    verifier: str = "grid"  # grid / reporter / dispatcher
    rating: str = ""
    reopen: bool = False
    stop: str = ""  # the stage after which nothing more happens (yet)
    pinned: bool = False  # its steps up to ``stop`` all happen by now
    showcase: bool = False  # what a demo sign-in finds waiting (``SHOWCASE``)
    event: Event | None = None
    last_at: dt.datetime | None = None


@dataclass
class Report:
    at: dt.datetime
    plan: Plan


@dataclass
class Act:
    at: dt.datetime
    plan: Plan  # whose event is acted on
    actor: object
    action: str
    reason: str = ""
    data: dict = field(default_factory=dict)
    optional: bool = False  # skipped quietly when the event has moved on by then


Step = Report | Act
Life = Generator[Step, Event | None, None]


# ---------------------------------------------------------------------------
# The people


class Cast:
    """The simulated people: the demo sign-in where one holds the post, else a new user.

    New users get unusable passwords (nobody signs in as them); workers are
    linked to their person record, staff to a committee member or street cadre
    of their place where there is one.
    """

    def __init__(self, district: Area, rng: random.Random):
        self.district = district
        self.rng = rng
        self.areas = {
            a.code: a
            for a in Area.objects.filter(path__startswith=district.path)
            .defer("boundary")
            .order_by("path")
        }
        self.departments = {d.code: d for d in Department.objects.filter(district=district)}
        self.worker: dict = {}  # micro-grid code → user
        self.grid_worker: dict = {}  # general grid code → user
        self.community: dict = {}  # community code → user
        self.street: dict = {}  # street code → user
        self.dept: dict = {}  # department code → user
        self.residents: list = []  # (user, home micro-grid); the demo resident first
        self.admin = None

    def area(self, code: str) -> Area:
        return self.areas[code]

    def dispatcher(self, owner: Area):
        """Who dispatches at the level holding the event."""
        if owner.level in (c.GENERAL_GRID, c.MICRO_GRID, c.COMMUNITY):
            return self.community[owner.code[:12]]
        if owner.level == c.STREET:
            return self.street[owner.code]
        return self.admin

    def name(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def build(self, micro_codes: set[str], homes: list[Area]) -> int:
        """Create the sign-ins the history needs; returns how many users were made.

        ``homes``: where the residents who report live; the first is the demo
        resident's micro-grid.
        """
        User = get_user_model()
        existing = dict(User.objects.values_list("username", "pk"))
        new_users: list = []
        roles: list[tuple[str, str, str, str]] = []  # (username, role, area code, dept)
        links: dict[str, int] = {}  # username → person id

        def user(username: str, first_name: str) -> str:
            if username not in existing:
                existing[username] = None
                new_users.append(
                    User(username=username, first_name=first_name, password=make_password(None))
                )
            return username

        # Micro-grid workers: the responsible worker of each micro-grid used.
        for code, person_id, name, username in Assignment.objects.filter(
            area__code__in=micro_codes,
            role=Assignment.Role.RESPONSIBLE_WORKER,
            ended_on__isnull=True,
        ).values_list("area__code", "person_id", "person__name", "person__user__username"):
            if username is None:
                username = user(f"mgw_{code}", name)
                links[username] = person_id
            roles.append((username, "micro_grid_worker", code, ""))
            self.worker[code] = username
        # Full-time grid workers of those micro-grids' general grids.
        by_person: dict[int, str] = {}
        for code, person_id, name, username in (
            Assignment.objects.filter(
                area__code__in={code[:15] for code in micro_codes},
                role=Assignment.Role.FULL_TIME_WORKER,
                ended_on__isnull=True,
            )
            .order_by("area__code", "pk")
            .values_list("area__code", "person_id", "person__name", "person__user__username")
        ):
            if code in self.grid_worker:
                continue
            if username is None:
                username = by_person.get(person_id) or user(f"gw_{code}", name)
                links[username] = person_id
            by_person[person_id] = username
            roles.append((username, "grid_worker", code, ""))
            self.grid_worker[code] = username
        # Community and street staff.
        spare: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for pk, name, code, category in (
            Person.objects.filter(
                area__path__startswith=self.district.path,
                category__in=[Person.Category.COMMUNITY_COMMITTEE, Person.Category.STREET_CADRE],
                user__isnull=True,
            )
            .order_by("pk")
            .values_list("pk", "name", "area__code", "category")
        ):
            place = code[:12] if category == Person.Category.COMMUNITY_COMMITTEE else code[:9]
            spare[place].append((pk, name))
        demo_staff = {DEMO_COMMUNITY: "community_staff", DEMO_STREET: "dawan_staff"}
        for area in self.areas.values():
            if area.level not in (c.COMMUNITY, c.STREET):
                continue
            community = area.level == c.COMMUNITY
            username = demo_staff.get(area.code)
            if username not in existing:
                username = f"{'cs' if community else 'ss'}_{area.code}"
                if username not in existing and spare[area.code]:
                    pk, name = spare[area.code][0]
                    links[username] = pk
                else:
                    name = self.name()
                user(username, name)
            role = "community_staff" if community else "street_staff"
            roles.append((username, role, area.code, ""))
            (self.community if community else self.street)[area.code] = username
        # One member of staff for each department (dept_cg, dept_zj: demo sign-ins).
        for code in sorted(self.departments):
            username = user(f"dept_{code}", self.name())
            roles.append((username, "department_staff", self.district.code, code))
            self.dept[code] = username
        # Residents who report.
        residents = []
        for i, home in enumerate(homes):
            username = "resident" if i == 0 and "resident" in existing else f"res_{i:04d}"
            user(username, self.name())
            roles.append((username, "resident", home.code, ""))
            residents.append((username, home))
        if "qbj_admin" not in existing:
            user("qbj_admin", self.name())
        roles.append(("qbj_admin", "district_admin", self.district.code, ""))

        with transaction.atomic():
            User.objects.bulk_create(new_users, batch_size=500)
            users = User.objects.in_bulk(list(existing), field_name="username")
            have = set(
                RoleAssignment.objects.filter(user__in=users.values()).values_list(
                    "user__username", "role", "area__code"
                )
            )
            made = []
            for username, role, code, dept in roles:
                if (username, role, code) not in have:
                    have.add((username, role, code))
                    made.append(
                        RoleAssignment(
                            user=users[username],
                            role=role,
                            area=self.areas[code],
                            department=self.departments[dept] if dept else None,
                        )
                    )
            RoleAssignment.objects.bulk_create(made, batch_size=500)
            people = Person.objects.in_bulk(list(links.values()))
            for username, pk in links.items():
                people[pk].user = users[username]
            Person.objects.bulk_update(list(people.values()), ["user"], batch_size=500)

        for mapping in (self.worker, self.grid_worker, self.community, self.street, self.dept):
            for key, username in mapping.items():
                mapping[key] = users[username]
        self.residents = [(users[u], home) for u, home in residents]
        self.admin = users["qbj_admin"]
        return len(new_users)


# ---------------------------------------------------------------------------
# Time


def _local(day: dt.date, hours: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hours)
    return timezone.make_aware(naive)


class Clock:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def work(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """``lo``–``hi`` working minutes after ``t``: staff at their desks."""
        return calendar.add_working_time(t, 60 * self.rng.uniform(lo, hi))

    def awake(self, t: dt.datetime, lo: float, hi: float) -> dt.datetime:
        """``lo``–``hi`` minutes after ``t``, the next morning if that falls at night."""
        out = t + dt.timedelta(minutes=self.rng.uniform(lo, hi))
        local = timezone.localtime(out)
        if local.hour >= 22 or local.hour < 7:
            day = local.date() + dt.timedelta(days=1 if local.hour >= 22 else 0)
            out = _local(day, 7.5 + self.rng.uniform(0, 2.5))
        return out

    def handle(self, t: dt.datetime, ev: Event, *, late: bool) -> dt.datetime:
        """Most within the deadline (green or yellow), a few after it (red)."""
        rng = self.rng
        if ev.deadline_at is None:
            return self.work(t, 60, 420)
        left = calendar.working_seconds_between(t, ev.deadline_at)
        share = rng.uniform(1.15, 2.5) if late else rng.betavariate(2.0, 3.0) * 0.95
        return calendar.add_working_time(t, max(share * left, 300))


# ---------------------------------------------------------------------------
# The life of one event


def _pick(rng: random.Random, options):
    return options[rng.randrange(len(options))]


def _target(kind: str, department: str) -> dict:
    if kind == "department":
        return {"target": "department", "department": department}
    return {"target": kind}


def _life(p: Plan, cast: Cast, clock: Clock, rng: random.Random) -> Life:
    """The steps of one event, each yielded when due; receives the event after each."""
    area = p.area
    grid_user = cast.grid_worker[area.code[:15]]
    worker = cast.worker[area.code]
    staff = cast.community[area.code[:12]]
    resident = p.submitter if p.source == Event.Source.RESIDENT else None
    results = RESULTS[p.code[:2]]

    def handler_of(kind: str, department: str):
        return {"department": cast.dept.get(department), "community": staff}.get(kind, worker)

    def awake_or_work(actor, t, lo, hi):
        return clock.awake(t, lo, hi) if actor is worker else clock.work(t, lo, hi)

    ev = yield Report(p.at, p)
    t = p.at
    if p.void:
        t = clock.work(t, 15, 240)
        yield Act(t, p, staff, "void", _pick(rng, VOID_REASONS[p.void]), {"void_kind": p.void})
        return
    if p.master is not None:
        t = clock.work(t, 15, 240)
        data = {"master": p.master.event.pk}
        ev = yield Act(t, p, staff, "merge", "与已受理事件重复", data, optional=True)
        if ev is None:  # the master was voided meanwhile: a duplicate of nothing valid
            yield Act(t, p, staff, "void", "与已受理事件重复", {"void_kind": "duplicate"})
        return
    if p.stop == "reported":
        return

    # Register (立案): the grid registers what it keeps (小事不出网格), the community the rest.
    if p.grid_registers:
        registrar = p.submitter if p.source == Event.Source.PATROL else grid_user
        t = clock.awake(t, 2, 25)
    else:
        registrar = staff
        t = clock.work(t, 5, 120)
    ev = yield Act(t, p, registrar, "register")
    dispatcher = staff
    for level in range(p.escalate):
        t = clock.work(t, 10, 180)
        reason = _pick(rng, ESCALATE_REASONS if level == 0 else STREET_REASONS)
        ev = yield Act(t, p, dispatcher, "escalate", reason)
        dispatcher = cast.dispatcher(ev.owner_area)
    if p.stop == "registered":
        return

    # Whistle (吹哨) and report-in (报到), or dispatch (派遣).
    if p.whistle:
        t = clock.work(t, 10, 120)
        data = {"departments": p.whistle}
        ev = yield Act(t, p, dispatcher, "whistle", _pick(rng, WHISTLE_REASONS), data)
        arrivals = sorted(
            (
                t + dt.timedelta(minutes=rng.uniform(35, 90) if code in p.late_report_in
                                 else rng.uniform(4, 27)),
                code,
            )
            for code in p.whistle
            if code not in p.silent
        )  # fmt: skip
        for at, code in arrivals:
            data = {"note": _pick(rng, REPORT_IN_NOTES)}
            ev = yield Act(at, p, cast.dept[code], "report_in", "", data)
        t = arrivals[-1][0] if arrivals else t
        if p.stop == "summoned":
            return
        handler = cast.dept[p.whistle[0]]
        goes_to = ("department", p.whistle[0])
    else:
        by = registrar if p.grid_registers and not p.escalate else dispatcher
        t = clock.awake(t, 1, 15) if by is not staff else clock.work(t, 3, 60)
        goes_to = (p.target, p.department)
        ev = yield Act(t, p, by, "dispatch", "", _target(*goes_to))
        handler = handler_of(*goes_to)
    if p.stop == "dispatched":
        return

    # A department may send it back as not theirs (推诿); it goes again.
    if p.bounce is not None and p.target == "department" and not p.whistle:
        t = clock.work(t, 20, 300)
        ev = yield Act(t, p, handler, "return", _pick(rng, RETURN_REASONS))
        if p.stop == "returned":
            return
        t = clock.work(t, 10, 120)
        goes_to = p.bounce
        ev = yield Act(t, p, dispatcher, "dispatch", "", _target(*goes_to))
        handler = handler_of(*goes_to)
    t = awake_or_work(handler, t, 3, 90)
    ev = yield Act(t, p, handler, "accept")
    if p.stop == "accepted":
        return

    # Deferral (缓办), approved or refused by the dispatcher.
    if p.defer:
        t = awake_or_work(handler, t, 20, 240)
        ev = yield Act(t, p, handler, "request_deferral", _pick(rng, DEFER_REASONS))
        if p.stop == "deferral_requested":
            return
        t = clock.work(t, 30, 420)
        if p.defer == "approve":
            ev = yield Act(t, p, dispatcher, "approve_deferral")
            if p.stop == "deferred":
                return
            t = clock.work(t, 60 * 7 * 3, 60 * 7 * 15)
            ev = yield Act(t, p, handler, "resume")
        else:
            ev = yield Act(t, p, dispatcher, "reject_deferral", "请按期处置，确有困难可申请吹哨")

    # Handle, verify (核查), rework (返工) once when the check fails, close.
    wanted = {"reporter": resident, "dispatcher": dispatcher}.get(p.verifier) or grid_user
    verifier = next(v for v in (wanted, grid_user, dispatcher) if v is not handler)

    def verify_time(t):
        return clock.awake(t, 30, 60 * 20) if verifier is resident else clock.work(t, 20, 300)

    t = clock.handle(t, ev, late=p.late)
    ev = yield Act(t, p, handler, "handle", "", {"result": _pick(rng, results)})
    if p.stop == "handled":
        return
    t = verify_time(t)
    if p.rework:
        ev = yield Act(t, p, verifier, "verify_fail", _pick(rng, REWORK_REASONS))
        t = awake_or_work(handler, t, 60, 600)
        ev = yield Act(
            t, p, handler, "handle", "", {"result": "已按要求返工：" + _pick(rng, results)}
        )
        t = verify_time(t)
    ev = yield Act(t, p, verifier, "verify_pass")
    closed = t
    if p.whistle:  # the whistle-blower rates each department's response
        for s in WhistleSummons.objects.filter(whistle__event=ev).order_by("pk"):
            t = clock.work(t, 10, 600)
            score = _pick(rng, (4, 4, 4, 3, 3, 2) if s.on_time else (3, 2, 2, 1))
            ev = yield Act(t, p, dispatcher, "rate_whistle", "", {"summons": s.pk, "rating": score})
    if p.stop == "closed" or resident is None:
        return

    # The reporter rates it (满意度), and may reopen it first.
    if p.reopen:
        t = clock.awake(closed, 60, 60 * 20)
        data = {"rating": "unsatisfied", "comment": _pick(rng, RATING_COMMENTS["unsatisfied"])}
        ev = yield Act(t, p, resident, "rate", "", data)
        t = clock.awake(t, 60, 60 * 48)
        ev = yield Act(t, p, resident, "reopen", _pick(rng, REOPEN_REASONS))
        t = clock.work(t, 10, 120)
        ev = yield Act(t, p, dispatcher, "dispatch", "", _target(*goes_to))
        t = awake_or_work(handler, t, 3, 90)
        ev = yield Act(t, p, handler, "accept")
        t = clock.handle(t, ev, late=False)
        ev = yield Act(t, p, handler, "handle", "", {"result": "再次处置：" + _pick(rng, results)})
        t = clock.awake(t, 30, 60 * 20)
        ev = yield Act(t, p, resident, "verify_pass")
        closed = t
    if p.rating:
        t = clock.awake(closed, 30, 60 * 30)
        data = {"rating": p.rating, "comment": _pick(rng, RATING_COMMENTS[p.rating])}
        yield Act(t, p, resident, "rate", "", data)


def _me_too(p: Plan, user, at: dt.datetime) -> Life:
    yield Act(at, p, user, "me_too", optional=True)


# ---------------------------------------------------------------------------
# Planning: who reports what, where and when, and what becomes of it


@dataclass
class Draft:
    at: dt.datetime
    source: str
    resident: int | None  # index into the residents
    lng: float
    lat: float
    area: Area


class Planner:
    def __init__(self, cast: Cast, rng: random.Random, end: dt.datetime):
        self.cast = cast
        self.rng = rng
        self.end = end
        self.year = demo_year(end)
        self.categories = {
            cat.code: cat for cat in Category.objects.filter(parent__isnull=False, active=True)
        }
        self.codes = [code for code in CATEGORY_WEIGHTS if code in self.categories]
        self.code_weights = [CATEGORY_WEIGHTS[code] for code in self.codes]
        self.micro = [a for a in cast.areas.values() if a.level == c.MICRO_GRID]
        self.micro_weights = [self._weight(a) for a in self.micro]
        general = [(a, w) for a, w in zip(self.micro, self.micro_weights, strict=True)
                   if a.kind == c.KIND_GENERAL]  # fmt: skip
        # Residents live where people are; the first is the demo resident.
        neighbours = rng.choices([a for a, _ in general], [w for _, w in general], k=N_RESIDENTS)
        self.homes = [cast.area(DEMO_MICRO), *neighbours]
        self.compounds: dict[str, str] = {}

    @staticmethod
    def _weight(area: Area) -> float:
        urban = area.code[6:9] < "100"  # 街道 0xx (the town centre), 镇 1xx
        weight = 1.6 if urban else 0.8
        return weight * (0.35 if area.kind == c.KIND_DEDICATED else 1.0)

    # -- where and when

    def points_in(self, areas: list[Area], tries: int = 40) -> list[tuple[float, float, Area]]:
        """A random point of each area and the micro-grid the locator puts it in.

        Candidates are drawn in each area's bounding box and located all at once;
        the first that lands in the area is taken.
        """
        if not areas:
            return []
        draw = np.random.default_rng(self.rng.getrandbits(64))
        box = np.array([(a.min_lng, a.min_lat, a.max_lng, a.max_lat) for a in areas])
        u = draw.random((len(areas), tries, 2))
        lng = np.round(box[:, None, 0] + u[..., 0] * (box[:, None, 2] - box[:, None, 0]), 6)
        lat = np.round(box[:, None, 1] + u[..., 1] * (box[:, None, 3] - box[:, None, 1]), 6)
        found, rows = locate_many(lng, lat)
        codes = np.array([r.code for r in rows] + [""])  # -1 (outside) → ""
        hit = codes[found] == np.array([a.code for a in areas])[:, None]
        out = []
        for i, area in enumerate(areas):
            j = int(np.argmax(hit[i]))
            if hit[i, j]:
                out.append((float(lng[i, j]), float(lat[i, j]), area))
                continue
            boundary = Area.objects.values_list("boundary", flat=True).get(pk=area.pk)
            point = shapely.geometry.shape(boundary).representative_point()
            _, chain = locate(point.x, point.y)
            out.append((point.x, point.y, self.cast.area(chain[0].code)))
        return out

    def day(self) -> dt.date:
        """A day of the year: more in summer, fewer on days off."""
        rng = self.rng
        last = timezone.localtime(self.end).date()
        while True:
            d = last - dt.timedelta(days=rng.randrange(DAYS))
            season = 1 + 0.25 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 200) / 365)
            weight = season * (1.0 if calendar.is_working_day(d) else 0.6)
            if rng.random() < weight / 1.25:
                return d

    def moment(self, day: dt.date, source: str) -> dt.datetime:
        rng = self.rng
        if source == Event.Source.RESIDENT:
            hours = min(max(rng.gauss(14, 4.5), 7), 22)
        elif source == Event.Source.HOTLINE:
            hours = rng.uniform(8.5, 20)
        else:
            hours = _pick(rng, (rng.uniform(9, 12), rng.uniform(13.5, 17.5)))
        at = _local(day, hours)
        if at > self.end - dt.timedelta(minutes=20):
            at = self.end - dt.timedelta(minutes=rng.uniform(20, 600))
        return at

    def drafts(self, n: int) -> list[Draft]:
        rng = self.rng
        chosen = []
        for _ in range(n):
            source = rng.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0]
            resident = None
            if source == Event.Source.RESIDENT:
                resident = 0 if rng.random() < 0.012 else rng.randrange(1, len(self.homes))
                area = self.homes[resident]
            else:
                area = rng.choices(self.micro, self.micro_weights)[0]
            chosen.append((source, resident, area, self.moment(self.day(), source)))
        points = self.points_in([area for _, _, area, _ in chosen])
        return [
            Draft(at, source, resident, lng, lat, area)
            for (source, resident, _, at), (lng, lat, area) in zip(chosen, points, strict=True)
        ]

    # -- what

    def words(self, p: Plan) -> None:
        rng = self.rng
        area = p.area
        community = self.cast.area(area.code[:12])
        street = self.cast.area(area.code[:9])
        if area.kind == c.KIND_DEDICATED:
            spot = area.name + _pick(rng, ("门口", "周边", "后门", "围墙外"))
        elif community.name.endswith("村"):
            spot = _pick(rng, VILLAGE_SPOTS).format(v=community.name, g=rng.randint(1, 12))
        else:
            compound = self.compounds.setdefault(
                area.code, community.name[:2] + _pick(rng, COMPOUND_SUFFIX)
            )
            spot = _pick(rng, SPOTS).format(c=compound, b=rng.randint(1, 24), u=rng.randint(1, 4))
        p.address = f"{street.name}{community.name}{spot}"
        p.description = _pick(rng, DESCRIPTIONS[p.code]).format(p=spot)
        if p.source == Event.Source.HOTLINE:
            p.description = "12345热线转办：" + p.description
            p.contact = (self.cast.name(), f"1{rng.choice('3589')}{rng.randrange(10**9):09d}")
        elif p.source == Event.Source.ASSIGNED:
            p.description = "上级交办：" + p.description

    def plan(self, d: Draft, *, code: str | None = None, submitter=None) -> Plan:
        rng = self.rng
        cast = self.cast
        code = code or rng.choices(self.codes, self.code_weights)[0]
        if submitter is None:
            if d.source == Event.Source.RESIDENT:
                submitter = cast.residents[d.resident][0]
            elif d.source == Event.Source.PATROL:  # the micro-grid's worker, or the grid's
                workers = (cast.worker[d.area.code], cast.grid_worker[d.area.code[:15]])
                submitter = workers[rng.random() < 0.3]
            elif d.source == Event.Source.HOTLINE:
                submitter = cast.community[d.area.code[:12]]
            else:  # assigned from above: the street, sometimes the district
                street = cast.street[d.area.code[:9]]
                submitter = street if rng.random() < 0.75 else cast.admin
        p = Plan(0, d.at, d.area, d.lng, d.lat, code, d.source, submitter)
        self.words(p)
        self.fate(p, self.categories[code])
        return p

    def fate(self, p: Plan, cat: Category) -> None:
        r = self.rng.random
        # Where it goes: the micro-grid's own worker for what the grid can solve,
        # the community for disputes and requests, else the responsible department.
        if cat.grid_can_solve and r() < 0.88:
            p.target = "worker"
            p.grid_registers = p.source == Event.Source.PATROL or r() < 0.35
        elif cat.department_code and (not cat.grid_can_solve or r() < 0.5):
            p.target, p.department = "department", cat.department_code
        else:
            p.target = "community"
        if p.target == "department" and p.code in BOUNCE_TO and r() < 0.3:
            p.bounce = BOUNCE_TO[p.code]
        if p.target == "department" and p.code in WHISTLE_EXTRA and r() < 0.22:
            extra = [d for d in WHISTLE_EXTRA[p.code] if d != p.department]
            p.whistle = [p.department, *extra[: self.rng.choice((1, len(extra)))]]
            # The community blows it (taking the event up from the grid), or the
            # street once the event has been escalated to it.
            p.escalate = 2 if r() < 0.25 else 0
            p.late_report_in = {d for d in p.whistle if r() < 0.12}
            p.bounce = None
        elif not p.grid_registers and r() < 0.012:
            p.escalate = 2 if r() < 0.4 else 1
        if p.code in DEFERRABLE and p.target != "community" and r() < 0.12:
            p.defer = "approve" if r() < 0.8 else "reject"
        p.rework = r() < 0.04
        p.late = r() < 0.07
        if p.source == Event.Source.RESIDENT:
            p.verifier = "reporter" if r() < 0.55 else "grid"
            if r() < 0.88:
                x = r()
                p.rating = (
                    "satisfied" if x < 0.80
                    else "basically_satisfied" if x < 0.955
                    else "unsatisfied"
                )  # fmt: skip
            p.reopen = r() < 0.012
        else:
            p.verifier = "grid" if r() < 0.8 else "dispatcher"
        if p.source != Event.Source.ASSIGNED and r() < 0.02:
            p.void = "invalid"

    def in_year(self, p: Plan) -> bool:
        """Reported in the demo's year (by local date, as the KPIs' cohorts are)."""
        return timezone.localtime(p.at).date() <= self.year[1]

    def unfinished(self, plans: list[Plan]) -> None:
        """Leave the last two weeks' events in every state (the year: ``calibrate``)."""
        rng = self.rng
        for p in plans:
            if self.in_year(p):
                continue
            age = (self.end - p.at).total_seconds() / 86400
            if age < 2:
                p.stop = _pick(rng, ("reported", "registered", "dispatched", "accepted",
                                     "accepted", "handled", "closed", "", "", ""))  # fmt: skip
            elif rng.random() < 0.22:
                p.stop = _pick(rng, ("accepted", "accepted", "handled", "registered"))

    def calibrate(self, plans: list[Plan]) -> list[Plan]:
        """Make the demo's year give the article's three figures exactly; the plans kept.

        Under ``stats.kpis``' definitions, over the events reported in the year:
        handled = ``HANDLED`` (each of them closed too), completion rate =
        closed / due = ``HANDLED / (HANDLED + LEFT_OPEN)`` (the long jobs deferred
        with approval are not due), satisfaction rate = ``SATISFACTION`` exactly.
        Every step of the year's finished events is made to happen by now
        (``pinned``), so these hold whatever the moment the demo is built.
        """
        rng = self.rng
        year = [p for p in plans if self.in_year(p)]
        masters = {id(p.master) for p in plans if p.master is not None}
        valid = [p for p in year if not p.void and p.master is None and not p.showcase]
        # Not done: long jobs deferred with approval, and departments that never
        # finished (open past their deadlines, red in every queue). Old enough for
        # every deadline (10 working days at most) to have passed.
        old = [p for p in valid if self.end - p.at > dt.timedelta(days=45)]
        long_jobs = [p for p in old if p.code in DEFERRABLE and p.target != "community"]
        for p in rng.sample(long_jobs, min(len(long_jobs), round(len(valid) * 0.0075))):
            p.defer, p.stop = "approve", "deferred"
        slow = [p for p in old if p.target == "department" and not p.stop]
        for p in rng.sample(slow, LEFT_OPEN):
            p.stop, p.late, p.bounce, p.defer = "accepted", True, None, ""

        def finished() -> list[Plan]:
            return [p for p in year if not p.void and p.master is None and not p.stop]

        surplus = len(finished()) - HANDLED
        if surplus > 0:  # drop some of the year's reports (none a duplicate's master)
            removable = [p for p in finished() if not p.showcase and id(p) not in masters]
            dropped = {id(p) for p in rng.sample(removable, surplus)}
            plans = [p for p in plans if id(p) not in dropped]
            year = [p for p in year if id(p) not in dropped]
        elif surplus < 0:  # too few: some reports thought invalid were not
            voided = [p for p in year if p.void == "invalid" and not p.showcase]
            for p in rng.sample(voided, -surplus):
                p.void = ""
        done = finished()
        if len(done) != HANDLED:  # a bug in the demo's script, never a user's error
            raise RuntimeError(f"demo: {len(done)} events handled in the year, not {HANDLED}")
        for p in done:
            p.pinned = True  # handled, checked, closed (and rated) by now
        share_ratings([p for p in done if p.source == Event.Source.RESIDENT and p.rating], rng)
        return plans

    def duplicates(self, plans: list[Plan]) -> list[Plan]:
        """Neighbours reporting the same thing (merged or voided), and their "me too"s."""
        rng = self.rng
        by_community: dict[str, list] = defaultdict(list)
        for user, home in self.cast.residents:
            by_community[home.code[:12]].append(user)
        extra = []
        for p in plans:
            if p.void or p.stop == "reported":
                continue
            neighbours = [u for u in by_community[p.area.code[:12]] if u is not p.submitter]
            if not neighbours:
                continue
            if p.source != Event.Source.HOTLINE and rng.random() < 0.03:
                user = _pick(rng, neighbours)
                at = p.at + dt.timedelta(minutes=rng.uniform(20, 300))
                if at < self.end:
                    d = Draft(at, Event.Source.RESIDENT, None, p.lng, p.lat, p.area)
                    dup = self.plan(d, code=p.code, submitter=user)
                    dup.void, dup.master = "", p
                    if rng.random() < 0.25:
                        dup.void, dup.master = "duplicate", None
                    extra.append(dup)
            if p.source == Event.Source.RESIDENT and rng.random() < 0.05:
                for user in rng.sample(neighbours, min(len(neighbours), _pick(rng, (1, 1, 2, 3)))):
                    p.me_too.append((user, p.at + dt.timedelta(minutes=rng.uniform(30, 900))))
        return extra


def share_ratings(rated: list[Plan], rng: random.Random) -> None:
    """Share the ratings out so the satisfaction rate is exactly ``SATISFACTION``.

    With weight w for 基本满意: s + w·b = SATISFACTION·(s + b + u). About
    ``UNSATISFIED_SHARE`` are 不满意; as few ratings as possible change (and
    one is dropped when the count admits no exact split).
    """
    w = Fraction(basically_satisfied_weight()).limit_denominator(1000)
    fixed = Counter(p.rating for p in rated if p.showcase)
    free = [p for p in rated if not p.showcase]
    split = None
    for n in (len(rated), len(rated) - 1):
        target = round(UNSATISFIED_SHARE * n)
        for u in sorted(range(n + 1), key=lambda x: (abs(x - target), x)):
            b = ((1 - SATISFACTION) * n - u) / (1 - w) if w != 1 else None
            if b is None or b.denominator != 1 or b < 0:
                continue
            s = n - u - int(b)
            if (
                s >= fixed["satisfied"]
                and b >= fixed["basically_satisfied"]
                and (u >= fixed["unsatisfied"])
            ):
                split = {"satisfied": s, "basically_satisfied": int(b), "unsatisfied": u}
                break
        if split:
            if n < len(rated):
                _pick(rng, free).rating = ""
                free = [p for p in free if p.rating]
            break
    if split is None:
        raise RuntimeError("demo: no exact split of the ratings")
    want = {k: v - fixed[k] for k, v in split.items()}
    have: dict[str, list[Plan]] = defaultdict(list)
    for p in free:
        have[p.rating].append(p)
    spare = []
    for kind, n in want.items():
        if len(have[kind]) > n:
            spare += rng.sample(have[kind], len(have[kind]) - n)
    for kind, n in want.items():
        for _ in range(n - len(have[kind])):
            spare.pop().rating = kind


# ---------------------------------------------------------------------------
# Showcase: what each demo sign-in finds waiting right after `shezhi demo`


@dataclass(frozen=True)
class Spec:
    hours_ago: float
    source: str
    code: str
    stop: str
    target: str = "worker"
    department: str = ""
    area: str = DEMO_MICRO
    fate: tuple[str, ...] = ()


R, P, H = Event.Source.RESIDENT, Event.Source.PATROL, Event.Source.HOTLINE
# When (working hours before now) each was reported, and where it stops.
SHOWCASE = (
    # grid_worker and community_staff: to register; resident: my reports
    Spec(3, R, "0101", "reported"),
    Spec(10, R, "1302", "registered", target="community"),  # to dispatch
    Spec(2, P, "0403", "dispatched"),  # mg_worker: a new task (green)
    Spec(14, R, "0404", "accepted"),  # mg_worker: being handled, overdue (red)
    Spec(20, R, "1501", "handled", fate=("verify:reporter",)),  # to verify
    Spec(12, R, "0101", "closed"),  # the resident may rate it
    Spec(200, R, "1403", "", fate=("rating:satisfied",)),  # closed and rated
    Spec(12, R, "1603", "accepted", target="department", department="cg"),  # dept_cg
    Spec(1.5, H, "0402", "dispatched", target="department", department="cg"),  # dept_cg
    # dept_cg must report in (吹哨报到); gaj has
    Spec(0.6, P, "0303", "summoned", target="department", department="cg",
         area="510113001001001002", fate=("whistle:cg,gaj", "silent:cg")),
    # dept_zj must report in; cg has
    Spec(7, P, "0302", "summoned", target="department", department="zj",
         area="510113001001002001", fate=("whistle:zj,cg", "silent:zj")),
    # community_staff: returned by a department
    Spec(16, R, "1402", "returned", target="department", department="yjgl",
         fate=("bounce:department,zj",)),
    # community_staff: a deferral to approve (dept_zj asked)
    Spec(22, P, "1602", "deferral_requested", target="department", department="zj",
         area="510113001001001003", fate=("defer:approve",)),
    # dawan_staff: escalated to the street, to dispatch
    Spec(18, P, "1103", "registered", target="department", department="zj",
         area="510113001001003001", fate=("escalate:2",)),
    # community_staff handles it as the community
    Spec(8, H, "1101", "accepted", target="community", area="510113001001002002"),
    # History: the resident reopened one (and then was content); a deferral refused.
    Spec(150, R, "1501", "", fate=("reopen", "rating:basically_satisfied")),
    Spec(170, P, "1602", "", target="department", department="zj",
         area="510113001001001004", fate=("defer:reject",)),
)  # fmt: skip


def _working_ago(end: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` of working time before ``end``."""
    lo = end - dt.timedelta(hours=hours * 4 + 24 * 12)  # covers any run of days off
    hi = end
    for _ in range(40):
        mid = lo + (hi - lo) / 2
        if calendar.working_seconds_between(mid, end) > hours * 3600:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def _showcase(planner: Planner, spec: Spec) -> Plan:
    cast = planner.cast
    area = cast.area(spec.area)
    ((lng, lat, area),) = planner.points_in([area])
    at = _working_ago(planner.end, spec.hours_ago)
    submitter = None
    resident = None
    if spec.source == Event.Source.PATROL:
        submitter = cast.worker.get(area.code) or cast.grid_worker[area.code[:15]]
    elif spec.source == Event.Source.RESIDENT:
        resident = 0
    p = planner.plan(Draft(at, spec.source, resident, lng, lat, area), code=spec.code,
                     submitter=submitter)  # fmt: skip
    p.stop, p.target, p.department = spec.stop, spec.target, spec.department
    p.void, p.master, p.me_too, p.reopen, p.rework, p.late = "", None, [], False, False, False
    p.bounce, p.defer, p.whistle, p.escalate, p.rating = None, "", [], 0, ""
    p.grid_registers = spec.target == "worker" and spec.source == Event.Source.PATROL
    p.pinned = p.showcase = True
    for item in spec.fate:
        key, _, value = item.partition(":")
        if key == "whistle":
            p.whistle, p.late_report_in = value.split(","), set()
        elif key == "silent":
            p.silent = set(value.split(","))
        elif key == "bounce":
            p.bounce = tuple(value.split(","))
        elif key == "defer":
            p.defer = value
        elif key == "escalate":
            p.escalate = int(value)
        elif key == "verify":
            p.verifier = value
        elif key == "rating":
            p.rating = value
        elif key == "reopen":
            p.reopen = True
    return p


# ---------------------------------------------------------------------------
# Running it


@dataclass
class Outcome:
    events: int
    steps: int
    users: int
    states: dict[str, int]
    year: tuple[dt.date, dt.date]  # the demo's year: first and last day


def demo_year(end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The demo's year: its first and last day, the 365 days ending two weeks before ``end``.

    The article's figures hold over it (``Planner.calibrate``); the two weeks
    after it are still moving.
    """
    last = timezone.localtime(end).date() - dt.timedelta(days=TAIL_DAYS)
    return last - dt.timedelta(days=YEAR_DAYS - 1), last


class Simulation:
    """Replays every event's steps in the order of their moments, up to ``end``."""

    def __init__(self, end: dt.datetime, progress: Callable[[int, int], None] | None, categories):
        self.end = end
        self.categories = categories  # code → Category (saves report_event a look-up)
        self.heap: list = []
        self.seq = 0
        self.progress = progress
        self.steps = 0
        # The real time each step started, and its simulated moment.
        self.started: list[dt.datetime] = []
        self.moments: list[dt.datetime] = []

    def add(self, life: Life) -> None:
        self._push(life, next(life))

    def _push(self, life: Life, step: Step) -> None:
        p = step.plan
        if step.at > self.end:
            if not (p.pinned and p.last_at):
                return  # later than now: it has not happened (yet)
            step.at = p.last_at + (self.end - p.last_at) / 2
        self.seq += 1
        heapq.heappush(self.heap, (step.at, self.seq, life, step))

    def run(self, expected: int) -> None:
        while self.heap:
            _, _, life, step = heapq.heappop(self.heap)
            self.started.append(timezone.now())
            self.moments.append(step.at)
            result = self._take(step)
            self.steps += 1
            if self.progress and self.steps % 250 == 0:
                self.progress(min(self.steps, expected), expected)
            try:
                nxt = life.send(result)
            except StopIteration:
                continue
            self._push(life, nxt)

    def _take(self, step: Step) -> Event | None:
        p = step.plan
        p.last_at = step.at
        if isinstance(step, Report):
            p.event = services.report_event(
                submitted_by=p.submitter,
                source=p.source,
                category=self.categories.get(p.code, p.code),
                description=p.description,
                lng=p.lng,
                lat=p.lat,
                address=p.address,
                anonymous=p.anonymous,
                contact_name=p.contact[0],
                contact_phone=p.contact[1],
                at=step.at,
            ).event
            return p.event
        try:
            p.event = services.perform(
                actor=step.actor,
                event=p.event,
                action=step.action,
                reason=step.reason,
                data=step.data,
                at=step.at,
            )
        except EventError as exc:
            if step.optional:
                return None
            ev = p.event
            raise RuntimeError(  # a bug in the demo's script, never a user's error
                f"demo step {step.action!r} by {step.actor} on event {ev.pk} "
                f"({p.code} {p.source}, {ev.state}, handler {ev.handler_kind} "
                f"{ev.handler_user_id or ev.handler_department_id or ev.handler_area_id}, "
                f"owner {ev.owner_area.code}): {exc.message}"
            ) from exc
        if step.action == "merge":  # the merge moved the master's version on
            p.master.event.refresh_from_db(fields=["version", "me_too_count"])
        return p.event


def build_demo_events(
    *, seed: int = SEED, now: dt.datetime | None = None, progress=None
) -> Outcome | None:
    """Build the year of history unless the demo district already has events; None then."""
    district = Area.objects.filter(code=DISTRICT_CODE).first()
    if district is None or not Department.objects.filter(district=district).exists():
        return None
    if Event.objects.filter(area_path__startswith=district.path).exists():
        return None

    rng = random.Random(seed)
    end = (now or timezone.now()).replace(microsecond=0)
    # The history's notifications are not sent on any channel (a year of SMS at
    # once helps nobody): they sit in the notification centre, dated when
    # their steps happened (_date_notifications).
    no_delivery = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=no_delivery), transaction.atomic():
        last_notification = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
        cast = Cast(district, rng)
        planner = Planner(cast, rng, end)
        drafts = planner.drafts(N_EVENTS)
        micro = {d.area.code for d in drafts} | {h.code for h in planner.homes}
        micro |= {s.area for s in SHOWCASE}
        users = cast.build(micro, planner.homes)
        plans = [planner.plan(d) for d in drafts]
        planner.unfinished(plans)
        plans += planner.duplicates(plans)
        plans += [_showcase(planner, spec) for spec in SHOWCASE]
        plans = planner.calibrate(plans)
        plans.sort(key=lambda p: p.at)
        clock = Clock(rng)
        sim = Simulation(end, progress, planner.categories)
        for n, p in enumerate(plans):
            p.n = n
            sim.add(_life(p, cast, clock, rng))
            for user, at in p.me_too:
                sim.add(_me_too(p, user, at))
        sim.run(expected=len(plans) * 7)
        _date_notifications(last_notification, end, sim)
        states = Counter(
            Event.objects.filter(area_path__startswith=district.path).values_list(
                "state", flat=True
            )
        )
    if progress:
        progress(1, 1)
    return Outcome(
        events=len(plans), steps=sim.steps, users=users, states=dict(states), year=planner.year
    )


# ---------------------------------------------------------------------------
# Notifications: dated when their steps happened, the old ones read


def _date_notifications(after_pk: int, end: dt.datetime, sim: Simulation) -> None:
    """Give the history's notifications the moments of the steps that made them.

    ``notify`` stamps a notification with the real time it was made, which falls
    between the real start of its step and of the next one (``sim.started``).
    Notifications more than three days old are marked read, as their readers
    would have.
    """
    adapt = connection.ops.adapt_datetimefield_value
    read_before = end - dt.timedelta(days=3)
    changed = []
    for pk, stamp in Notification.objects.filter(pk__gt=after_pk).values_list("pk", "created_at"):
        i = bisect.bisect_right(sim.started, stamp) - 1
        if i < 0:
            continue
        at = sim.moments[i]
        read = at + dt.timedelta(hours=2) if at < read_before else None
        changed.append((adapt(at), adapt(read), pk))
    # One prepared statement for all (bulk_update's CASE over thousands of rows is slow).
    meta = Notification._meta
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608 (names only)
        quote(meta.db_table),
        quote(meta.get_field("created_at").column),
        quote(meta.get_field("read_at").column),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, changed)
