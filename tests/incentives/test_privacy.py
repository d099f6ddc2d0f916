"""An anonymous report's points name it to nobody but its reporter (issue 12, item 1), and
only the staff who manage points read anybody else's (item 2)."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.utils import timezone

from shezhi.incentives import causes, selectors
from shezhi.incentives import services as points
from shezhi.incentives.models import Redemption, Transfer
from tests.events.conftest import act, report
from tests.events.test_sla import T0, at
from tests.factories import PASSWORD, make_user

from .conftest import award, make_reward

pytestmark = pytest.mark.django_db

MONTH = timezone.localdate(T0).strftime("%Y-%m")


def as_(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def anonymous_registered(actors, **kw):
    event = report(actors.resident, anonymous=True, at=T0, **kw)
    act(actors.community, event, "register", at=T0)
    event.refresh_from_db()
    return event


def names_the_event(text: str, event) -> bool:
    return event.number in text or f"/events/{event.pk}/" in text


# ---------------------------------------------------------------------------
# What the ledger stores


def test_an_anonymous_reports_award_stores_nothing_that_names_the_report(actors, territory):
    event = anonymous_registered(actors)
    t = Transfer.objects.get(user=actors.resident)
    assert (t.kind, t.rule, t.points, t.private_cause) == ("award", "event_registered", 2, True)
    assert t.cause_ref == ""
    assert t.cause_id != str(event.pk) and str(event.pk) not in t.cause_id.split(":")
    assert t.cause_key.startswith("event_registered:event:private:")
    assert not t.cause_key.endswith(f":{event.pk}")
    # Neither the micro-grid nor the minute of the registration: the community and the day.
    assert t.area_id == territory["community"].pk
    assert timezone.localtime(t.at).time().isoformat() == "00:00:00"
    assert timezone.localdate(t.at) == timezone.localdate(T0)
    assert selectors.balances(actors.resident).total == 2
    assert selectors.check_ledger().ok


def test_a_named_report_still_cites_its_event(actors):
    event = report(actors.resident, at=T0)
    act(actors.community, event, "register", at=T0)
    t = Transfer.objects.get(user=actors.resident)
    assert (t.private_cause, t.cause_id, t.cause_ref) == (False, str(event.pk), event.number)


def test_a_private_cause_is_paid_exactly_once(actors, territory):
    first = points.award_piece(
        kind="event_registered",
        user=actors.resident,
        area=territory["micro1"],
        cause_type="event",
        cause_id="4711",
        cause_ref="E-4711",
        at=T0,
        private=True,
    )
    again = points.award_piece(
        kind="event_registered",
        user=actors.resident,
        area=territory["micro1"],
        cause_type="event",
        cause_id="4711",
        cause_ref="E-4711",
        at=at(3, 10),
        private=True,
    )
    assert again.pk == first.pk
    assert Transfer.objects.filter(user=actors.resident).count() == 1
    assert "4711" not in first.cause_id + first.cause_key + first.cause_ref


def test_a_merged_anonymous_duplicate_is_taken_back_without_naming_it(actors):
    master = report(actors.resident2, at=T0, point=(104.07, 30.65))
    act(actors.community, master, "register", at=T0)
    dup = anonymous_registered(actors)
    act(actors.community, dup, "merge", data={"master": master.pk}, at=at(2, 15, 37))
    award_, reversal = Transfer.objects.filter(user=actors.resident).order_by("pk")
    assert reversal.reverses_id == award_.pk and reversal.points == -2
    assert reversal.private_cause and reversal.cause_ref == "" and reversal.memo == ""
    assert timezone.localtime(reversal.at).time().isoformat() == "00:00:00"
    assert selectors.balances(actors.resident).total == 0
    assert selectors.check_ledger().ok


def test_the_anonymous_reporter_who_handled_their_own_report_is_paid_privately(actors):
    event = report(actors.mg_worker, source="patrol", anonymous=True, at=T0)
    act(actors.community, event, "register", at=T0)
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=T0)
    act(actors.mg_worker, event, "accept", at=T0)
    act(actors.mg_worker, event, "handle", data={"result": "已清运"}, at=at(2, 10))
    act(actors.community, event, "verify_pass", at=at(2, 11))
    lines = Transfer.objects.filter(user=actors.mg_worker).order_by("pk")
    assert [(t.rule, t.private_cause) for t in lines] == [
        ("event_registered", True),
        ("event_closed_on_time", True),
    ]
    assert all(t.cause_ref == "" and str(event.pk) != t.cause_id for t in lines)


# ---------------------------------------------------------------------------
# What people read


def test_staff_read_the_anonymous_reporters_statement_without_the_report(client, actors, territory):
    event = anonymous_registered(actors)
    body = (
        as_(client, actors.community)
        .get("/api/v1/points/statement", {"user": actors.resident.pk})
        .json()
    )
    (line,) = body["lines"]
    assert (line["cause_type"], line["cause_id"], line["cause_ref"]) == ("event", "", "匿名上报")
    assert line["area"] == territory["community"].code
    assert not names_the_event(json.dumps(body, ensure_ascii=False), event)
    url = f"/points/people/{actors.resident.pk}/?month={MONTH}"
    page = as_(client, actors.community).get(url).content.decode()
    assert "匿名上报" in page and not names_the_event(page, event)
    # The day only: a time of 00:00 would read as work done at midnight.
    assert "00:00</time>" not in page


def test_the_reporter_alone_sees_which_report_earned_the_points(client, actors):
    event = anonymous_registered(actors)
    body = as_(client, actors.resident).get("/api/v1/points/statement").json()
    (line,) = body["lines"]
    assert (line["cause_id"], line["cause_ref"]) == (str(event.pk), event.number)
    page = as_(client, actors.resident).get(f"/points/?month={MONTH}").content.decode()
    assert event.number in page and f"/events/{event.pk}/" in page


def test_a_reversal_by_staff_names_no_report_on_any_page(client, actors):
    event = anonymous_registered(actors)
    t = Transfer.objects.get(user=actors.resident)
    c = as_(client, actors.community)
    api = c.post(
        f"/api/v1/points/transfers/{t.pk}/reverse",
        {"reason": "误发"},
        content_type="application/json",
    )
    assert api.status_code == 201
    assert api.json()["cause_ref"] == "匿名上报"
    assert not names_the_event(api.content.decode(), event)
    done = Transfer.objects.get(reverses=t)
    assert done.private_cause and done.memo == "误发"  # staff's own reason stays
    for month in {MONTH, timezone.localtime(done.at).strftime("%Y-%m")}:
        page = c.get(f"/points/people/{actors.resident.pk}/?month={month}").content.decode()
        assert "匿名上报" in page and not names_the_event(page, event)
    # The reporter still sees which report both lines were about.
    mine = as_(client, actors.resident).get("/api/v1/points/statement").json()["lines"]
    assert [line["cause_ref"] for line in mine] == [event.number, event.number]


def test_the_export_the_admin_and_the_audit_log_name_no_report(client, actors, territory):
    from openpyxl import load_workbook

    event = anonymous_registered(actors)
    c = as_(client, actors.community)
    xlsx = c.get(
        "/points/leaderboard/export.xlsx",
        {"area": territory["community"].code, "month": MONTH},
    )
    assert xlsx.status_code == 200
    cells = [
        str(v)
        for ws in load_workbook(io.BytesIO(xlsx.content))
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert not any(names_the_event(v, event) for v in cells)
    admin = make_user("pts_admin", is_staff=True, is_superuser=True)
    t = Transfer.objects.get(user=actors.resident)
    for url in ("/admin/incentives/transfer/", f"/admin/incentives/transfer/{t.pk}/change/"):
        response = as_(client, admin).get(url)
        assert response.status_code == 200, url
        assert not names_the_event(response.content.decode(), event), url
    logged = " ".join(str(e.changes) + e.object_repr for e in LogEntry.objects.all())
    assert event.number not in logged


def test_the_old_awards_of_anonymous_reports_are_made_private_by_the_migration(actors, territory):
    event = report(actors.resident, anonymous=True, at=T0)
    # As the ledger wrote it before: the event's id and number on the award and its reversal.
    old = points.award_piece(
        kind="event_registered",
        user=actors.resident,
        area=event.area,
        cause_type="event",
        cause_id=str(event.pk),
        cause_ref=event.number,
        at=T0,
    )
    reversal = points.reverse_cause(
        kind="event_registered",
        cause_type="event",
        cause_id=str(event.pk),
        reason="Merged as a duplicate",
        at=at(2, 15),
    )
    named = award(actors.resident, territory["micro1"], "77")  # not an event: untouched
    migration = importlib.import_module("shezhi.incentives.migrations.0002_transfer_private_cause")
    migration.make_anonymous_reports_private(django_apps, None)
    old.refresh_from_db()
    reversal.refresh_from_db()
    named.refresh_from_db()
    assert old.private_cause and old.cause_ref == "" and old.area_id == territory["community"].pk
    assert old.cause_id == causes.stored_id("event", str(event.pk))
    assert old.cause_key == causes.key("event_registered", "event", str(event.pk))
    assert reversal.private_cause and reversal.cause_ref == "" and reversal.memo == ""
    assert not named.private_cause and named.cause_ref == "活动 77"
    assert selectors.check_ledger().ok


# ---------------------------------------------------------------------------
# Item 2: read-only roles read no individual's points


@pytest.fixture
def readers(territory):
    return {
        "alliance": make_user("pts_alliance", role="alliance_viewer", area=territory["district"]),
        "department": make_user("pts_dept", role="department_staff", area=territory["district"]),
    }


def test_read_only_roles_get_a_404_for_anybody_elses_points(client, cast, territory, readers):
    award(cast.resident, territory["micro1"], "1", quantity=3)
    reward = make_reward(territory["community"])
    done = points.redeem(user=cast.resident, reward=reward)
    assert done.status == Redemption.Status.REDEEMED
    transfer = Transfer.objects.filter(user=cast.resident).first()
    routes = [
        ("get", f"/api/v1/points/statement?user={cast.resident.pk}"),
        ("get", "/api/v1/points/redemptions/managed"),
        ("get", f"/points/people/{cast.resident.pk}/"),
        ("get", "/points/manage/"),
        ("post", f"/api/v1/points/transfers/{transfer.pk}/reverse"),
        ("post", f"/api/v1/points/redemptions/{done.pk}/hand-over"),
    ]
    for who in (*readers.values(), cast.worker):
        c = as_(client, who)
        for method, url in routes:
            if method == "post":
                response = c.post(url, {"reason": "x"}, content_type="application/json")
            else:
                response = c.get(url)
            assert response.status_code == 404, (who.username, url, response.status_code)
        # Their own points stay theirs to read.
        own = c.get("/api/v1/points/statement")
        assert own.status_code == 200 and own.json()["user"] == who.pk
        assert c.get(f"/api/v1/points/statement?user={who.pk}").status_code == 200
    # Staff in scope get the answers.
    c = as_(client, cast.community)
    body = c.get(f"/api/v1/points/statement?user={cast.resident.pk}").json()
    assert (body["user"], body["closing"]) == (cast.resident.pk, 30 - reward.cost)
    managed = c.get("/api/v1/points/redemptions/managed")
    assert managed.status_code == 200 and [r["id"] for r in managed.json()] == [done.pk]
    assert c.get(f"/points/people/{cast.resident.pk}/").status_code == 200
    assert c.get("/points/manage/").status_code == 200


def test_the_rule_is_one_allow_list(territory, readers):
    from shezhi.core.models import Role
    from shezhi.incentives import permissions

    assert set(permissions.STAFF_ROLES) | set(permissions.NOT_STAFF) == set(Role.values)
    assert {"alliance_viewer", "department_staff"} <= set(permissions.NOT_STAFF)
    for who in readers.values():
        assert not permissions.is_points_staff(who)
        assert not selectors.people_in_scope(who).exists()
        assert not selectors.managed_redemptions(who).exists()


def test_read_only_roles_read_no_named_leaderboard(client, cast, territory, readers):
    award(cast.worker, territory["micro1"], "1")
    code = territory["district"].code
    routes = [
        f"/api/v1/points/leaderboard?area={code}",
        f"/points/leaderboard/?area={code}",
        f"/points/leaderboard/export.xlsx?area={code}",
        "/points/leaderboard/",
    ]
    for who in readers.values():
        c = as_(client, who)
        for url in routes:
            assert c.get(url).status_code == 404, (who.username, url)
        assert "/points/leaderboard/" not in c.get("/points/").content.decode()
    c = as_(client, cast.worker)
    body = c.get(f"/api/v1/points/leaderboard?area={territory['micro1'].code}").json()
    assert [r["user"] for r in body["ranking"]] == [cast.worker.pk]
    assert as_(client, cast.district).get(routes[0]).status_code == 200
