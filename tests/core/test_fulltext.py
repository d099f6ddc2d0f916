"""core.search: Chinese full-text search, the same on SQLite (FTS5) and PostgreSQL.

The rule (core/search/__init__.py): a document matches when it holds every word of
the query as a whole word; nothing matches inside a word, so a single character finds
only the documents where it stands alone as a word.
"""

from __future__ import annotations

import pytest

from shezhi.core import search
from shezhi.core.errors import BadInput
from shezhi.core.search.models import SearchDocument

pytestmark = pytest.mark.django_db

DOCS = [
    ("1", "老旧小区加装电梯", "锦江花园8栋的老人爬楼难，居民协商加装电梯。", "0001000A"),
    ("2", "社区食堂开张", "老人食堂每天供应午餐，助餐补贴惠及高龄老人。", "0001000A"),
    ("3", "四点半课堂", "放学后孩子们在社区做作业，志愿者辅导。", "0001000B"),
    ("4", "敬老院探访", "志愿者每周去敬老院陪伴。", "00010002"),
    ("5", "停车难的办法", "错时停车，共享车位，停车难缓解。", "00020001"),
    ("6", "遛狗文明公约", "小区里狗太多，晚上遛狗要拴绳，狗 主人签公约。", "0001000A"),
]


@pytest.fixture
def docs():
    for oid, title, body, path in DOCS:
        search.index_document(
            doc_type="t", object_id=oid, title=title, body=body, area_path=path, url=f"/t/{oid}"
        )


def ids(results) -> set[str]:
    return {h.object_id for h in results.hits}


def test_segmentation_keeps_words_and_their_parts():
    assert search.segment("老旧小区改造") == "老旧 小区 改造"
    assert set(search.segment("中华人民共和国").split()) >= {"中华人民共和国", "人民", "共和国"}
    # Function words and punctuation never enter the index.
    assert search.segment("居民说：楼道里的灯坏了") == "居民 楼道 灯坏"


def test_words_are_found_in_titles_and_bodies(docs):
    assert ids(search.search("加装电梯")) == {"1"}
    assert ids(search.search("食堂")) == {"2"}
    assert ids(search.search("志愿者")) == {"3", "4"}
    # Every word of the query must be in the document.
    assert ids(search.search("志愿者 敬老院")) == {"4"}
    assert ids(search.search("电梯 食堂")) == set()


def test_no_false_hits_on_single_characters(docs):
    # 老 is inside 老人, 老旧 and 敬老院: none of them is the word 老.
    assert ids(search.search("老")) == set()
    assert ids(search.search("电")) == set()
    # A character that stands as a word of its own is found where it does.
    assert ids(search.search("狗")) == {"6"}
    # A function word alone is no query.
    assert search.search("的").hits == []


def test_a_part_of_a_longer_word_finds_it(docs):
    # 敬老院 is indexed with its part 敬老; 停车难 with 停车.
    assert ids(search.search("敬老")) == {"4"}
    assert ids(search.search("停车")) == {"5"}
    assert ids(search.search("停车难")) == {"5"}


def test_ranking_puts_the_title_first(docs):
    search.index_document(doc_type="t", object_id="7", title="其他", body="顺便提到电梯")
    hits = search.search("电梯").hits
    assert [h.object_id for h in hits] == ["1", "7"]
    assert hits[0].url == "/t/1" and "电梯" in hits[0].snippet


def test_scope_is_a_path_range(docs):
    assert ids(search.search("志愿者", paths=["0001000A"])) == set()
    assert ids(search.search("志愿者", paths=["0001000B"])) == {"3"}
    assert ids(search.search("志愿者", paths=["00010002", "0001000B"])) == {"3", "4"}
    assert ids(search.search("停车", paths=["0001"])) == set()
    assert ids(search.search("停车", paths=[])) == set()


def test_unpublished_and_unindexed_documents_are_not_found(docs):
    search.index_document(doc_type="t", object_id="3", title="四点半课堂", published=False)
    assert ids(search.search("课堂")) == set()
    assert ids(search.search("课堂", published_only=False)) == {"3"}
    search.unindex_document(doc_type="t", object_id="1")
    assert ids(search.search("电梯")) == set()
    # Re-indexing replaces the words: the old ones are gone.
    search.index_document(doc_type="t", object_id="2", title="社区食堂", body="午餐")
    assert ids(search.search("助餐")) == set() and ids(search.search("午餐")) == {"2"}
    assert SearchDocument.objects.filter(doc_type="t").count() == 5


def test_pages_follow_a_keyset_cursor(docs):
    for i in range(7):
        search.index_document(doc_type="p", object_id=str(i), title=f"垃圾分类 第{i}期")
    first = search.search("垃圾分类", doc_types=["p"], limit=3)
    second = search.search("垃圾分类", doc_types=["p"], limit=3, after=first.next_cursor)
    third = search.search("垃圾分类", doc_types=["p"], limit=3, after=second.next_cursor)
    seen = [h.object_id for r in (first, second, third) for h in r.hits]
    assert sorted(seen) == [str(i) for i in range(7)] and third.next_cursor is None


def test_bad_input_names_the_field(docs):
    with pytest.raises(BadInput) as e:
        search.search("电梯" * 60)
    assert e.value.field == "q"
    with pytest.raises(BadInput) as e:
        search.search("电梯", after="not-a-cursor")
    assert e.value.field == "after"
    # Query syntax of either database is only text here.
    for q in ['"', "电梯 OR", "NEAR(", "a & b | !c", "'); DROP TABLE x; --", "*", "-电梯"]:
        search.search(q)


def test_bulk_rows_are_indexed_too():
    SearchDocument.objects.bulk_create(
        search.document_rows([{"doc_type": "b", "object_id": 1, "title": "院落自治"}])
    )
    assert ids(search.search("院落")) == {"1"}


def test_words_of_community_governance_are_whole_words():
    """助餐点 is 助 餐点 to jieba's general dictionary: the domain's words keep 助餐,
    充电桩, 加装电梯 … whole, so a resident searching for them finds them."""
    from shezhi.core.search import query_terms, segment

    assert "助餐" in segment("开办老年助餐点").split()
    assert "充电桩" in segment("增设电动车充电桩").split()
    assert query_terms("加装电梯")[0][0] == "加装电梯"
