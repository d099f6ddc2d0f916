"""Households and residents in and out of Excel: the template, one crafted bad file per
error kind (named by row and column, nothing written), both modes, scope, the masked
export and its round trip, and no plaintext left in the database."""

from __future__ import annotations

import io

import openpyxl
import pytest
from auditlog.models import LogEntry

from shezhi.core.models import PersonalDataView
from shezhi.households.models import Household, Resident, ResidentMove, TagCount
from shezhi.households.transfer import (
    export_residents,
    household_template,
    import_households,
)
from tests.households.conftest import add_resident, valid_id_number
from tests.households.test_raw_database import every_cell

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _chinese_workbooks(_english_messages):
    # The file format's own language: Chinese headers and labels, as street offices keep.
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


HEADER = [
    "居民编码",
    "社区编码",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "户类型",
    "姓名",
    "身份证号",
    "性别",
    "出生日期",
    "手机号",
    "与户主关系",
    "居住状态",
    "来本地日期",
    "标签",
    "敏感标签",
]
ID_A = valid_id_number(birth="19400101", seq="011")  # a man
ID_B = valid_id_number(birth="19420202", seq="022")  # a woman
ID_C = valid_id_number(birth="19700303", seq="031")


def xlsx(rows, header=HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(code="", **kw) -> list:
    values = {
        "社区编码": kw.pop("community", "510113001001"),
        "小区": kw.pop("compound", "凤凰家园"),
        "楼栋": kw.pop("building", "1"),
        "单元": kw.pop("unit", "1"),
        "房号": kw.pop("room", "301"),
        "户类型": kw.pop("kind", "自住"),
        "姓名": kw.pop("name", "张大爷"),
        "身份证号": kw.pop("id_number", ""),
        "性别": kw.pop("sex", ""),
        "出生日期": kw.pop("birth_date", ""),
        "手机号": kw.pop("phone", ""),
        "与户主关系": kw.pop("relation", "户主"),
        "居住状态": kw.pop("residence", "户籍"),
        "来本地日期": kw.pop("arrived_on", ""),
        "标签": kw.pop("tags", ""),
        "敏感标签": kw.pop("sensitive", ""),
        "居民编码": code,
    }
    assert not kw, kw
    return [values[h] for h in HEADER]


def good_rows() -> list[list]:
    return [
        row(
            name="张大爷",
            id_number=ID_A,
            phone="13987654321",
            tags="独居老人、高龄",
            sensitive="慢病",
        ),
        row(room="302", name="李奶奶", id_number=ID_B, relation="户主", tags="空巢老人"),
        row(
            room="302",
            name="李小明",
            id_number=ID_C,
            relation="子女",
            residence="流动",
            arrived_on="2020-05-01",
            phone="028-83339876",
        ),
    ]


def run(actor, rows, **kw):
    return import_households(actor=actor, data=xlsx(rows), **kw)


def test_the_template_has_instructions_choice_lists_and_imports_as_empty(cast):
    data = household_template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["居民编码", "社区编码", "小区"]
    assert "填写说明" in wb.sheetnames
    assert sheet.data_validations.dataValidation  # drop-down lists
    outcome = import_households(actor=cast.community, data=data)
    assert outcome.rows == 0 and not outcome.errors and not outcome.written


def test_an_import_registers_households_and_residents(territory, cast, place):
    outcome = run(cast.community, good_rows())
    assert outcome.written, outcome.errors
    assert outcome.counts["households_created"] == 2
    assert outcome.counts["residents_created"] == 3
    old = Resident.objects.get(name="张大爷")
    assert old.sex == "male" and old.birth_date == "1940-01-01" and old.birth_year == 1940
    assert old.id_number == ID_A and old.phone == "13987654321" and old.phone_last4 == "4321"
    assert old.tag_list == ["lives_alone", "very_old"]
    assert old.sensitive_tags == ",chronic_illness,"
    assert (
        old.household.kind == "owner_occupied" and old.household.micro_grid == territory["micro1"]
    )
    young = Resident.objects.get(name="李小明")
    assert young.residence == "floating" and str(young.arrived_on) == "2020-05-01"
    counts = dict(
        TagCount.objects.filter(micro_grid=territory["micro1"]).values_list("tag", "count")
    )
    assert counts == {"lives_alone": 1, "very_old": 1, "empty_nest": 1, "chronic_illness": 1}
    entries = LogEntry.objects.filter(additional_data__source="household import")
    assert entries.count() == 5  # two households, three residents
    assert ID_A not in str(list(entries.values_list("changes", flat=True)))


def test_an_import_leaves_no_plaintext_in_the_database(territory, cast, place):
    assert run(cast.community, good_rows()).written
    raw = every_cell()
    assert "张大爷" in raw
    # (TagCount names the tag beside a count, no person: not a secret.)
    for secret in (ID_A, ID_B, ID_C, ID_A[6:14], "1940-01-01", "13987654321", "83339876"):
        assert secret not in raw, secret


BAD = {
    # kind: (rows, row number, column)
    "id checksum": ([row(id_number=ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1"))], 2, "身份证号"),
    "birth date disagrees": ([row(id_number=ID_A, birth_date="1941-01-01")], 2, "出生日期"),
    "sex disagrees": ([row(id_number=ID_A, sex="女")], 2, "性别"),
    "duplicate id in file": ([row(id_number=ID_A), row(room="302", id_number=ID_A)], 3, "身份证号"),
    "unknown community": ([row(community="510113009009")], 2, "社区编码"),
    "unknown compound": ([row(compound="不存在小区")], 2, "小区"),
    "unknown building": ([row(building="99")], 2, "楼栋"),
    "two heads in file": ([row(), row(name="张二")], 3, "与户主关系"),
    "bad household kind": ([row(kind="别墅")], 2, "户类型"),
    "bad relation": ([row(relation="邻居")], 2, "与户主关系"),
    "bad residence": ([row(residence="暂住证")], 2, "居住状态"),
    "room above floors": ([row(room="901")], 2, "房号"),
    "unit out of range": ([row(unit="5")], 2, "单元"),
    "unknown tag": ([row(tags="富翁")], 2, "标签"),
    "sensitive tag in plain column": ([row(tags="慢病")], 2, "标签"),
    "bad date": ([row(arrived_on="昨天")], 2, "来本地日期"),
    "future date": ([row(arrived_on="2999-01-01")], 2, "来本地日期"),
    "bad phone": ([row(phone="12345")], 2, "手机号"),
    "missing name": ([row(name="")], 2, "姓名"),
    "unknown resident code": ([row(code="R999999")], 2, "居民编码"),
    "bad resident code": ([row(code="ABC")], 2, "居民编码"),
    "masked name on a new row": ([row(name="张**")], 2, "姓名"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_each_bad_input_is_named_by_row_and_column_and_nothing_is_written(kind, cast, place):
    rows, number, column = BAD[kind]
    before = (Household.objects.count(), Resident.objects.count())
    outcome = run(cast.community, rows)
    assert not outcome.written
    assert (number, column) in {(e.row, e.column) for e in outcome.errors}, outcome.errors
    assert (Household.objects.count(), Resident.objects.count()) == before


def test_an_id_number_already_registered_is_refused(cast, place):
    add_resident(cast.community, place.h101, "王五", id_number=ID_A)
    outcome = run(cast.community, [row(id_number=ID_A)])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "身份证号")]
    # The error shows the number masked.
    assert ID_A not in str(outcome.to_dict())


def test_a_second_head_beside_the_stored_one_is_refused(cast, place):
    add_resident(cast.community, place.h101, "户主甲", relation="head")
    outcome = run(cast.community, [row(room="101", name="户主乙")])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "与户主关系")]


def test_a_building_outside_its_community_is_refused(cast, place):
    header = [*HEADER, "经度(新楼栋)", "纬度(新楼栋)"]
    outside = [*row(building="新楼"), 104.32, 30.62]
    inside = [*row(building="新楼"), 104.02, 30.62]
    outcome = import_households(actor=cast.community, data=xlsx([outside], header))
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "经度(新楼栋)")]
    outcome = import_households(actor=cast.community, data=xlsx([inside], header))
    assert outcome.written and outcome.counts["buildings_created"] == 1


def test_valid_rows_only_writes_the_good_rows_and_reports_the_rest(cast, place):
    rows = [*good_rows(), row(room="303", kind="别墅")]
    outcome = run(cast.community, rows, valid_rows_only=True)
    assert outcome.written and outcome.rows_imported == 3 and outcome.rows_rejected == 1
    assert [(e.row, e.column) for e in outcome.errors] == [(5, "户类型")]
    assert Resident.objects.count() == 3


def test_the_importer_writes_only_where_they_register_households(territory, cast, place):
    # The micro-grid worker of micro1: building 1 is theirs, building 2 (micro2) is not.
    mine = row(name="甲")
    theirs = row(building="2", unit="1", room="501", name="乙")
    outcome = run(cast.mg_worker, [mine, theirs])
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "楼栋")]
    assert not outcome.written
    outcome = run(cast.mg_worker, [mine])
    assert outcome.written
    # Another community's staff do not even learn that the community exists.
    outcome = run(cast.community2, [row(room="302")])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "社区编码")]
    # Sensitive tags only by their readers: the full-time grid worker is not one.
    outcome = run(cast.grid_worker, [row(room="102", sensitive="残疾")])
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "敏感标签")]


def test_the_export_is_masked_and_sensitive_tags_go_only_to_their_readers(territory, cast, place):
    assert run(cast.community, good_rows()).written
    data = export_residents(user=cast.community, area=territory["community"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    text = str(values)
    assert "张**" in text and "张大爷" not in text
    assert "**************" + ID_A[-4:] in text and ID_A not in text
    assert "*******4321" in text and "13987654321" not in text
    assert "1940-**-**" in text and "1940-01-01" not in text
    assert "敏感标签" in values[0] and "慢病" in text
    assert PersonalDataView.objects.filter(
        user=cast.community, field_name="households.sensitive_tags"
    ).exists()

    data = export_residents(user=cast.grid_worker, area=territory["community"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert "敏感标签" not in values[0] and "慢病" not in str(values)
    assert len(values) == 4  # the grid worker's grid holds all three


def test_the_masked_export_imports_again_updating_the_same_residents(territory, cast, place):
    assert run(cast.community, good_rows()).written
    before = {
        r.pk: (r.name, r.id_number, r.phone, r.birth_date, r.tags, r.sensitive_tags)
        for r in Resident.objects.all()
    }
    data = export_residents(user=cast.community, area=territory["community"])
    outcome = import_households(actor=cast.community, data=data)
    assert outcome.written, outcome.errors
    assert outcome.counts["residents_created"] == 0 and outcome.counts["residents_updated"] == 3
    after = {
        r.pk: (r.name, r.id_number, r.phone, r.birth_date, r.tags, r.sensitive_tags)
        for r in Resident.objects.all()
    }
    assert after == before

    # A grid worker's export has no sensitive column: importing it keeps the tags.
    data = export_residents(user=cast.grid_worker, area=territory["community"])
    assert import_households(actor=cast.grid_worker, data=data).written
    assert Resident.objects.get(name="张大爷").sensitive_tags == ",chronic_illness,"

    # Edited in Excel: a new room moves the resident (kept as history), a new tag list.
    wb = openpyxl.load_workbook(
        io.BytesIO(export_residents(user=cast.community, area=territory["community"]))
    )
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    for line in ws.iter_rows(min_row=2):
        if line[head.index("与户主关系")].value == "子女":
            line[head.index("房号")].value = "102"
            line[head.index("标签")].value = "党员"
    out = io.BytesIO()
    wb.save(out)
    outcome = import_households(actor=cast.community, data=out.getvalue())
    assert outcome.written, outcome.errors
    moved = Resident.objects.get(name="李小明")
    assert moved.household == place.h102 and moved.tag_list == ["party_member"]
    assert moved.id_number == ID_C  # not wiped by the masked cell
    assert ResidentMove.objects.filter(resident=moved, to_household=place.h102).exists()


def test_a_file_that_is_no_workbook_or_lacks_a_column_is_refused_whole(cast, place):
    outcome = import_households(actor=cast.community, data=b"name,room\n")
    assert not outcome.written and outcome.errors[0].row == 0
    without_room = [h for h in HEADER if h != "房号"]
    outcome = import_households(actor=cast.community, data=xlsx([], without_room))
    assert [(e.row, e.column) for e in outcome.errors] == [(1, "房号")]
    twice = [*HEADER, "姓名"]
    outcome = import_households(actor=cast.community, data=xlsx([], twice))
    assert [(e.row, e.column) for e in outcome.errors] == [(1, "姓名")]


def test_the_file_may_hand_the_head_over(cast, place):
    """A stored head given another relation in the same file leaves room for a new head."""
    assert run(cast.community, good_rows()).written
    old = Resident.objects.get(name="李奶奶")
    rows = [
        row(code=f"R{old.pk}", room="302", name="李奶奶", relation="父母"),
        row(room="302", name="李大强", relation="户主"),
    ]
    outcome = run(cast.community, rows)
    assert outcome.written, outcome.errors
    assert Resident.objects.get(name="李大强").relation == "head"
    assert Resident.objects.get(pk=old.pk).relation == "parent"


def test_progress_is_reported_up_to_the_end(cast, place):
    seen = []
    outcome = run(
        cast.community, good_rows(), progress=lambda done, total: seen.append(done / total)
    )
    assert outcome.written and seen[-1] == 1.0 and seen == sorted(seen)
