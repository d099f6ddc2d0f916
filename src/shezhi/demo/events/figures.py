"""The history's numbers: its size, the article's figures, how often each thing happens."""

from __future__ import annotations

from fractions import Fraction

from shezhi.events.models import Event

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
