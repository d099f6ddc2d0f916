"""Full-text search in Chinese, one interface over SQLite FTS5 and PostgreSQL.

Any app indexes its documents here (``index_document`` / ``unindex_document``) and
searches them (``search``); the database underneath is the project's own business.

**Words, not characters.** Chinese has no spaces, so every text is cut into words by
rjieba (jieba-rs) before it is stored (``segment``): search mode, which also keeps the
shorter words inside a long one (中华人民共和国 → 中华, 人民, 共和国 …), so a search for
a part of a compound word finds it. The words are stored space-separated; SQLite's
FTS5 (``unicode61``) and PostgreSQL's ``simple`` configuration then only split on those
spaces and lower-case: both databases index the very same words.

**The rule for a query** (``query_terms``): the query is cut into words the same way
(precise mode); a document matches when it holds every word of the query, each as a
whole word (or, for a query word that contains shorter words, all of those). Nothing
matches inside a word: searching 老 finds the documents where 老 stands as a word of
its own, never every document that says 老人 or 敬老院 (no false hits on single
characters). Function words (的, 了, 在 … ``STOP_WORDS``) and punctuation are dropped
from documents and queries alike; a query left with no word finds nothing.

**Ranking**: BM25 on SQLite (title weighted 4, body 1); on PostgreSQL ``ts_rank`` over
the title (weight A) and the body's lead, its first ``LEAD_WORDS`` words (weight B):
ranking every word of thousands of matching documents there cost ~10 µs a document,
most of a search's time (bench/search.py). Ties by id. Results come in pages of
``limit`` with a keyset cursor
(``after`` → ``next_cursor``) over (score, id), so page two costs what page one did.

**Scope**: ``paths`` (area paths, each standing for its subtree as a path range; None:
everywhere) and ``published_only`` (the public's search) are applied in the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from ..errors import BadInput
from ..lists.cursors import decode_cursor, encode_cursor
from ..lists.ranges import successor

__all__ = [
    "Hit",
    "Results",
    "index_document",
    "query_terms",
    "search",
    "segment",
    "unindex_document",
]

QUERY_MAX = 100
LEAD_WORDS = 64
LIMIT_MAX = 100
TITLE_WEIGHT = 4.0

_STOP_TEXT = """
的 了 着 过 是 在 和 与 及 或 而 也 都 就 还 又 把 被 给 让 向 对 从 于 以 之 其
这 那 个 吗 呢 吧 啊 呀 哦 嗯 么 得 地 很 等 里 说
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"\w+")


# Words of community governance that jieba's general dictionary splits (助餐点 → 助 餐点,
# 充电桩 → 充电 桩), so a resident searching 助餐 or 充电桩 would miss them. Adding a word
# changes how texts are cut: documents indexed before must be indexed again.
_DOMAIN_TEXT = """
助餐 助餐点 老年助餐 长者食堂 社区食堂 充电桩 充电棚 加装电梯 电梯加装 四点半课堂 托育 托管班
网格员 微网格 专属网格 楼栋长 单元长 院落 院坝 坝坝会 议事会 业委会 物业费 停车位 停车难
垃圾分类 垃圾房 适老化 无障碍 独居老人 空巢老人 留守儿童 低保户 小红帽 小广播 安居包
微阵地 社治 亲治理 众筹 附议 配套资金 党群服务 志愿服务 便民服务 口袋公园 健身路径
"""
DOMAIN_WORDS = tuple(_DOMAIN_TEXT.split())
_dictionary_ready = False


def _cut(text: str, *, for_search: bool) -> list[str]:
    global _dictionary_ready
    import rjieba  # imported on first use: the wheel loads its dictionary then

    if not _dictionary_ready:
        for word in DOMAIN_WORDS:
            rjieba.add_word(word, None, None)
        _dictionary_ready = True
    cut = rjieba.cut_for_search if for_search else rjieba.cut
    return cut(text or "")


def _keep(word: str) -> str | None:
    word = word.strip().lower()
    if not word or not _WORD.fullmatch(word) or word in STOP_WORDS or word == "_":
        return None
    return word


def segment(text: str) -> str:
    """``text`` as the space-separated words the index holds (search mode)."""
    return " ".join(w for w in map(_keep, _cut(text, for_search=True)) if w)


def query_terms(q: str) -> list[tuple[str, ...]]:
    """The words a document must hold: one tuple per query word, ``(word, *parts)``
    where ``parts`` are the shorter words search mode finds inside it (a document
    holding the word, or else all its parts, matches). Empty: nothing to search by."""
    terms: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for raw in _cut(q, for_search=False):
        word = _keep(raw)
        if word is None or word in seen:
            continue
        seen.add(word)
        parts = tuple(
            p
            for p in (_keep(x) for x in _cut(word, for_search=True))
            if p and p != word and len(p) > 1
        )
        terms.append((word, *parts))
    return terms


# ---------------------------------------------------------------------------
# Writing


def _terms(title: str, body: str) -> dict:
    words = segment(body)
    return {
        "title_terms": segment(title),
        "body_terms": words,
        "lead_terms": " ".join(words.split(" ", LEAD_WORDS)[:LEAD_WORDS]),
    }


def index_document(
    *,
    doc_type: str,
    object_id,
    title: str,
    body: str = "",
    area_path: str = "",
    url: str = "",
    published: bool = True,
) -> None:
    """Add or replace one document (call it inside the writer's transaction)."""
    from .models import SearchDocument

    SearchDocument.objects.update_or_create(
        doc_type=doc_type,
        object_id=str(object_id),
        defaults={
            "title": title[:300],
            "body": body,
            "area_path": area_path,
            "url": url[:300],
            "published": published,
            **_terms(title, body),
        },
    )


def unindex_document(*, doc_type: str, object_id) -> None:
    """Take one document out of the index (nothing happens if it is not in it)."""
    from .models import SearchDocument

    SearchDocument.objects.filter(doc_type=doc_type, object_id=str(object_id)).delete()


def document_rows(rows: Iterable[dict]) -> list:
    """Unsaved ``SearchDocument`` rows for ``bulk_create`` (the demo, benchmarks): each
    dict has ``index_document``'s keys."""
    from .models import SearchDocument

    return [
        SearchDocument(
            doc_type=r["doc_type"],
            object_id=str(r["object_id"]),
            title=r["title"][:300],
            body=r.get("body", ""),
            area_path=r.get("area_path", ""),
            url=r.get("url", "")[:300],
            published=r.get("published", True),
            **_terms(r["title"], r.get("body", "")),
        )
        for r in rows
    ]


# ---------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Hit:
    doc_type: str
    object_id: str
    title: str
    url: str
    area_path: str
    snippet: str
    score: float


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None
    terms: list[str] = field(default_factory=list)


def _fts5_query(terms: Sequence[tuple[str, ...]]) -> str:
    def alt(term: tuple[str, ...]) -> str:
        word, *parts = term
        quoted = f'"{word}"'
        if not parts:
            return quoted
        return f"({quoted} OR ({' AND '.join(f'{chr(34)}{p}{chr(34)}' for p in parts)}))"

    return " AND ".join(alt(t) for t in terms)


def _tsquery(terms: Sequence[tuple[str, ...]]) -> str:
    def alt(term: tuple[str, ...]) -> str:
        word, *parts = term
        if not parts:
            return f"'{word}'"
        return f"('{word}' | ({' & '.join(f'{chr(39)}{p}{chr(39)}' for p in parts)}))"

    return " & ".join(alt(t) for t in terms)


def _filters(
    paths: Iterable[str] | None, doc_types: Sequence[str] | None, published_only: bool
) -> tuple[list[str], list]:
    where: list[str] = []
    params: list = []
    if published_only:
        where.append("d.published = %s")
        params.append(True)
    if doc_types:
        # "IS TRUE": no index answers it, so PostgreSQL does not walk every document of
        # the type through the (doc_type, object_id) index to test ``@@`` on each: the
        # GIN index finds the matches, this filters them (137 ms → 40 ms for a word in a
        # third of 10,000 documents).
        where.append(f"(d.doc_type IN ({', '.join(['%s'] * len(doc_types))})) IS TRUE")
        params.extend(doc_types)
    if paths is not None:
        ranges = []
        for p in sorted(set(paths)):
            upper = successor(p) if p else None
            if not p:
                ranges = []
                break
            if upper is None:
                ranges.append("d.area_path >= %s")
                params.append(p)
            else:
                ranges.append("(d.area_path >= %s AND d.area_path < %s)")
                params.extend([p, upper])
        else:
            where.append(f"({' OR '.join(ranges)})" if ranges else "1 = 0")
    return where, params


def _snippet(body: str, words: Sequence[str], width: int = 60) -> str:
    text = " ".join(body.split())
    at = min((i for i in (text.find(w) for w in words) if i >= 0), default=0)
    start = max(0, at - width // 3)
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def search(
    q: str,
    *,
    paths: Iterable[str] | None = None,
    doc_types: Sequence[str] | None = None,
    published_only: bool = True,
    limit: int = 20,
    after: str | None = None,
) -> Results:
    """The documents that hold every word of ``q``, best first (see the module's rule).

    ``paths``: area paths whose subtrees are searched (None: all); ``doc_types``: only
    these kinds; ``after``: a ``next_cursor`` this search gave out (else a 400 naming
    ``after``). A query longer than ``QUERY_MAX`` is a 400 naming ``q``.
    """
    from .models import SearchDocument

    q = (q or "").strip()
    if len(q) > QUERY_MAX:
        raise BadInput(_("Search for at most %(n)d characters.") % {"n": QUERY_MAX}, field="q")
    limit = max(1, min(int(limit), LIMIT_MAX))
    terms = query_terms(q)
    if not terms:
        return Results()
    where, params = _filters(paths, doc_types, published_only)
    postgres = connection.vendor == "postgresql"
    if postgres:
        inner = (
            "SELECT d.id AS id, (-ts_rank(d.rank_terms, query))::float8 AS score "
            "FROM search_searchdocument d, to_tsquery('simple', %s) query "
            "WHERE d.terms @@ query"
        )
        params = [_tsquery(terms), *params]
    else:
        inner = (
            f"SELECT d.id AS id, bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS score "  # noqa: S608
            "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s"
        )
        params = [_fts5_query(terms), *params]
    if where:
        inner += " AND " + " AND ".join(where)
    # Only this module's own fragments and %s placeholders are joined: no input.
    sql = f"SELECT id, score FROM ({inner}) hits"  # noqa: S608
    if after:
        score, last_id = decode_cursor(after, 2, field_name="after")
        try:
            score, last_id = float(score), int(last_id)
        except (TypeError, ValueError):
            raise BadInput(_("This cursor is not one this list gave out."), field="after") from None
        sql += " WHERE (score > %s OR (score = %s AND id > %s))"
        params += [score, score, last_id]
    sql += " ORDER BY score, id LIMIT %s"
    params.append(limit + 1)
    with transaction.atomic(), connection.cursor() as cur:
        if not postgres:
            cur.execute(sql, params)
            rows = cur.fetchall()
        else:
            # The planner prices ``@@`` as cheap and scans the whole table when a word is
            # common (110 ms over 10,000 documents); the GIN index answers in 3 ms. Off
            # for this statement only: the setting it had is put back after it.
            cur.execute("SELECT current_setting('enable_seqscan')")
            (before,) = cur.fetchone()
            cur.execute("SELECT set_config('enable_seqscan', 'off', true)")
            try:
                cur.execute(sql, params)
                rows = cur.fetchall()
            finally:
                cur.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
    more = len(rows) > limit
    rows = rows[:limit]
    docs = SearchDocument.objects.in_bulk([r[0] for r in rows])
    words = [t[0] for t in terms]
    hits = [
        Hit(
            doc_type=d.doc_type,
            object_id=d.object_id,
            title=d.title,
            url=d.url,
            area_path=d.area_path,
            snippet=_snippet(d.body, words),
            score=float(score),
        )
        for pk, score in rows
        if (d := docs.get(pk)) is not None
    ]
    cursor = encode_cursor([Decimal(repr(float(rows[-1][1]))), rows[-1][0]]) if more else None
    return Results(hits=hits, next_cursor=cursor, terms=words)
