"""The household workbook's format: its columns, the choices' labels and the spellings read.

One row per resident, in the shape street offices keep: where they live (community code,
compound, building, unit, room, the household's kind), who they are (name, ID number, sex,
birth date, phone), their relation to the head of household, their residence status with
the arrival date, and their tags as a list. Headers may be written in Chinese (the file
format's names), in English or as the keys; their order does not matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext_lazy

from shezhi.core.choices import SEX_ZH

from .. import tags as tagset
from ..models import Household, Resident


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy English label (a msgid)
    zh: str  # the file format's Chinese header
    required: bool = False
    width: int = 12
    text: bool = False  # format the column as text (codes, numbers Excel would round)
    choices: str = ""  # the choice list offered by data validation


def _col(key, en, zh, **kw) -> Column:
    return Column(key, pgettext_lazy("household column", en), zh, **kw)


COLUMNS: tuple[Column, ...] = (
    _col("code", "Resident code", "居民编码", width=12, text=True),
    _col("community", "Community code", "社区编码", required=True, width=15, text=True),
    _col("compound", "Compound", "小区", required=True, width=16),
    _col("building", "Building", "楼栋", required=True, width=8, text=True),
    _col("unit", "Unit", "单元", width=6, text=True),
    _col("room", "Room", "房号", required=True, width=8, text=True),
    _col("kind", "Household kind", "户类型", width=10, choices="kind"),
    _col("name", "Name", "姓名", required=True, width=10),
    _col("id_number", "ID number", "身份证号", width=21, text=True),
    _col("sex", "Sex", "性别", width=6, choices="sex"),
    _col("birth_date", "Birth date", "出生日期", width=12, text=True),
    _col("phone", "Phone", "手机号", width=14, text=True),
    _col(
        "relation",
        "Relation to the head",
        "与户主关系",
        required=True,
        width=10,
        choices="relation",
    ),
    _col("residence", "Residence status", "居住状态", width=10, choices="residence"),
    _col("arrived_on", "Arrival date", "来本地日期", width=12, text=True),
    _col("tags", "Tags", "标签", width=24),
    _col("sensitive_tags", "Sensitive tags", "敏感标签", width=20),
    _col("lng", "Longitude (new building)", "经度(新楼栋)", width=11),
    _col("lat", "Latitude (new building)", "纬度(新楼栋)", width=11),
)
COLUMN_BY_KEY = {col.key: col for col in COLUMNS}
COLUMN_ORDER = {col.key: i for i, col in enumerate(COLUMNS)}

KIND_ZH = {
    Household.Kind.OWNER_OCCUPIED: "自住",
    Household.Kind.RENTED: "出租",
    Household.Kind.VACANT: "空置",
    Household.Kind.SHOP: "商铺",
    Household.Kind.OTHER: "其他",
}
RELATION_ZH = {
    Resident.Relation.HEAD: "户主",
    Resident.Relation.SPOUSE: "配偶",
    Resident.Relation.CHILD: "子女",
    Resident.Relation.PARENT: "父母",
    Resident.Relation.GRANDCHILD: "孙子女",
    Resident.Relation.GRANDPARENT: "祖父母",
    Resident.Relation.SIBLING: "兄弟姐妹",
    Resident.Relation.TENANT: "租户",
    Resident.Relation.OTHER: "其他",
}
RESIDENCE_ZH = {
    Resident.Residence.REGISTERED: "户籍",
    Resident.Residence.PERMANENT: "常住",
    Resident.Residence.FLOATING: "流动",
}
TAG_ZH = {
    tagset.Tag.LIVES_ALONE: "独居老人",
    tagset.Tag.EMPTY_NEST: "空巢老人",
    tagset.Tag.VERY_OLD: "高龄",
    tagset.Tag.LEFT_BEHIND_CHILD: "留守儿童",
    tagset.Tag.VETERAN: "退役军人",
    tagset.Tag.PARTY_MEMBER: "党员",
    tagset.Tag.NEEDS_EMERGENCY_HELP: "需要应急帮扶",
    tagset.Tag.DISABILITY: "残疾",
    tagset.Tag.SUBSISTENCE: "低保/特困",
    tagset.Tag.PREGNANT: "孕产妇",
    tagset.Tag.CHRONIC_ILLNESS: "慢病",
    tagset.Tag.KEY_PERSON: "重点人员",
    tagset.Tag.COMMUNITY_CORRECTION: "社区矫正",
}
EXTRA_ALIASES = {
    "relation": {
        "本人": Resident.Relation.HEAD,
        "妻子": Resident.Relation.SPOUSE,
        "丈夫": Resident.Relation.SPOUSE,
        "儿子": Resident.Relation.CHILD,
        "女儿": Resident.Relation.CHILD,
        "孙子": Resident.Relation.GRANDCHILD,
        "孙女": Resident.Relation.GRANDCHILD,
    },
    "kind": {
        "自有": Household.Kind.OWNER_OCCUPIED,
        "出租户": Household.Kind.RENTED,
        "空房": Household.Kind.VACANT,
        "门面": Household.Kind.SHOP,
    },
    "residence": {
        "户籍人口": Resident.Residence.REGISTERED,
        "常住人口": Resident.Residence.PERMANENT,
        "流动人口": Resident.Residence.FLOATING,
    },
    "tag": {
        "低保": tagset.Tag.SUBSISTENCE,
        "特困": tagset.Tag.SUBSISTENCE,
        "慢性病": tagset.Tag.CHRONIC_ILLNESS,
        "残疾人": tagset.Tag.DISABILITY,
    },
}
CHOICES = {
    "kind": (Household.Kind, KIND_ZH),
    "relation": (Resident.Relation, RELATION_ZH),
    "residence": (Resident.Residence, RESIDENCE_ZH),
    "sex": (Resident.Sex, SEX_ZH),
    "tag": (tagset.Tag, TAG_ZH),
}

EXAMPLE_PREFIXES = ("示例", "例：", "example")
TAG_SEPARATORS = re.compile(r"[;；,，、\n]+")
MASK_CHARS = ("*", "＊")
_FOLD = re.compile(r"[\s\"'“”‘’「」『』*＊]+")
_NOTE = re.compile(r"[（(](必填|选填|required|optional|新楼栋|new building)[)）]", re.IGNORECASE)


def fold(text: str) -> str:
    """What two spellings of one header or choice label share."""
    text = unicodedata.normalize("NFKC", str(text))
    return _FOLD.sub("", _NOTE.sub("", text)).casefold()


def chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def header(col: Column) -> str:
    """A column's header in the active language (the format's Chinese names for Chinese)."""
    return col.zh if chinese() else str(col.label)


def choice_label(kind: str, value: str) -> str:
    choices, zh = CHOICES[kind]
    return zh[value] if chinese() else str(choices(value).label)


def header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for col in COLUMNS:
        spellings = {col.key, col.zh, str(col.label)}
        with translation.override("en"):
            spellings.add(str(col.label))
        for s in spellings:
            aliases[fold(s)] = col.key
    return aliases


def choice_aliases(kind: str) -> dict[str, str]:
    choices, zh = CHOICES[kind]
    aliases: dict[str, str] = {}
    for value in choices.values:
        spellings = {value, zh[value], str(choices(value).label)}
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                spellings.add(str(choices(value).label))
        for s in spellings:
            aliases.setdefault(fold(s), value)
    for spelling, value in EXTRA_ALIASES.get(kind, {}).items():
        aliases.setdefault(fold(spelling), value)
    return aliases


def resident_code(pk: int) -> str:
    """The row key an export writes and an import matches: ``R`` and the resident's id."""
    return f"R{pk}"


def parse_resident_code(text: str) -> int | None:
    text = text.strip().upper()
    if len(text) > 1 and text[0] == "R" and text[1:].isdigit() and len(text) < 19:
        return int(text[1:])
    return None
