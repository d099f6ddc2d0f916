"""Rosters in and out: the template, every kind of bad input, all-or-nothing, exports, pages."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shezhi.core import personal_data as pd
from shezhi.people import roster, services
from shezhi.people.models import Assignment, Person, RosterImport
from tests.factories import PASSWORD, make_user
from tests.people.conftest import valid_id_number

pytestmark = pytest.mark.django_db

MICRO1 = "510113001001001001"
MICRO2 = "510113001001001002"
SCHOOL = "510113001001001501"
GRID = "510113001001001"
GRID2 = "510113001001002"
COMMUNITY = "510113001001"
COMMUNITY2 = "510113001002"

ZH = {col.key: col.zh for col in roster.COLUMNS}


def person_row(n: int, **overrides) -> dict:
    """A valid row (by column key): a part-time micro-grid member of micro-grid 1."""
    row = {
        "name": f"测试{n}",
        "id_number": valid_id_number(seq=f"{n:03d}"),
        "phone": f"1381234{n:04d}",
        "area": MICRO1,
        "category": "微网格员",
        "force_type": "兼职力量",
        "party_member": "否",
        "veteran": "否",
        "group_leader": "否",
        "assignment_areas": MICRO1,
        "role": "微网格员",
        "started_on": "2025-03-01",
    }
    row.update(overrides)
    return row


def workbook(rows: list[dict], *, keys: list[str] | None = None, headers=None) -> bytes:
    keys = keys or [col.key for col in roster.COLUMNS]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers or [ZH[k] for k in keys])
    for row in rows:
        ws.append([row.get(k) for k in keys])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def errors_at(outcome_or_read) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in outcome_or_read.errors}


@pytest.fixture
def manager(staff):
    return staff["community"]


def test_template_has_headers_lists_instructions_and_an_example():
    data = roster.roster_template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["姓名", "身份证号", "手机号", "性别"]
    assert {"所在区域编码", "人员类别", "力量类型", "党员", "退役军人", "楼栋长/单元长"} <= set(
        headers
    )
    assert {"工作单位", "居住微网格编码", "任职区域编码", "任职角色", "任职开始日期"} <= set(
        headers
    )
    assert ws["A2"].value.startswith("示例")
    assert pd.validate_id_number(ws["B2"].value) is None
    # Drop-down lists on the choice columns, fed from a hidden sheet.
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("lists" in f for f in formulas)
    assert '"是,否"' in formulas
    lists = wb["lists"]
    assert lists.sheet_state == "hidden"
    assert "专职网格员" in [c.value for c in lists["A"]]
    assert "微网格负责人" in [c.value for c in lists["C"]]
    info = wb.worksheets[1]
    assert info.title == "填写说明"
    text = " ".join(str(c.value) for row in info.iter_rows() for c in row if c.value)
    assert "micro_grid_worker" in text and "responsible_worker" in text
    # The ID number column is formatted as text, so Excel does not round it.
    assert ws.column_dimensions["B"].number_format == "@"
    # The template reads back as an empty roster: the example row is skipped.
    read = roster.read_roster(data)
    assert read.ok and read.rows == 0 and read.records == []


def test_english_template_reads_back_too(territory):
    with translation.override("en"):
        data = roster.roster_template()
        ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        assert ws["A1"].value == "Name"
    ws.append(["Li Na", None, None, "Female", MICRO1, "micro_grid_worker", "Part-time", "Y"])
    out = io.BytesIO()
    ws.parent.save(out)
    read = roster.read_roster(out.getvalue())
    assert read.ok, read.errors
    [record] = read.records
    assert (record.gender, record.category, record.force_type) == (
        "female",
        "micro_grid_worker",
        "part_time",
    )
    assert record.party_member is True


def test_a_good_roster_is_written_with_personal_data_encrypted(territory, manager):
    rows = [
        person_row(1, role="责任微网格员", party_member="是"),
        person_row(2, area=COMMUNITY, assignment_areas=MICRO2, role="responsible_worker"),
        person_row(
            3,
            category="专职网格员",
            force_type="专职",
            area=COMMUNITY,
            assignment_areas=f"{GRID}；{GRID2}",
            role="专职网格员",
            started_on=dt.datetime(2024, 5, 6),
            lives_in=MICRO2,
        ),
        person_row(4, id_number="", phone="", assignment_areas="", role="", started_on=""),
    ]
    outcome = roster.import_roster(actor=manager, data=workbook(rows))
    assert outcome.errors == []
    assert outcome.written
    assert (outcome.people_created, outcome.assignments_created) == (4, 4)
    p1 = Person.objects.get(name="测试1")
    assert p1.party_member and p1.id_number == valid_id_number(seq="001")
    assert p1.id_number_index == pd.blind_index("id_number", valid_id_number(seq="001"))
    assert p1.phone_last4 == "0001"
    with connection.cursor() as cur:
        cur.execute("SELECT phone, id_number FROM people_person WHERE id = %s", [p1.pk])
        raw = " ".join(cur.fetchone())
    assert "13812340001" not in raw and valid_id_number(seq="001") not in raw
    p3 = Person.objects.get(name="测试3")
    assert p3.lives_in.code == MICRO2
    assert sorted(p3.assignments.values_list("area__code", "role", "started_on")) == [
        (GRID, "full_time_worker", dt.date(2024, 5, 6)),
        (GRID2, "full_time_worker", dt.date(2024, 5, 6)),
    ]
    assert Assignment.objects.get(area__code=MICRO2).role == "responsible_worker"
    assert Person.objects.get(name="测试4").id_number == ""


def test_queries_do_not_grow_with_the_rows(territory, manager):
    def count(n: int) -> tuple[int, int]:
        data = workbook([person_row(i) for i in range(1, n + 1)])
        Assignment.objects.all().delete()
        Person.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            outcome = roster.import_roster(actor=manager, data=data)
        assert outcome.people_created == n
        inserts = sum(q["sql"].startswith("INSERT") for q in ctx.captured_queries)
        return len(ctx.captured_queries) - inserts, inserts

    few, many = count(5), count(300)
    # Lookups: the same handful whatever the size; writes: bulk statements of many
    # rows each (people, assignments, audit entries: 900 rows; SQLite's limit of 999
    # parameters per statement splits them the most).
    assert few[0] == many[0]
    assert many[1] <= 900 / 20


def test_a_missing_required_column_is_one_clear_error(territory, manager):
    keys = [col.key for col in roster.COLUMNS if col.key != "category"]
    outcome = roster.import_roster(actor=manager, data=workbook([person_row(1)], keys=keys))
    assert [(e.row, e.column) for e in outcome.errors] == [(1, "人员类别")]
    assert "人员类别" in outcome.errors[0].message
    assert Person.objects.count() == 0


def test_not_a_workbook(territory, manager):
    with translation.override("en"):
        outcome = roster.import_roster(actor=manager, data=b"name,phone\n1,2\n")
    [error] = outcome.errors
    assert error.row == 0 and ".xlsx" in error.message
    read = roster.read_roster(workbook([], headers=["hello", "world"]))
    assert [(e.row, e.column) for e in read.errors] == [(1, "")]


def test_every_bad_input_is_reported_with_its_row_and_column_and_nothing_is_written(
    territory, manager, person
):
    # ``person`` (张伟, micro-grid 1) is already registered, with valid_id_number().
    services.assign(
        actor=manager, person=person, area=territory["micro2"], role="responsible_worker"
    )
    bad_checksum = valid_id_number(seq="010")[:-1] + (
        "0" if valid_id_number(seq="010")[-1] != "0" else "1"
    )
    rows = [
        person_row(1),  # row 2: fine
        person_row(2, area="510113001001001099"),  # 3 unknown area code
        person_row(3, area=COMMUNITY2, assignment_areas="", role="", started_on=""),  # 4 scope
        person_row(4, id_number=bad_checksum),  # 5 ID checksum
        person_row(5, phone="12345"),  # 6 phone
        person_row(6, id_number=valid_id_number(seq="060")),  # 7 duplicated in file …
        person_row(7, id_number=valid_id_number(seq="060")),  # 8 … with row 7
        person_row(8, id_number=valid_id_number()),  # 9 already registered
        person_row(9, role="责任微网格员"),  # 10 responsible twice in file …
        person_row(10, role="responsible_worker"),  # 11 … with row 10
        person_row(11, assignment_areas=MICRO2, role="责任微网格员"),  # 12 micro2 has one
        person_row(12, assignment_areas=GRID, role="责任微网格员"),  # 13 role vs level
        person_row(13, started_on="2025-02-30"),  # 14 bad date
        person_row(14, party_member="也许"),  # 15 bad yes/no
        person_row(15, category="志愿者"),  # 16 unknown category
        person_row(16, name=""),  # 17 no name
        person_row(17, assignment_areas=f"{MICRO1}、{MICRO2}", role="微网格员；编入干部；x"),  # 18
        person_row(18, lives_in=GRID),  # 19 lives in a grid, not a micro-grid
        person_row(19, assignment_areas=f"{MICRO1}；{MICRO1}"),  # 20 listed twice
    ]
    with translation.override("en"):
        outcome = roster.import_roster(actor=manager, data=workbook(rows))
    found = errors_at(outcome)
    expected = {
        (3, "所在区域编码"),
        (4, "所在区域编码"),
        (5, "身份证号"),
        (6, "手机号"),
        (7, "身份证号"),
        (8, "身份证号"),
        (9, "身份证号"),
        (10, "任职区域编码"),
        (11, "任职区域编码"),
        (12, "任职区域编码"),
        (13, "任职角色"),
        (14, "任职开始日期"),
        (15, "党员"),
        (16, "人员类别"),
        (17, "姓名"),
        (18, "任职角色"),
        (19, "居住微网格编码"),
        (20, "任职区域编码"),
    }
    assert found == expected, sorted(found ^ expected)
    messages = {(e.row, e.column): e.message for e in outcome.errors}
    assert "510113001001001099" in messages[(3, "所在区域编码")]
    assert "row(s) 8" in messages[(7, "身份证号")] and "row(s) 7" in messages[(8, "身份证号")]
    assert "11" in messages[(10, "任职区域编码")] and "10" in messages[(11, "任职区域编码")]
    assert "already registered" in messages[(9, "身份证号")]
    assert "already has a responsible worker" in messages[(12, "任职区域编码")]
    assert "check digit" in messages[(5, "身份证号")]
    # Personal data in a report is masked.
    values = {(e.row, e.column): e.value for e in outcome.errors}
    assert values[(5, "身份证号")].count("*") == 8
    assert not outcome.written and outcome.rows_rejected == 18
    assert Person.objects.count() == 1  # only the fixture's
    assert Assignment.objects.count() == 1


def test_masked_values_are_absent_not_errors(territory, manager):
    rows = [person_row(1, id_number="**************123X", phone="*******5678")]
    outcome = roster.import_roster(actor=manager, data=workbook(rows))
    assert outcome.errors == [] and outcome.people_created == 1
    p = Person.objects.get()
    assert (p.id_number, p.phone, p.id_number_index) == ("", "", "")


def test_an_id_number_excel_turned_into_a_number_is_explained(territory, manager):
    rows = [person_row(1, id_number=5.10113198503121e17), person_row(2, area=5.10113001001001e17)]
    with translation.override("en"):
        read = roster.read_roster(workbook(rows))
    messages = {(e.row, e.column): e.message for e in read.errors}
    assert "text" in messages[(2, "身份证号")]
    assert "text" in messages[(3, "所在区域编码")]


def test_the_header_may_be_english_keys_and_in_any_order_below_a_title(territory, manager):
    keys = ["area", "name", "category", "force_type", "party_member"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东风街道凤凰社区网格力量花名册"])
    ws.append(["area", "Name", "人员类别（必填）", "Force type", "党员"])
    ws.append([MICRO1, "王芳", "community_committee", "self_governance", True])
    ws.append([None] * 5)
    ws.append([MICRO1, "李强", "社区两委成员", "自治", "Y"])
    out = io.BytesIO()
    wb.save(out)
    read = roster.read_roster(out.getvalue())
    assert read.ok, read.errors
    assert read.header_row == 2
    assert [(r.row, r.name, r.category, r.party_member) for r in read.records] == [
        (3, "王芳", "community_committee", True),
        (5, "李强", "community_committee", True),
    ]
    assert keys  # (the order above differs from the template's)


def test_yes_no_spellings(territory):
    values = ["是", "否", "Y", "n", 1, 0, "true", "FALSE", True, None, ""]
    rows = [person_row(i, party_member=v) for i, v in enumerate(values, start=1)]
    read = roster.read_roster(workbook(rows))
    assert read.ok, read.errors
    assert [r.party_member for r in read.records] == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        False,
    ]


def test_too_many_rows(territory):
    read = roster.read_roster(workbook([person_row(i) for i in range(1, 6)]), max_rows=3)
    assert [(e.row, e.column) for e in read.errors] == [(5, "")]


def test_valid_rows_only_writes_the_good_rows_and_reports_the_rest(territory, manager):
    rows = [person_row(1), person_row(2, phone="12"), person_row(3)]
    outcome = roster.import_roster(actor=manager, data=workbook(rows), valid_rows_only=True)
    assert outcome.written
    assert errors_at(outcome) == {(3, "手机号")}
    assert (outcome.people_created, outcome.assignments_created, outcome.rows_imported) == (2, 2, 2)
    assert sorted(Person.objects.values_list("name", flat=True)) == ["测试1", "测试3"]
    # All or nothing is the default.
    Assignment.objects.all().delete()
    Person.objects.all().delete()
    outcome = roster.import_roster(actor=manager, data=workbook(rows))
    assert not outcome.written and Person.objects.count() == 0


def test_a_failure_while_writing_leaves_nothing_half_written(territory, manager, monkeypatch):
    def fail(*args, **kwargs):
        raise IntegrityError("one_responsible_worker_per_micro_grid")

    monkeypatch.setattr(Assignment.objects, "bulk_create", fail)
    with translation.override("en"):
        outcome = roster.import_roster(actor=manager, data=workbook([person_row(1), person_row(2)]))
    assert not outcome.written
    assert outcome.people_created == 0
    assert outcome.errors[0].row == 0 and "nothing was written" in outcome.errors[0].message
    assert Person.objects.count() == 0


def test_people_without_a_manager_role_may_not_import(territory, staff):
    with pytest.raises(PermissionDenied):
        roster.import_roster(actor=staff["worker"], data=workbook([person_row(1)]))
    assert Person.objects.count() == 0


def test_imports_are_audited_like_single_saves(territory, manager):
    from auditlog.models import LogEntry

    roster.import_roster(actor=manager, data=workbook([person_row(1)]))
    person = Person.objects.get()
    entries = LogEntry.objects.get_for_object(person)
    [entry] = entries
    assert entry.action == LogEntry.Action.CREATE and entry.actor == manager
    assert entry.additional_data["area_code"] == MICRO1
    assert "id_number" not in entry.changes and "phone" not in entry.changes
    assert LogEntry.objects.get_for_object(person.assignments.get()).count() == 1


def import_rows(manager, rows):
    outcome = roster.import_roster(actor=manager, data=workbook(rows))
    assert outcome.written, outcome.errors
    return outcome


def snapshot():
    people = {
        p.name: (
            p.area.code,
            p.category,
            p.force_type,
            p.party_member,
            p.veteran,
            p.group_leader,
            p.employer,
            p.gender,
            p.lives_in.code if p.lives_in else "",
            p.id_number_last4,
        )
        for p in Person.objects.select_related("area", "lives_in")
    }
    assignments = sorted(
        Assignment.objects.filter(ended_on__isnull=True).values_list(
            "person__name", "area__code", "role", "started_on"
        )
    )
    return people, assignments


def test_export_masks_personal_data_and_imports_back(territory, manager):
    import_rows(
        manager,
        [
            person_row(1, role="责任微网格员", party_member="是", gender="女", employer="区民政局"),
            person_row(
                2,
                category="专职网格员",
                force_type="专职力量",
                area=COMMUNITY,
                assignment_areas=f"{GRID}；{GRID2}",
                role="专职网格员",
                started_on="2024-01-02；2024-02-03",
                lives_in=MICRO2,
            ),
            person_row(3, assignment_areas="", role="", started_on="", veteran="是"),
        ],
    )
    before = snapshot()
    data = roster.export_roster(user=manager, area=territory["community"])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers == [col.zh for col in roster.COLUMNS]
    # A note on the masked columns says so.
    assert ws["B1"].comment.text == ws["C1"].comment.text == ws.oddHeader.center.text != ""
    cells = " ".join(str(c.value) for row in ws.iter_rows(min_row=2) for c in row if c.value)
    assert "**************" in cells and valid_id_number(seq="001") not in cells
    assert "13812340001" not in cells and "*******0001" in cells
    assert ws.max_row == 4

    # Importing the export while those people exist is refused, row by row.
    again = roster.import_roster(actor=manager, data=data)
    assert not again.written
    assert {(2, "身份证号"), (3, "身份证号"), (4, "身份证号")} <= errors_at(again)

    # Into an empty workforce, it recreates the same people and assignments
    # (without the masked phone and ID numbers).
    Assignment.objects.all().delete()
    Person.objects.all().delete()
    outcome = roster.import_roster(actor=manager, data=data)
    assert outcome.written, outcome.errors
    people, assignments = snapshot()
    assert assignments == before[1]
    assert people == {name: (*fields[:-1], "") for name, fields in before[0].items()}


def test_export_is_scoped(territory, manager, staff, users):
    import_rows(manager, [person_row(1)])
    with pytest.raises(PermissionDenied):
        roster.export_roster(user=staff["other_community"], area=territory["community"])
    # A street's export run by the community's manager holds only what they see.
    data = roster.export_roster(user=staff["other_community"], area=territory["community2"])
    assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].max_row == 1
    data = roster.export_roster(user=users["district_admin"], area=territory["district"])
    assert openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].max_row == 2


# --- the command -------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_template_import_and_export(territory, manager, tmp_path):
    template = tmp_path / "template.xlsx"
    run("roster", "template", "-o", str(template))
    assert roster.read_roster(template.read_bytes()).ok

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([person_row(1), person_row(2, phone="12")]))
    with pytest.raises(CommandError, match="Nothing was written"):
        run("roster", "import", str(bad), "--as", "community_staff", "--no-progress")
    assert Person.objects.count() == 0
    out = run(
        "roster", "import", str(bad), "--as", "community_staff", "--valid-only", "--no-progress"
    )
    assert "row 3 [手机号]" in out and "1 people created" in out
    assert Person.objects.count() == 1

    export = tmp_path / "export.xlsx"
    run("roster", "export", COMMUNITY, "-o", str(export), "--as", "community_staff")
    assert openpyxl.load_workbook(export).worksheets[0]["A2"].value == "测试1"
    with pytest.raises(CommandError):
        run("roster", "export", COMMUNITY, "-o", str(export), "--as", "other_community")
    with pytest.raises(CommandError):
        run("roster", "import", str(bad), "--as", "mg_worker", "--no-progress")


# --- the pages ---------------------------------------------------------------------


def upload(data: bytes, name: str = "花名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=roster_views_xlsx())


def roster_views_xlsx() -> str:
    from shezhi.people.roster_views import XLSX

    return XLSX


@pytest.fixture
def post_roster(client, django_capture_on_commit_callbacks):
    """POST to the upload page and run what it queued on commit (the immediate backend)."""

    def post(data: dict, follow: bool = True):
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(reverse("roster:upload"), data)
        if follow and resp.status_code == 302:
            resp = client.get(resp["Location"])
        return resp

    return post


def test_upload_page_imports_in_the_background_and_reports(client, territory, manager, post_roster):
    client.login(username="community_staff", password=PASSWORD)
    page = client.get(reverse("roster:upload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("roster:template") in html
    assert reverse("roster:export", args=[COMMUNITY]) in html

    resp = post_roster({"file": upload(workbook([person_row(1), person_row(2, phone="12")]))})
    job = RosterImport.objects.get()
    assert job.status == "rejected"
    html = resp.content.decode()
    assert 'data-testid="roster-errors"' in html
    assert "手机号" in html and ">3<" in html
    assert 'http-equiv="refresh"' not in html
    assert Person.objects.count() == 0
    # No copy of the roster stays behind; the report masks personal data.
    assert not job.file
    assert valid_id_number(seq="002") not in str(job.report)

    resp = post_roster(
        {
            "file": upload(workbook([person_row(1), person_row(2, phone="12")])),
            "valid_rows_only": "on",
        }
    )
    job = RosterImport.objects.order_by("-pk").first()
    assert job.status == "partly_imported"
    assert job.report["people_created"] == 1 and job.report["rows_rejected"] == 1
    assert 'data-testid="people-created">1<' in resp.content.decode()
    assert Person.objects.count() == 1


def test_a_queued_upload_is_stored_encrypted_and_the_page_refreshes(
    client, territory, manager, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.login(username="community_staff", password=PASSWORD)
    data = workbook([person_row(1)])
    client.post(reverse("roster:upload"), {"file": upload(data)})
    job = RosterImport.objects.get()
    assert job.status == "queued"
    with job.file.open("rb") as fh:
        stored = fh.read()
    assert stored != data and b"PK" not in stored[:2]
    html = client.get(reverse("roster:report", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "<progress" in html
    # The worker picks it up later.
    roster.run_roster_job(job.pk)
    job.refresh_from_db()
    assert job.status == "imported" and Person.objects.count() == 1


def test_bad_uploads_are_refused_before_anything_is_stored(client, territory, manager):
    client.login(username="community_staff", password=PASSWORD)
    resp = client.post(reverse("roster:upload"), {"file": upload(b"a,b", "roster.csv")})
    assert resp.status_code == 200 and "roster.csv" in resp.content.decode()
    assert RosterImport.objects.count() == 0


def test_pages_answer_404_outside_scope(client, territory, manager, staff, users):
    other = make_user("someone", role="community_staff", area=territory["community2"])
    job = RosterImport.objects.create(created_by=other, original_name="x.xlsx")
    client.login(username="community_staff", password=PASSWORD)
    assert client.get(reverse("roster:report", args=[job.pk])).status_code == 404
    assert client.get(reverse("roster:export", args=[COMMUNITY2])).status_code == 404
    assert client.get(reverse("roster:export", args=["510114"])).status_code == 404
    resp = client.get(reverse("roster:export", args=[COMMUNITY]))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml")
    assert "attachment" in resp["Content-Disposition"]
    template = client.get(reverse("roster:template"))
    assert template.status_code == 200
    assert roster.read_roster(template.content).ok

    client.logout()
    client.login(username="mg_worker", password=PASSWORD)
    assert client.get(reverse("roster:upload")).status_code == 404
    assert client.get(reverse("roster:template")).status_code == 404
    assert client.get(reverse("roster:export", args=[MICRO1])).status_code == 404
    client.logout()
    assert client.get(reverse("roster:upload")).status_code == 302  # to sign in
