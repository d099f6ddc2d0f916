"""The audit log: every change to people, assignments and roles, with no personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from shezhi.people import audit, services
from shezhi.people.models import Assignment, RoleAssignment
from tests.areas.test_api import bearer
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_changes_are_logged_with_actor_and_without_personal_data(client, person, staff):
    entries = LogEntry.objects.get_for_object(person)
    assert entries.count() == 1
    dumped = json.dumps([e.changes for e in entries], ensure_ascii=False)
    assert "13812345678" not in dumped
    assert person.id_number not in dumped and person.id_number[6:14] not in dumped
    assert person.phone_index not in dumped and person.id_number_index not in dumped
    assert '"phone"' not in dumped and '"id_number"' not in dumped
    assert "张伟" in dumped
    # through the API with a token: the token's user is the actor
    headers = bearer(client, "community_staff")
    made = client.post(
        "/api/v1/assignments",
        {"person_id": person.pk, "area": "510113001001001001", "role": "member"},
        content_type="application/json",
        **headers,
    )
    assert made.status_code == 201
    entry = LogEntry.objects.get_for_object(Assignment.objects.get(pk=made.json()["id"])).get()
    assert entry.actor == staff["community"]
    assert entry.additional_data["area_code"] == "510113001001001001"


def test_district_admins_read_their_districts_log_only(client, person, staff, users, territory):
    RoleAssignment.objects.create(
        user=users["street_staff"], role="community_staff", area=territory["community2"]
    )
    admin = users["district_admin"]
    entries = list(audit.audit_entries(admin))
    assert {e.content_type.model for e in entries} >= {"person", "roleassignment"}
    theirs = list(audit.audit_entries(users["other_district"]))
    assert theirs and all(e.additional_data["area_code"].startswith("510114") for e in theirs)
    assert list(audit.audit_entries(staff["community"])) == []  # not a district admin

    client.login(username="district_admin", password=PASSWORD)
    page = client.get(reverse("audit:log"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张伟" in html and "13812345678" not in html
    client.login(username="community_staff", password=PASSWORD)
    assert client.get(reverse("audit:log")).status_code == 404
    client.logout()
    assert client.get(reverse("audit:log")).status_code == 302


def test_ended_assignment_is_logged_as_an_update(person, staff, territory):
    a = services.assign(
        actor=staff["community"], person=person, area=territory["micro1"], role="member"
    )
    services.end_assignment(actor=staff["community"], assignment=a, reason="调离")
    actions = [e.action for e in LogEntry.objects.get_for_object(a).order_by("timestamp")]
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]


# ---------- the log page in words ----------

LATE_EVENING_UTC = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)  # 04:30 next day in Shanghai


def test_entries_read_in_chinese_with_names_and_local_times(client, territory, users):
    from shezhi.people.models import Department, Person

    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        staff = make_user(
            "lin_staff",
            role="community_staff",
            area=territory["community"],
            first_name="王小林",
        )
        person = services.create_person(
            actor=staff,
            area=territory["micro1"],
            name="张伟",
            category="micro_grid_worker",
            force_type="part_time",
            phone="13812345678",
            party_member=True,
        )
        Person.objects.filter(pk=person.pk).update()  # nothing logged for a bulk update
        person.category = "embedded_cadre"
        person.veteran = True
        person.save()
        department = Department.objects.create(
            district=territory["district"], code="zj", name="区住建局"
        )
        department.areas.add(territory["community"])
        assignment = services.assign(
            actor=staff, person=person, area=territory["micro1"], role="member"
        )
        services.end_assignment(actor=staff, assignment=assignment, reason="调离")
        LogEntry.objects.update(actor=staff)

    rows = {
        (r.action, r.kind, r.name): r
        for r in audit.present_entries(audit.audit_entries(users["district_admin"]))
    }
    role = rows[("新建", "角色分配", f"lin_staff · 社区工作人员 · {territory['community']}")]
    by_label = {c.label: c for c in role.changes}
    assert by_label["用户"].after == "王小林"  # the user by name, not "None → 10"
    assert by_label["区域"].after == str(territory["community"])
    assert by_label["创建时间"].after == "2026-03-02 04:30"  # local time, with the year
    assert "部门" not in by_label  # nothing to say about an empty field of a new record
    assert role.when.strftime("%Y-%m-%d %H:%M") == "2026-03-02 04:30"
    assert role.who == "王小林" and role.area == "凤凰社区"

    created = rows[("新建", "人员", "张伟")]
    labels = {c.label: c.after for c in created.changes}
    assert labels["类别"] == "微网格员" and labels["党员"] == "是"
    assert labels["电话"] == "*******5678"  # never more than the masked screens show
    changed = rows[("修改", "人员", "张伟")]
    assert {(c.label, c.before, c.after) for c in changed.changes} == {
        ("类别", "微网格员", "机关企事业单位党员干部"),
        ("退役军人", "否", "是"),
    }
    ended = [c for (a, k, _), r in rows.items() if k == "任职" and a == "修改" for c in r.changes]
    assert ("结束日期", "—", "2026-03-02") in {(c.label, c.before, c.after) for c in ended}
    dept = [r for (a, k, _), r in rows.items() if k == "职能部门"]
    shown = " ".join(f"{c.label} {c.before} {c.after}" for r in dept for c in r.changes)
    assert "新增：凤凰社区" in shown and "区住建局" in shown
    assert "None" not in shown and "RoleAssignment" not in shown

    client.login(username="district_admin", password=PASSWORD)
    html = client.get(reverse("audit:log")).content.decode()
    for raw in ("None", ">create<", ">update<", "20:30", "13812345678"):
        assert raw not in html, raw
    assert "修改" in html and "王小林" in html and "2026-03-02 04:30" in html
    assert "narrow" not in html.split("<main", 1)[1].split(">", 1)[0]  # the page is not squeezed


def test_the_page_costs_a_few_queries_whatever_the_number_of_entries(
    client, territory, users, django_assert_max_num_queries
):
    staff = make_user("lin_staff", role="community_staff", area=territory["community"])
    for i in range(30):
        person = services.create_person(
            actor=staff,
            area=territory["micro1"],
            name=f"居民{i}",
            category="micro_grid_worker",
            force_type="part_time",
        )
        services.assign(actor=staff, person=person, area=territory["micro1"], role="member")
    client.login(username="district_admin", password=PASSWORD)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("audit:log")).status_code == 200
