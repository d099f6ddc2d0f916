"""The roster file's format: its columns, the choices' labels and the spellings read."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from shezhi.core.choices import SEX_ZH

from ..models import Assignment, Person

# --- the format --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy English label (a msgid)
    zh: str  # the file format's Chinese header
    required: bool = False
    width: int = 14
    text: bool = False  # format the column as text (codes and numbers Excel would round)


COLUMNS: tuple[Column, ...] = (
    Column("name", pgettext_lazy("roster column", "Name"), "姓名", True, 10),
    Column(
        "id_number", pgettext_lazy("roster column", "ID number"), "身份证号", width=21, text=True
    ),
    Column("phone", pgettext_lazy("roster column", "Phone"), "手机号", width=15, text=True),
    Column("gender", pgettext_lazy("roster column", "Gender"), "性别", width=6),
    Column(
        "area", pgettext_lazy("roster column", "Area code"), "所在区域编码", True, 21, text=True
    ),
    Column("category", pgettext_lazy("roster column", "Category"), "人员类别", True, 24),
    Column("force_type", pgettext_lazy("roster column", "Force type"), "力量类型", True, 10),
    Column("party_member", pgettext_lazy("roster column", "Party member"), "党员", width=6),
    Column("veteran", pgettext_lazy("roster column", "Veteran"), "退役军人", width=8),
    Column(
        "group_leader",
        pgettext_lazy("roster column", "Building or unit head"),
        "楼栋长/单元长",
        width=12,
    ),
    Column("employer", pgettext_lazy("roster column", "Unit of employment"), "工作单位", width=24),
    Column(
        "lives_in",
        pgettext_lazy("roster column", "Micro-grid lived in (code)"),
        "居住微网格编码",
        width=21,
        text=True,
    ),
    Column(
        "works_in",
        pgettext_lazy("roster column", "Micro-grid worked in (code)"),
        "工作微网格编码",
        width=21,
        text=True,
    ),
    Column(
        "assignment_areas",
        pgettext_lazy("roster column", "Assignment area code(s)"),
        "任职区域编码",
        width=21,
        text=True,
    ),
    Column("role", pgettext_lazy("roster column", "Assignment role"), "任职角色", width=16),
    Column(
        "started_on",
        pgettext_lazy("roster column", "Assignment start date"),
        "任职开始日期",
        width=13,
    ),
)
COLUMN_BY_KEY = {col.key: col for col in COLUMNS}
COLUMN_ORDER = {col.key: i for i, col in enumerate(COLUMNS)}

# The file format's Chinese names of the choices.
CATEGORY_ZH = {
    Person.Category.FULL_TIME_GRID_WORKER: "专职网格员",
    Person.Category.MICRO_GRID_WORKER: "微网格员",
    Person.Category.EMBEDDED_CADRE: "机关企事业单位党员干部",
    Person.Category.STREET_CADRE: "镇街干部",
    Person.Category.COMMUNITY_COMMITTEE: "社区“两委”成员",
    Person.Category.OTHER: "其他",
}
FORCE_TYPE_ZH = {
    Person.ForceType.PROFESSIONAL: "专业",
    Person.ForceType.FULL_TIME: "专职",
    Person.ForceType.PART_TIME: "兼职",
    Person.ForceType.SERVICE: "服务",
    Person.ForceType.SELF_GOVERNANCE: "自治",
}
ROLE_ZH = {
    Assignment.Role.RESPONSIBLE_WORKER: "微网格负责人",
    Assignment.Role.MEMBER: "微网格员",
    Assignment.Role.EMBEDDED_CADRE: "下沉干部",
    Assignment.Role.FULL_TIME_WORKER: "专职网格员",
}
# Further spellings people type.
EXTRA_ALIASES = {
    "category": {
        "社区两委成员": Person.Category.COMMUNITY_COMMITTEE,
        "两委成员": Person.Category.COMMUNITY_COMMITTEE,
        "机关企事业单位干部": Person.Category.EMBEDDED_CADRE,
        "街道干部": Person.Category.STREET_CADRE,
    },
    "force_type": {
        "专业力量": Person.ForceType.PROFESSIONAL,
        "专职力量": Person.ForceType.FULL_TIME,
        "兼职力量": Person.ForceType.PART_TIME,
        "服务力量": Person.ForceType.SERVICE,
        "自治力量": Person.ForceType.SELF_GOVERNANCE,
    },
    "role": {
        "责任微网格员": Assignment.Role.RESPONSIBLE_WORKER,
        "编入干部": Assignment.Role.EMBEDDED_CADRE,
        "编入微网格干部": Assignment.Role.EMBEDDED_CADRE,
    },
    "gender": {"f": Person.Gender.FEMALE, "m": Person.Gender.MALE},
}
YES = frozenset({"是", "y", "yes", "1", "true", "√", "✓", "t"})
NO = frozenset({"否", "n", "no", "0", "false", "×", "f"})

CHOICES = {
    "category": (Person.Category, CATEGORY_ZH),
    "force_type": (Person.ForceType, FORCE_TYPE_ZH),
    "role": (Assignment.Role, ROLE_ZH),
    "gender": (Person.Gender, SEX_ZH),
}

EXAMPLE_PREFIXES = ("示例", "例：", "example")
LIST_SEPARATORS = re.compile(r"[;；,，、\n]+")
MASK_CHAR = "*"
_FOLD = re.compile(r"[\s\"'“”‘’「」『』*＊]+")
_REQUIRED_NOTE = re.compile(r"[（(](必填|选填|required|optional)[)）]", re.IGNORECASE)


def _fold(text: str) -> str:
    """What two spellings of one header or choice label share."""
    text = unicodedata.normalize("NFKC", str(text))
    text = _REQUIRED_NOTE.sub("", text)
    return _FOLD.sub("", text).casefold()


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def header(col: Column) -> str:
    """A column's header in the active language (the format's Chinese names for Chinese)."""
    return col.zh if _chinese() else str(col.label)


def choice_label(kind: str, value: str) -> str:
    choices, zh = CHOICES[kind]
    return zh[value] if _chinese() else str(choices(value).label)


def yes_no(value: bool) -> str:
    if _chinese():
        return "是" if value else "否"
    return _("Yes") if value else _("No")


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for col in COLUMNS:
        spellings = {col.key, col.zh, str(col.label)}
        with translation.override("en"):
            spellings.add(str(col.label))
        for s in spellings:
            aliases[_fold(s)] = col.key
    return aliases


def _choice_aliases(kind: str) -> dict[str, str]:
    choices, zh = CHOICES[kind]
    aliases: dict[str, str] = {}
    for value in choices.values:
        spellings = {value, zh[value], str(choices(value).label)}
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                spellings.add(str(choices(value).label))
        for s in spellings:
            aliases.setdefault(_fold(s), value)
    for spelling, value in EXTRA_ALIASES.get(kind, {}).items():
        aliases.setdefault(_fold(spelling), value)
    return aliases
