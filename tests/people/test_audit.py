"""The audit log: every change to people, assignments and roles, with no personal data."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from shezhi.core.models import RoleAssignment
from shezhi.people import audit, services
from shezhi.people.models import Assignment
from tests.areas.test_api import bearer
from tests.factories import PASSWORD

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
