"""Whether two demands ask for the same thing at the same place (grouping, issue 16 §2).

No dictionary, no model: Chinese text is compared by its character bigrams (a word of
two characters is a bigram; longer words share several), after the filler words every
wish contains (希望、建议、能不能 ...) are taken out, plus **topic concepts**: a small
hand-kept lexicon of the 15-minute life circle's needs (停车/车位 → parking, 食堂/助餐/
送餐 → meals for the elderly ...), so "车位太少" and "没地方停车" meet although they share
little text. jieba was considered: its last release (0.42.1) dates from 2020 and its
dictionary would weigh more than this whole app; bigrams need neither.

Place decides too: the same wish at another building or gate is another demand. The
**place markers** of a text (3栋, 12号楼, 东门, 阳光花园, 滨河公园 ...) are taken out of
the compared text and compared on their own: two texts naming places, none in common,
are held apart; and two demands with points further apart than ``NEAR_METRES`` are.

``similarity(a, b)`` is a score in [0, 1]; ``THRESHOLD`` is the level above which a
demand joins a group. Both were tuned on tests/data/demand_pairs.csv (bench/
demand_grouping.py prints precision and recall; tests/demands/test_matching.py keeps
them above the targets).

**Speed** (``Index``): a new demand is not scored against every open demand. Each
profile is computed once and put in an inverted index (feature → the entries holding
it, with their weights); the cosine of a new profile with every entry is the sum over
its own ~15 features' postings (numpy, no Python loop over entries), and only entries
whose cosine reaches the threshold get the place and distance guards (which can only
lower a score). Entries with the same profile in the same ~50 m cell (and the same
group, when grouping) are stored once: the index grows with the distinct wishes, not
with the number of residents repeating them.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np

THRESHOLD = 0.25
NEAR_METRES = 300.0
CONCEPT_WEIGHT = 2.0
# Two texts whose topics are known and share none, or whose places are named and share
# none, keep this share of their text score.
APART = 0.25

_FILLER_WORDS = """
希望 建议 能不能 能否 可以 请 麻烦 一下 一些 一个 一间 一块 我们 我家 咱们 大家 小区 社区
居民 住户 附近 周边 旁边 太 了 的 很 都 个 点 多 能 想 要 有 在 把 给 和 是 也 就 还 又 被
得 地 着 过 吧 呢 啊 增加 增设 设置 安装 开设 引进 提供 方便 不方便 问题 解决
"""
# Longest first, so 不方便 goes before 方便.
FILLER = tuple(sorted(_FILLER_WORDS.split(), key=len, reverse=True))
_FILLER_RE = re.compile("|".join(map(re.escape, FILLER)))

CONCEPTS: dict[str, tuple[str, ...]] = {
    "elevator": ("电梯", "加梯", "爬楼", "上下楼", "下楼", "上楼"),
    "parking": ("停车", "车位", "乱停", "停满"),
    "elder_meals": ("食堂", "饭堂", "助餐", "送餐", "老年餐", "吃饭", "午餐", "餐厅", "三餐"),
    "fitness": ("健身", "锻炼", "运动设施", "单杠", "漫步机", "健身器"),
    "street_light": ("路灯", "没有灯", "太暗", "黑漆漆", "盏"),
    "pets": ("狗", "宠物", "养犬", "便便", "粪", "拾便"),
    "parcels": ("快递", "丰巢", "取件"),
    "childcare": ("托育", "托管", "托儿", "托班", "带娃", "婴幼儿", "照看", "带孩子"),
    "charging": ("充电", "飞线", "电瓶", "插座"),
    "trees": ("修剪", "树枝", "树木", "大树", "剪一剪", "采光", "树长"),
    "greening": ("绿化", "种花", "种草", "补种", "补植", "杂草", "野草", "小花园", "绿地"),
    "activity_room": ("活动室", "活动场地", "排练", "合唱", "活动中心", "屋子", "房间"),
    "cctv": ("监控", "摄像头", "探头", "偷", "丢车"),
    "breakfast": ("早餐", "早饭", "早点"),
    "groceries": ("菜市场", "买菜", "菜店", "生鲜", "蔬菜", "卖菜"),
    "playground": ("儿童", "滑梯", "秋千", "游乐", "小朋友", "跷跷板", "游戏区"),
    "noise": ("音响", "音量", "音乐", "吵", "音箱", "睡不着", "声音", "广场舞"),
}

_NOT_A_NAME = "我们|咱们|这个|那个|整个|附近|周边|本|该|各|老"
PLACE_RE = re.compile(
    r"\d+\s*(?:栋|号楼|幢|单元|号院)"
    r"|[东南西北](?:门|侧|区)"
    rf"|(?<![{_NOT_A_NAME}])[\u4e00-\u9fff]{{2}}(?:花园|家园|小区|社区|公园|绿道|广场|苑)"
)
_NON_CJK = re.compile(r"[^\u4e00-\u9fff]+")


@dataclass
class Profile:
    """What the matcher keeps of a text: weighted features (norm 1), concepts, places."""

    vector: dict[str, float] = field(default_factory=dict)
    concepts: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()

    @property
    def key(self) -> tuple:
        """Equal for profiles that score the same against anything."""
        return (tuple(sorted(self.vector.items())), self.places)


def places_of(text: str) -> frozenset[str]:
    found = set()
    for m in PLACE_RE.finditer(text):
        s = re.sub(r"\s+", "", m.group(0))
        if s[:2] in _NOT_A_NAME.split("|"):
            continue
        found.add(s)
    return frozenset(found)


def profile(text: str) -> Profile:
    text = text or ""
    places = places_of(text)
    rest = PLACE_RE.sub(" ", text)
    concepts = frozenset(c for c, words in CONCEPTS.items() if any(w in rest for w in words))
    counts: Counter[str] = Counter()
    for run in _NON_CJK.split(_FILLER_RE.sub(" ", rest)):
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
    vector = {k: 1.0 + math.log(v) for k, v in counts.items()}
    for c in concepts:
        vector["#" + c] = CONCEPT_WEIGHT
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return Profile({k: w / norm for k, w in vector.items()}, concepts, places)


def cosine(a: Profile, b: Profile) -> float:
    if len(a.vector) > len(b.vector):
        a, b = b, a
    return sum(w * b.vector.get(k, 0.0) for k, w in a.vector.items())


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two WGS84 points (equirectangular: fine below a few km)."""
    lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(a[0] - b[0]) * math.cos(lat)
    dy = math.radians(a[1] - b[1])
    return 6_371_000 * math.hypot(dx, dy)


def score(a: Profile, b: Profile, point_a=None, point_b=None) -> float:
    return _guarded(cosine(a, b), a, b, point_a, point_b)


def similarity(a: str, b: str, point_a=None, point_b=None) -> float:
    return score(profile(a), profile(b), point_a, point_b)


def same(a: str, b: str, point_a=None, point_b=None, threshold: float = THRESHOLD) -> bool:
    return similarity(a, b, point_a, point_b) >= threshold


# Points in the same cell of this size (degrees, about 50 m) count as one place when
# identical profiles are stored once (``Index``).
CELL_DEGREES = 0.0005


def _cell(point) -> tuple[int, int] | None:
    if point is None:
        return None
    return (round(point[0] / CELL_DEGREES), round(point[1] / CELL_DEGREES))


@dataclass
class Entry:
    """One distinct (profile, place[, group]) of an ``Index`` and who holds it."""

    profile: Profile
    point: tuple[float, float] | None
    group: Hashable
    idents: list = field(default_factory=list)


class Index:
    """An inverted index of profiles for ``best`` / ``candidates`` (see the module's
    docstring, "Speed"). ``by_group``: identical profiles are stored once per group
    (grouping from scratch, where the group is known); otherwise once, whatever their
    groups (the service, which reads the current group of each demand from the
    database)."""

    def __init__(self, *, by_group: bool = True) -> None:
        self.by_group = by_group
        self.entries: list[Entry] = []
        self._ids: dict[str, array] = {}
        self._weights: dict[str, array] = {}
        self._seen: dict[tuple, int] = {}
        self.size = 0  # idents added

    def add(self, prof: Profile, point=None, *, ident=None, group: Hashable = None) -> Entry:
        self.size += 1
        key = (group if self.by_group else None, prof.key, _cell(point))
        at = self._seen.get(key)
        if at is None:
            at = len(self.entries)
            self._seen[key] = at
            self.entries.append(Entry(prof, point, group))
            for f, w in prof.vector.items():
                ids = self._ids.get(f)
                if ids is None:
                    ids = self._ids[f] = array("q")
                    self._weights[f] = array("d")
                ids.append(at)
                self._weights[f].append(w)
        entry = self.entries[at]
        entry.idents.append(ident)
        return entry

    def _cosines(self, prof: Profile) -> np.ndarray:
        acc = np.zeros(len(self.entries))
        for f, w in prof.vector.items():
            ids = self._ids.get(f)
            if ids is not None:
                acc[np.frombuffer(ids, dtype=np.int64)] += w * np.frombuffer(
                    self._weights[f], dtype=np.float64
                )
        return acc

    def candidates(
        self, prof: Profile, point=None, threshold: float = THRESHOLD
    ) -> list[tuple[float, Entry]]:
        """Every entry scoring at least ``threshold`` against ``prof``, best first."""
        if not self.entries:
            return []
        acc = self._cosines(prof)
        hits = np.flatnonzero(acc >= threshold)
        out = []
        for i in hits[np.argsort(-acc[hits], kind="stable")].tolist():
            e = self.entries[i]
            s = _guarded(float(acc[i]), prof, e.profile, point, e.point)
            if s >= threshold:
                out.append((s, e))
        out.sort(key=lambda x: -x[0])
        return out

    def best(
        self, prof: Profile, point=None, threshold: float = THRESHOLD
    ) -> tuple[Entry | None, float]:
        """The entry scoring highest against ``prof`` (at least ``threshold``), or None."""
        if not self.entries:
            return None, 0.0
        acc = self._cosines(prof)
        hits = np.flatnonzero(acc >= threshold)
        best, best_score = None, 0.0
        for i in hits[np.argsort(-acc[hits], kind="stable")].tolist():
            cos = float(acc[i])
            if cos <= best_score:
                break  # the guards only lower a score: nothing further can win
            e = self.entries[i]
            s = _guarded(cos, prof, e.profile, point, e.point)
            if s >= threshold and s > best_score:
                best, best_score = e, s
        return best, best_score


def _guarded(cos: float, a: Profile, b: Profile, point_a, point_b) -> float:
    s = cos
    if a.concepts and b.concepts and not a.concepts & b.concepts:
        s *= APART
    if a.places and b.places and not a.places & b.places:
        s *= APART
    if point_a is not None and point_b is not None and metres(point_a, point_b) > NEAR_METRES:
        s *= APART
    return s


def group_all(items: Iterable[tuple[str, tuple[float, float] | None]]) -> list[int]:
    """Group texts from scratch, in order: each joins the group of its best match among
    those before it (``THRESHOLD``), or starts a new one. Returns a group number per item
    (the same rule as ``services.group_demand``, one demand at a time)."""
    index = Index(by_group=True)
    labels: list[int] = []
    groups = 0
    for n, (text, point) in enumerate(items):
        prof = profile(text)
        entry, _s = index.best(prof, point)
        if entry is None:
            label, groups = groups, groups + 1
        else:
            label = entry.group
        index.add(prof, point, ident=n, group=label)
        labels.append(label)
    return labels
