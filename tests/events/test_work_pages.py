"""The working-side pages: an event's page and its actions, inbox, queue, department, emergency.

Every action goes through the page (POST /events/<id>/act/<action>/) and is
checked in the database: the event's state and the EventTransition row; every
refusal leaves nothing written.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from shezhi.events import services
from shezhi.events.models import (
    EmergencyPeriod,
    Event,
    EventPhoto,
    EventTransition,
    WhistleSummons,
)
from tests.events.conftest import act, jpeg, report, run_to_closed

pytestmark = pytest.mark.django_db

S = Event.State


def url(event, action=None) -> str:
    return f"/events/{event.pk}/act/{action}/" if action else f"/events/{event.pk}/"


def post(client, event, action, data=None, *, version=None, **extra):
    """POST an action's form with the version the page would carry."""
    event.refresh_from_db()
    body = {"version": event.version if version is None else version, **(data or {})}
    return client.post(url(event, action), body, **extra)


def as_user(client, user):
    """A client of its own, signed in as ``user`` (``client`` is the default one)."""
    own = Client()
    own.force_login(user)
    return own


def steps(event) -> list[tuple[str, str, str]]:
    return list(
        EventTransition.objects.filter(event=event)
        .order_by("at", "id")
        .values_list("action", "from_state", "to_state")
    )


def snapshot(event):
    """What a refused action must leave as it was."""
    event.refresh_from_db()
    return (
        event.state,
        event.version,
        EventTransition.objects.filter(event=event).count(),
        EventPhoto.objects.filter(event=event).count(),
    )


# ---------------------------------------------------------------------------
# The whole loop through the pages


def test_full_loop_through_the_pages(actors, client):
    event = report(actors.resident, photos=[jpeg()])

    c = as_user(client, actors.community)
    page = c.get(url(event)).content.decode()
    assert 'data-testid="form-register"' in page
    assert f'name="version" value="{event.version}"' in page
    r = post(c, event, "register")
    assert r.status_code == 302 and r.url == url(event)
    event.refresh_from_db()
    assert event.state == S.REGISTERED

    r = post(c, event, "dispatch", {"target": "worker"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.DISPATCHED
    assert event.handler_user == actors.mg_worker
    assert event.deadline_at is not None

    w = as_user(client, actors.mg_worker)
    assert 'data-testid="form-accept"' in w.get(url(event)).content.decode()
    assert post(w, event, "accept").status_code == 302
    r = post(
        w,
        event,
        "handle",
        {"result": "已清运干净", "photos": [jpeg(name="done1.jpg"), jpeg(name="done2.jpg")]},
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.HANDLED and event.result == "已清运干净"
    assert EventPhoto.objects.filter(event=event, stage="result").count() == 2

    res = as_user(client, actors.resident)
    page = res.get(url(event)).content.decode()
    assert 'data-testid="form-verify_pass"' in page
    assert 'data-testid="result-photos"' in page
    assert post(res, event, "verify_pass").status_code == 302
    r = post(res, event, "rate", {"rating": "satisfied", "comment": "很快"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.CLOSED
    assert event.rating == "satisfied" and event.rating_comment == "很快"

    assert steps(event) == [
        ("report", "", "reported"),
        ("register", "reported", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "accepted"),
        ("handle", "accepted", "handled"),
        ("verify_pass", "handled", "closed"),
        ("rate", "closed", "closed"),
    ]
    actors_of = dict(
        EventTransition.objects.filter(event=event).values_list("action", "actor__username")
    )
    assert actors_of["register"] == "community"
    assert actors_of["handle"] == "mg_worker"
    assert actors_of["rate"] == "resident"

    # The page shows the history, the rating and the result; nothing is left to do but look.
    with translation.override("en"):
        page = res.get(url(event), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="rating"' in page and "Satisfied" in page
    timeline = page[page.index('data-testid="timeline"') :]
    # The resident reads the history in their own words …
    for label in ("Taken on", "Passed to the handler", "Handling started", "Handling done",
                  "Confirmed resolved"):  # fmt: skip
        assert label in timeline
    assert "Handled, please confirm → Resolved" in timeline
    assert "Verified: close" not in timeline
    assert 'data-testid="form-rate"' not in page  # rated already
    # … the staff in the workflow's.
    with translation.override("en"):
        staff = as_user(client, actors.community)
        page = staff.get(url(event), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    for label in ("Register", "Dispatch", "Accept", "Report the result", "Verified: close"):
        assert label in timeline
    assert "Handled, awaiting verification → Closed" in timeline


def test_success_goes_back_to_a_safe_next_page_only(actors, client):
    event = report(actors.resident)
    c = as_user(client, actors.community)
    r = post(c, event, "register", {"next": "/events/queue/510113001001/?tab=to_register"})
    assert r.url == "/events/queue/510113001001/?tab=to_register"
    r = post(c, event, "dispatch", {"target": "worker", "next": "https://evil.example/x"})
    assert r.status_code == 302 and r.url == url(event)


# ---------------------------------------------------------------------------
# Who sees an event's page


def test_event_page_for_the_right_users_and_404_for_others(actors, client):
    event = report(actors.resident)
    for user in (actors.resident, actors.mg_worker, actors.grid_worker, actors.community,
                 actors.street, actors.district):  # fmt: skip
        assert as_user(client, user).get(url(event)).status_code == 200, user.username
    for user in (actors.community2, actors.other_district, actors.nobody, actors.resident2,
                 actors.dept_cg, actors.mg_worker2):  # fmt: skip
        assert as_user(client, user).get(url(event)).status_code == 404, user.username
    assert as_user(client, actors.community).get("/events/999999/").status_code == 404
    r = client.get(url(event))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_department_sees_the_event_once_dispatched_to_it(actors, client):
    event = report(actors.resident, code="0301")  # 施工扰民: 住建
    act(actors.community, event, "register")
    d = as_user(client, actors.dept_zj)
    assert d.get(url(event)).status_code == 404
    act(actors.community, event, "dispatch", data={"target": "department", "department": "zj"})
    page = d.get(url(event)).content.decode()
    assert 'data-testid="form-accept"' in page
    assert 'data-testid="form-return"' in page
    assert as_user(client, actors.dept_cg).get(url(event)).status_code == 404


def test_anonymous_reporter_is_hidden_in_the_timeline(actors, client):
    event = report(actors.resident, anonymous=True)
    c = as_user(client, actors.community)
    with translation.override("en"):
        page = c.get(url(event), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "the reporter (anonymous)" in timeline
    assert "resident" not in timeline
    # The reporter sees their own name.
    own = as_user(client, actors.resident).get(url(event)).content.decode()
    assert "the reporter (anonymous)" not in own


def test_actions_offered_match_the_actor(actors, client):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    resident_page = as_user(client, actors.resident).get(url(event)).content.decode()
    assert 'data-testid="form-accept"' not in resident_page
    assert 'data-testid="form-dispatch"' not in resident_page
    community_page = as_user(client, actors.community).get(url(event)).content.decode()
    assert 'data-testid="form-accept"' not in community_page
    # The community may summon departments; a grid worker may not.
    assert 'data-testid="form-whistle"' in community_page
    assert (
        'data-testid="form-whistle"'
        not in as_user(client, actors.grid_worker).get(url(event)).content.decode()
    )


# ---------------------------------------------------------------------------
# Refusals: nothing written


def test_stale_version_shows_the_conflict_and_changes_nothing(actors, client):
    event = report(actors.resident)
    seen = event.version
    # Somebody else registers first.
    act(actors.grid_worker, event, "register")
    before = snapshot(event)
    c = as_user(client, actors.community)
    with translation.override("en"):
        r = post(c, event, "register", version=seen, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409
    page = r.content.decode()
    assert 'data-testid="conflict"' in page
    assert "acted on" in page and "first" in page
    assert snapshot(event) == before
    assert [s[0] for s in steps(event)] == ["report", "register"]
    # The re-rendered page carries the new version: acting again works.
    assert f'name="version" value="{event.version}"' in page
    assert post(c, event, "dispatch", {"target": "worker"}).status_code == 302


def test_action_not_possible_from_the_state_is_refused(actors, client):
    event = report(actors.resident)
    before = snapshot(event)
    w = as_user(client, actors.mg_worker)
    r = post(w, event, "accept")
    assert r.status_code == 409
    assert 'data-testid="action-error"' in r.content.decode()
    assert snapshot(event) == before


def test_action_not_for_this_actor_is_forbidden(actors, client):
    event = report(actors.resident)
    act(actors.community, event, "register")
    before = snapshot(event)
    r = post(as_user(client, actors.resident), event, "dispatch", {"target": "department"})
    assert r.status_code == 403
    assert 'data-testid="action-error"' in r.content.decode()
    assert snapshot(event) == before
    # A rating by someone who is not the reporter.
    event = run_to_closed(actors, report(actors.resident))
    before = snapshot(event)
    r = post(as_user(client, actors.community), event, "rate", {"rating": "unsatisfied"})
    assert r.status_code == 403
    assert snapshot(event) == before
    event.refresh_from_db()
    assert event.rating == ""


def test_outsider_posting_an_action_gets_404(actors, client):
    event = report(actors.resident)
    before = snapshot(event)
    for user in (actors.community2, actors.other_district, actors.nobody):
        assert post(as_user(client, user), event, "register").status_code == 404
    assert snapshot(event) == before


def test_unknown_action_and_get_are_refused(actors, client):
    event = report(actors.resident)
    c = as_user(client, actors.community)
    assert post(c, event, "explode").status_code == 404
    assert post(c, event, "escalate_overdue").status_code == 404  # the platform's own
    assert c.get(url(event, "register")).status_code == 405
    assert snapshot(event)[2] == 1


def test_bad_input_is_shown_by_its_field(actors, client):
    event = report(actors.resident)
    c = as_user(client, actors.community)
    act(actors.community, event, "register")
    before = snapshot(event)
    # Unknown department: the service's error, by the department field.
    with translation.override("en"):
        r = post(
            c,
            event,
            "dispatch",
            {"target": "department", "department": "nope"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 400
    page = r.content.decode()
    field = re.search(r'data-field="department"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "nope" in field and 'data-testid="field-error"' in field
    assert snapshot(event) == before
    # A missing required choice: the form's own error, by the field.
    r = post(c, event, "dispatch", {"target": ""})
    assert r.status_code == 400
    assert 'data-field="target">' in r.content.decode()
    assert 'data-testid="field-error"' in r.content.decode()
    assert snapshot(event) == before
    # A missing version is bad input too.
    with translation.override("en"):
        r = c.post(url(event, "dispatch"), {"target": "worker"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert "which version of the event" in r.content.decode()
    assert snapshot(event) == before


def test_a_file_that_is_not_a_photo_writes_nothing(actors, client):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    before = snapshot(event)
    w = as_user(client, actors.mg_worker)
    fake = SimpleUploadedFile("result.jpg", b"not an image at all", content_type="image/jpeg")
    with translation.override("en"):
        r = post(
            w,
            event,
            "handle",
            {"result": "已处理", "photos": [fake]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 400
    page = r.content.decode()
    field = re.search(r'data-field="photos">(.*?)</div>', page, re.S).group(1)
    assert "is not a photo" in field
    # What was typed is kept.
    assert "已处理" in page
    assert snapshot(event) == before


def test_a_reason_is_required_where_the_table_says(actors, client):
    event = report(actors.resident)
    run_to_closed(actors, event)
    before = snapshot(event)
    res = as_user(client, actors.resident)
    r = post(res, event, "reopen", {"reason": "  "})
    assert r.status_code == 400
    assert snapshot(event) == before
    r = post(res, event, "reopen", {"reason": "垃圾又堆起来了"})
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.REGISTERED and event.reopen_count == 1
    assert steps(event)[-1] == ("reopen", "closed", "registered")


def test_verify_fail_sends_it_back_to_work(actors, client):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    res = as_user(client, actors.resident)
    assert post(res, event, "verify_fail", {"reason": ""}).status_code == 400
    assert post(res, event, "verify_fail", {"reason": "还有垃圾"}).status_code == 302
    event.refresh_from_db()
    assert event.state == S.ACCEPTED and event.rework_count == 1
    assert EventTransition.objects.get(event=event, action="verify_fail").reason == "还有垃圾"


def test_rating_with_an_unknown_value_is_refused(actors, client):
    event = report(actors.resident)
    run_to_closed(actors, event)
    before = snapshot(event)
    r = post(as_user(client, actors.resident), event, "rate", {"rating": "ecstatic"})
    assert r.status_code == 400
    assert snapshot(event) == before


# ---------------------------------------------------------------------------
# Side paths


def test_return_defer_approve_resume(actors, client):
    event = report(actors.resident, code="0301")
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "department", "department": "zj"})
    d = as_user(client, actors.dept_zj)
    assert post(d, event, "return", {"reason": "不属于我局"}).status_code == 302
    event.refresh_from_db()
    assert event.state == S.RETURNED and event.bounce_count == 1

    c = as_user(client, actors.community)
    r = post(c, event, "dispatch", {"target": "department", "department": "zj"})
    assert r.status_code == 302
    assert post(d, event, "accept").status_code == 302
    assert post(d, event, "request_deferral", {"reason": "需等待材料"}).status_code == 302
    event.refresh_from_db()
    assert event.state == S.DEFERRAL_REQUESTED
    assert post(c, event, "approve_deferral").status_code == 302
    event.refresh_from_db()
    assert event.state == S.DEFERRED and event.deadline_at is None
    assert post(d, event, "resume").status_code == 302
    event.refresh_from_db()
    assert event.state == S.ACCEPTED and event.deadline_at is not None
    assert [s[0] for s in steps(event)][-6:] == [
        "return", "dispatch", "accept", "request_deferral", "approve_deferral", "resume",
    ]  # fmt: skip


def test_escalate_void_and_merge(actors, client):
    master = report(actors.resident)
    dup = report(actors.resident2, point=(104.021, 30.621))
    c = as_user(client, actors.community)
    # Merge by the number people see.
    r = post(c, dup, "merge", {"master": master.number})
    assert r.status_code == 302
    dup.refresh_from_db()
    assert dup.state == S.MERGED and dup.master_id == master.pk
    page = c.get(url(master)).content.decode()
    assert f'href="/events/{dup.pk}/"' in page[page.index('data-testid="duplicates"') :]
    assert 'data-testid="master"' in c.get(url(dup)).content.decode()
    # Unknown master: by the field, nothing written.
    other = report(actors.resident)
    before = snapshot(other)
    assert post(c, other, "merge", {"master": "20269999999"}).status_code == 400
    assert snapshot(other) == before

    assert (
        post(c, other, "void", {"void_kind": "duplicate", "reason": "重复上报"}).status_code == 302
    )
    other.refresh_from_db()
    assert other.state == S.VOIDED
    assert EventTransition.objects.get(event=other, action="void").data["void_kind"] == "duplicate"

    third = report(actors.resident)
    assert post(c, third, "escalate", {"reason": ""}).status_code == 400
    assert post(c, third, "escalate", {"reason": "网格无法处理"}).status_code == 302
    third.refresh_from_db()
    assert third.owner_area.code == "510113001001" and third.escalation_count == 1


def test_me_too_is_not_offered_to_those_who_handle_it(actors, client):
    """我也遇到 is a resident's word: the grid's workers, the handler and the dispatchers
    who open the event's page are not offered it (and are refused if they post it)."""
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    for user in (actors.grid_worker, actors.mg_worker, actors.community):
        c = as_user(client, user)
        assert 'data-testid="form-me_too"' not in c.get(url(event)).content.decode()
        assert post(c, event, "me_too").status_code == 409
    event.refresh_from_db()
    assert event.me_too_count == 0
    # A resident still says "me too" (through the API, where residents find others' reports).
    act(actors.resident2, event, "me_too")
    event.refresh_from_db()
    assert event.me_too_count == 1


# ---------------------------------------------------------------------------
# Photos are never public


def test_photo_streams_to_those_who_see_the_event_only(actors, client):
    event = report(actors.resident, photos=[jpeg()])
    photo = event.photos.get()
    path = f"/events/{event.pk}/photos/{photo.pk}/"
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    for user in (actors.mg_worker, actors.resident, actors.community):
        r = as_user(client, user).get(path)
        assert r.status_code == 200, user.username
        assert r["Content-Type"] == "image/jpeg"
        body = b"".join(r.streaming_content)
        assert body[:2] == b"\xff\xd8"
        assert "private" in r["Cache-Control"]
    for user in (actors.community2, actors.other_district, actors.nobody, actors.resident2):
        assert as_user(client, user).get(path).status_code == 404, user.username
    # A photo of another event, through this event's address: 404.
    other = report(actors.resident2, point=(104.07, 30.65), photos=[jpeg()])
    stranger = other.photos.get()
    c = as_user(client, actors.community)
    assert c.get(f"/events/{event.pk}/photos/{stranger.pk}/").status_code == 404
    assert client.get(path).status_code == 302


# ---------------------------------------------------------------------------
# Whistle → report in → rate the response


def test_whistle_report_in_and_rate_the_response(actors, client):
    event = report(actors.resident, code="0301")
    act(actors.community, event, "register")
    act(actors.community, event, "escalate", reason="网格解决不了")
    c = as_user(client, actors.community)
    r = post(
        c,
        event,
        "whistle",
        {"departments": ["zj", "cg"], "report_in_minutes": "45", "reason": "施工扰民反复"},
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.DISPATCHED and event.handler_department.code == "zj"
    summonses = WhistleSummons.objects.filter(whistle__event=event)
    assert sorted(s.department.code for s in summonses) == ["cg", "zj"]
    whistle = event.whistles.get()
    assert all(s.due_at == whistle.blown_at + timedelta(minutes=45) for s in summonses)

    # The department's page: the summons with its countdown and a one-tap report-in.
    d = as_user(client, actors.dept_cg)
    page = d.get("/events/department/").content.decode()
    card = page[page.index('data-testid="summonses"') :]
    assert f'data-event="{event.pk}"' in card
    minutes = int(re.search(r'data-testid="countdown" data-overdue="no" data-minutes="(\d+)"',
                            card).group(1))  # fmt: skip
    assert 43 <= minutes <= 45
    assert 'data-testid="form-report_in"' in card
    r = post(d, event, "report_in", {"note": "已到现场", "next": "/events/department/"})
    assert r.status_code == 302 and r.url == "/events/department/"
    cg = summonses.get(department__code="cg")
    assert cg.reported_in_at is not None and cg.note == "已到现场" and cg.on_time
    assert cg.reported_in_by == actors.dept_cg
    tr = EventTransition.objects.get(event=event, action="report_in")
    assert tr.actor == actors.dept_cg and tr.data["on_time"] is True
    assert 'data-testid="no-summonses"' in d.get("/events/department/").content.decode()
    # Reporting in twice: refused, nothing written.
    before = snapshot(event)
    assert post(d, event, "report_in").status_code == 409
    assert snapshot(event) == before

    # The event's page shows each summons' status.
    page = c.get(url(event)).content.decode()
    assert re.search(r'data-department="cg" data-reported="yes"', page)
    assert re.search(r'data-department="zj" data-reported="no"', page)

    # The whistle-blower rates the department's response.
    assert 'data-testid="form-rate_whistle"' in page
    r = post(c, event, "rate_whistle", {"summons": cg.pk, "rating": "4", "comment": "响应迅速"})
    assert r.status_code == 302
    cg.refresh_from_db()
    assert cg.rating == 4 and cg.rating_comment == "响应迅速"
    # Out of range: refused.
    zj = summonses.get(department__code="zj")
    assert post(c, event, "rate_whistle", {"summons": zj.pk, "rating": "9"}).status_code == 400
    zj.refresh_from_db()
    assert zj.rating is None
    # A department cannot rate itself.
    r = post(d, event, "rate_whistle", {"summons": zj.pk, "rating": "4"})
    assert r.status_code in (403, 409)
    zj.refresh_from_db()
    assert zj.rating is None


def test_whistle_needs_a_department(actors, client):
    event = report(actors.resident, code="0301")
    act(actors.community, event, "register")
    act(actors.community, event, "escalate", reason="网格解决不了")
    before = snapshot(event)
    c = as_user(client, actors.community)
    r = post(c, event, "whistle", {"departments": [], "report_in_minutes": "30", "reason": "x"})
    assert r.status_code == 400
    assert snapshot(event) == before
    assert not event.whistles.exists()


# ---------------------------------------------------------------------------
# The handler's inbox


def test_inbox_lists_my_tasks_by_colour(actors, client):
    now = timezone.now()
    late = report(actors.resident, at=now - timedelta(days=20))
    act(actors.community, late, "register", at=now - timedelta(days=20))
    act(actors.community, late, "dispatch", data={"target": "worker"}, at=now - timedelta(days=20))
    fresh = report(actors.resident)
    act(actors.community, fresh, "register")
    act(actors.community, fresh, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, fresh, "accept")
    elsewhere = report(actors.resident2, point=(104.07, 30.65))  # not mine
    act(actors.community, elsewhere, "register")

    w = as_user(client, actors.mg_worker)
    page = w.get("/events/inbox/").content.decode()
    tasks = page[page.index('data-testid="tasks"') :]
    cards = re.findall(r'data-event="(\d+)" data-state="(\w+)" data-sla="(\w+)"', tasks)
    assert cards[:2] == [(str(late.pk), "dispatched", "red"), (str(fresh.pk), "accepted", "green")]
    assert str(elsewhere.pk) not in [c[0] for c in cards]
    # One tap: accept on the dispatched one, the result form (camera) on the accepted one.
    assert f'action="/events/{late.pk}/act/accept/"' in tasks
    assert f'action="/events/{fresh.pk}/act/handle/"' in tasks
    assert 'capture="environment"' in tasks
    assert 'name="next" value="/events/inbox/"' in tasks
    r = post(w, late, "accept", {"next": "/events/inbox/"})
    assert r.status_code == 302 and r.url == "/events/inbox/"


def _tasks(actors, territory, n: int, **handler) -> list:
    """``n`` events dispatched (every third accepted, every fifth deferred: no clock) to
    ``handler``, in micro1, of the grid's own category, their deadlines an hour apart
    around now (the first overdue, a few due soon), and every seventh without one."""
    from shezhi.events.models import Category
    from tests.factories import EventFactory

    category = Category.objects.get(code="0101")
    now = timezone.now()
    events = []
    for i in range(n):
        deadline = None if i % 7 == 6 else now + timedelta(hours=i - 10)
        state = S.DEFERRED if i % 5 == 4 else S.ACCEPTED if i % 3 == 2 else S.DISPATCHED
        events.append(
            EventFactory(
                area=territory["micro1"],
                category=category,
                submitted_by=actors.resident,
                state=state,
                deadline_at=deadline,
                warn_at=deadline - timedelta(hours=5) if deadline else None,
                created_at=now - timedelta(days=1, minutes=i),
                **handler,
            )
        )
    return events


def _cards(page: str, testid: str) -> list[str]:
    section = page[page.index(f'data-testid="{testid}"') :]
    section = section[: section.index("</ol>")]
    return re.findall(r'data-event="(\d+)"', section)


def _more(page: str) -> str:
    """The "more" link's URL (its query, unescaped)."""
    return (
        re.search(r'href="(\?[^"]*)" rel="next" data-testid="more"', page)
        .group(1)
        .replace("&amp;", "&")
    )


def test_inbox_pages_50_tasks_at_a_time_most_urgent_first_on_by_cursor(actors, client, territory):
    events = _tasks(actors, territory, 57, handler_kind="worker", handler_user=actors.mg_worker)
    now = timezone.now()

    def key(e):
        clock = e.state in (S.DISPATCHED, S.ACCEPTED) and e.deadline_at is not None
        rank = 3 if not clock else 0 if e.deadline_at <= now else 1 if e.warn_at <= now else 2
        return (rank, e.deadline_at or now + timedelta(days=36500), e.pk)

    expected = [str(e.pk) for e in sorted(events, key=key)]
    w = as_user(client, actors.mg_worker)
    first = w.get("/events/inbox/").content.decode()
    shown = _cards(first, "tasks")
    assert shown == expected[:50]
    assert 'data-testid="tasks-count"' in first and "57" in first.split('tasks-count">')[1][:20]
    assert 'rel="prev"' not in first
    more = _more(first)
    assert "after=" in more and "offset" not in more and "page=" not in more
    second = w.get("/events/inbox/" + more).content.decode()
    assert _cards(second, "tasks") == expected[50:]
    assert 'data-testid="more"' not in second and 'rel="prev"' in second
    # The one-tap buttons on the second page act, and bring the user back to it.
    target = next(e for e in events if str(e.pk) in expected[50:] and e.state == S.DISPATCHED)
    back = "/events/inbox/" + more
    assert f'action="/events/{target.pk}/act/accept/"' in second
    assert f'name="next" value="{back.replace("&", "&amp;")}"' in second
    r = post(w, target, "accept", {"next": back})
    assert r.status_code == 302 and r.url == back
    target.refresh_from_db()
    assert target.state == S.ACCEPTED
    # A cursor that is not one of ours shows the first page.
    assert _cards(w.get("/events/inbox/?after=nope").content.decode(), "tasks") == expected[:50]


def test_department_page_pages_50_events_at_a_time_by_deadline(actors, client, territory):
    events = _tasks(actors, territory, 53, handler_kind="department", handler_department=actors.zj)
    far = timezone.now() + timedelta(days=36500)
    expected = [str(e.pk) for e in sorted(events, key=lambda e: (e.deadline_at or far, e.pk))]
    d = as_user(client, actors.dept_zj)
    first = d.get("/events/department/").content.decode()
    assert _cards(first, "department-events") == expected[:50]
    second = d.get("/events/department/" + _more(first)).content.decode()
    assert _cards(second, "department-events") == expected[50:]
    target = next(e for e in events if str(e.pk) in expected[50:] and e.state == S.DISPATCHED)
    assert f'action="/events/{target.pk}/act/accept/"' in second
    back = "/events/department/" + _more(first)
    assert post(d, target, "accept", {"next": back}).url == back


def test_inbox_is_for_handlers_only(actors, client):
    assert as_user(client, actors.resident).get("/events/inbox/").status_code == 404
    assert as_user(client, actors.nobody).get("/events/inbox/").status_code == 404
    for user in (actors.mg_worker, actors.community, actors.dept_cg):
        assert as_user(client, user).get("/events/inbox/").status_code == 200


def test_inbox_of_a_grid_worker_lists_what_to_register_and_verify(actors, client):
    reported = report(actors.resident)
    handled = report(actors.resident)
    run_to_closed(actors, handled)
    act(actors.resident, handled, "reopen", reason="又脏了")
    act(actors.community, handled, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, handled, "accept")
    act(actors.mg_worker, handled, "handle", data={"result": "再次清运"})
    g = as_user(client, actors.grid_worker)
    page = g.get("/events/inbox/").content.decode()
    assert f'data-event="{reported.pk}"' in page[page.index('data-testid="to-register"') :]
    assert f'data-event="{handled.pk}"' in page[page.index('data-testid="to-verify"') :]
    # The handler does not verify their own result.
    own = as_user(client, actors.mg_worker).get("/events/inbox/").content.decode()
    assert 'data-testid="to-verify"' not in own


def test_a_micro_grid_worker_registers_and_takes_on_a_patrol_find(actors, client):
    """小事不出网格: found on patrol, registered and dispatched to the grid's own worker."""
    event = report(actors.mg_worker, source="patrol")
    w = as_user(client, actors.mg_worker)
    page = w.get("/events/inbox/").content.decode()
    waiting = page[page.index('data-testid="to-register"') :]
    assert f'action="/events/{event.pk}/act/register/"' in waiting
    assert post(w, event, "register", {"next": "/events/inbox/"}).url == "/events/inbox/"
    page = w.get("/events/inbox/").content.decode()
    waiting = page[page.index('data-testid="to-register"') :]
    form = re.search(rf'action="/events/{event.pk}/act/dispatch/".*?</form>', waiting, re.S).group(
        0
    )
    # Only the micro-grid's worker is offered to a grid worker.
    assert re.findall(r'<option value="(\w*)"', form.split('name="worker"')[0]) == ["worker"]
    assert 'name="department"' not in form
    assert post(w, event, "dispatch", {"target": "worker"}).status_code == 302
    event.refresh_from_db()
    assert event.state == S.DISPATCHED and event.handler_user == actors.mg_worker
    # A department is not theirs to choose, whatever the page is made to send.
    other = report(actors.mg_worker, source="patrol")
    act(actors.mg_worker, other, "register")
    before = snapshot(other)
    r = post(w, other, "dispatch", {"target": "department"})
    assert r.status_code == 400
    assert snapshot(other) == before


# ---------------------------------------------------------------------------
# The dispatcher's queue


def queue_counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', page)}


def test_queue_counts_are_right(actors, client):
    now = timezone.now()
    report(actors.resident)  # to register
    report(actors.resident2, point=(104.07, 30.65))  # to register
    registered = report(actors.resident)
    act(actors.community, registered, "register")  # to dispatch
    returned = report(actors.resident, code="0301")
    act(actors.community, returned, "register")
    act(actors.community, returned, "dispatch", data={"target": "department", "department": "zj"})
    act(actors.dept_zj, returned, "return", reason="不归我们")
    overdue = report(actors.resident, at=now - timedelta(days=20))
    act(actors.community, overdue, "register", at=now - timedelta(days=20))
    act(actors.community, overdue, "dispatch", data={"target": "worker"},
        at=now - timedelta(days=20))  # fmt: skip
    deferral = report(actors.resident)
    act(actors.community, deferral, "register")
    act(actors.community, deferral, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, deferral, "accept")
    act(actors.mg_worker, deferral, "request_deferral", reason="等材料")
    handled = report(actors.resident)
    act(actors.community, handled, "register")
    act(actors.community, handled, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, handled, "accept")
    act(actors.mg_worker, handled, "handle", data={"result": "好了"})
    escalated = report(actors.resident)
    act(actors.community, escalated, "escalate", reason="网格处理不了")
    report(actors.resident, point=(104.15, 30.7))  # community2: not this queue

    c = as_user(client, actors.community)
    page = c.get("/events/queue/510113001001/").content.decode()
    assert queue_counts(page) == {
        "to_register": 3,  # two reported + the escalated one (still reported)
        "to_dispatch": 1,
        "returned": 1,
        "overdue": 1,
        "deferral": 1,
        "to_verify": 1,
        "escalated": 1,
    }
    overdue_page = c.get("/events/queue/510113001001/?tab=overdue").content.decode()
    listed = re.findall(r'data-testid="event-card" data-event="(\d+)"', overdue_page)
    assert listed == [str(overdue.pk)]
    assert 'data-sla="red"' in overdue_page
    # The street sees the same events one level up; escalated-to-this-level is its own.
    s = as_user(client, actors.street)
    street = queue_counts(s.get("/events/queue/510113001/").content.decode())
    assert street["to_register"] == 4  # community2's too
    assert street["escalated"] == 0


def test_queue_register_and_dispatch_in_one_tap(actors, client):
    event = report(actors.resident)
    c = as_user(client, actors.community)
    queue_url = "/events/queue/510113001001/?tab=to_register"
    page = c.get(queue_url).content.decode()
    assert f'action="/events/{event.pk}/act/register/"' in page
    r = post(c, event, "register", {"next": queue_url})
    assert r.url == queue_url
    page = c.get("/events/queue/510113001001/?tab=to_dispatch").content.decode()
    assert f'action="/events/{event.pk}/act/dispatch/"' in page
    # The grid can solve 暴露垃圾: its worker is the default target.
    assert re.search(r'<option value="worker" selected>', page)
    r = post(c, event, "dispatch", {"target": "department", "department": "cg"})
    event.refresh_from_db()
    assert event.state == S.DISPATCHED and event.handler_department.code == "cg"


def test_queue_scope(actors, client):
    code = "510113001001"
    assert as_user(client, actors.community2).get(f"/events/queue/{code}/").status_code == 404
    assert as_user(client, actors.other_district).get(f"/events/queue/{code}/").status_code == 404
    # A resident holds micro1, but dispatches nothing.
    r = as_user(client, actors.resident).get("/events/queue/510113001001001001/")
    assert r.status_code == 404
    assert as_user(client, actors.resident).get("/events/queue/").status_code == 404
    assert as_user(client, actors.dept_cg).get("/events/queue/510113/").status_code == 404
    c = as_user(client, actors.community)
    assert c.get("/events/queue/no-such-area/").status_code == 404
    assert c.get(f"/events/queue/{code}/?tab=everything").status_code == 404
    assert c.get("/events/queue/510113001/").status_code == 404  # the street above
    r = c.get("/events/queue/")
    assert r.status_code == 302 and r.url == f"/events/queue/{code}/"
    r = as_user(client, actors.street).get("/events/queue/")
    assert r.url == "/events/queue/510113001/"
    r = as_user(client, actors.district).get("/events/queue/")
    assert r.url == "/events/queue/510113/"


# ---------------------------------------------------------------------------
# The department's page


def test_department_page(actors, client):
    mine = report(actors.resident, code="0301")
    act(actors.community, mine, "register")
    act(actors.community, mine, "dispatch", data={"target": "department", "department": "zj"})
    not_mine = report(actors.resident, code="0302")
    act(actors.community, not_mine, "register")
    act(actors.community, not_mine, "dispatch", data={"target": "department", "department": "cg"})
    d = as_user(client, actors.dept_zj)
    page = d.get("/events/department/").content.decode()
    events = page[page.index('data-testid="department-events"') :]
    assert f'data-event="{mine.pk}"' in events
    assert f'data-event="{not_mine.pk}"' not in events
    assert f'action="/events/{mine.pk}/act/accept/"' in events
    for user in (actors.resident, actors.community, actors.mg_worker, actors.nobody):
        assert as_user(client, user).get("/events/department/").status_code == 404


# ---------------------------------------------------------------------------
# Emergency mode


def test_emergency_start_and_end(actors, client):
    path = "/events/emergency/510113001/"
    s = as_user(client, actors.street)
    page = s.get(path).content.decode()
    assert 'data-testid="emergency-off"' in page
    r = s.post(path, {"op": "start", "reason": ""})
    assert r.status_code == 400
    assert not EmergencyPeriod.objects.exists()
    r = s.post(path, {"op": "start", "reason": "防汛应急"})
    assert r.status_code == 302
    period = EmergencyPeriod.objects.get()
    assert period.area.code == "510113001" and period.ended_at is None
    assert services.in_emergency(period.area, timezone.now())
    page = s.get(path).content.decode()
    assert 'data-testid="emergency-on"' in page and "防汛应急" in page
    # Starting again while on: refused.
    assert s.post(path, {"op": "start", "reason": "again"}).status_code == 409
    assert EmergencyPeriod.objects.count() == 1
    # A community below shows the street's period; the street staff may end it there too.
    page = s.get("/events/emergency/510113001001/").content.decode()
    assert 'data-testid="emergency-on"' in page
    r = s.post(path, {"op": "end", "period": period.pk})
    assert r.status_code == 302
    period.refresh_from_db()
    assert period.ended_at is not None
    assert 'data-testid="emergency-history"' in s.get(path).content.decode()


def test_emergency_scope(actors, client):
    path = "/events/emergency/510113001/"
    for user in (actors.community, actors.resident, actors.other_district, actors.nobody,
                 actors.dept_cg):  # fmt: skip
        assert as_user(client, user).get(path).status_code == 404, user.username
        assert as_user(client, user).post(path, {"op": "start", "reason": "x"}).status_code == 404
    assert not EmergencyPeriod.objects.exists()
    assert as_user(client, actors.district).get(path).status_code == 200
    # Another street's staff cannot end this street's period.
    period = services.start_emergency(actor=actors.street, area=actors_street(), reason="防汛")
    other = as_user(client, actors.other_district)
    assert other.post(path, {"op": "end", "period": period.pk}).status_code == 404
    period.refresh_from_db()
    assert period.ended_at is None


def actors_street():
    from shezhi.areas.models import Area

    return Area.objects.get(code="510113001")


# ---------------------------------------------------------------------------
# Navigation by role


def nav(client, user) -> set[str]:
    page = as_user(client, user).get("/notifications/")
    return set(re.findall(r'data-testid="(nav-[\w-]+)"', page.content.decode()))


def test_navigation_links_follow_the_roles(actors, client):
    everyone = {"nav-report", "nav-my-reports", "nav-map"}
    assert nav(client, actors.resident) >= everyone
    assert not nav(client, actors.resident) & {"nav-inbox", "nav-queue", "nav-patrol",
                                                 "nav-department"}  # fmt: skip
    assert nav(client, actors.mg_worker) >= everyone | {"nav-patrol", "nav-inbox"}
    assert "nav-queue" not in nav(client, actors.mg_worker)
    assert nav(client, actors.community) >= {"nav-inbox", "nav-queue"}
    assert "nav-patrol" not in nav(client, actors.community)
    assert nav(client, actors.street) >= {"nav-queue"}
    assert "nav-inbox" not in nav(client, actors.street)
    assert nav(client, actors.dept_cg) >= {"nav-department", "nav-inbox"}
    assert "nav-queue" not in nav(client, actors.dept_cg)


# ---------------------------------------------------------------------------
# The dispatch form: one default, one chooser per kind of handler


def _dispatch_form(page: str, event) -> str:
    return re.search(
        rf'<form[^>]*action="/events/{event.pk}/act/dispatch/".*?</form>', page, re.S
    ).group(0)


def _selected(form: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', form, re.S)
    if select is None:
        return "(none)"
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(0))
    return chosen.group(1) if chosen else ""


@pytest.mark.parametrize(
    ("code", "kind", "department"),
    [("0101", "worker", "cg"), ("0302", "department", "zj"), ("0104", "", "")],
)
def test_queue_and_event_page_propose_the_same_dispatch(actors, client, code, kind, department):
    """One default (selectors.dispatch_default) for the queue's row and the event's page."""
    event = report(actors.resident, code=code)
    act(actors.community, event, "register")
    c = as_user(client, actors.community)
    queue_page = c.get("/events/queue/510113001001/?tab=to_dispatch").content.decode()
    queue = _dispatch_form(queue_page, event)
    detail = _dispatch_form(c.get(url(event)).content.decode(), event)
    for form in (queue, detail):
        assert _selected(form, "target") == kind
        # The micro-grid's responsible worker, by name, whatever kind is proposed.
        assert _selected(form, "worker") == str(actors.mg_worker.pk)
        assert "李明" in form
        assert _selected(form, "department") == department
        # Each chooser says which kind it is for (the page shows only that one).
        assert re.search(r'data-field="worker" data-for-target="worker"', form)
        assert re.search(r'data-field="department" data-for-target="department"', form)


def test_dispatch_names_the_missing_chooser(actors, client):
    # 水域不洁: a department (sw) this district does not have, no default to fall back on.
    event = report(actors.resident, code="0104")
    act(actors.community, event, "register")
    c = as_user(client, actors.community)
    before = snapshot(event)
    r = post(c, event, "dispatch", {"target": "department", "department": ""})
    assert r.status_code == 400
    form = _dispatch_form(r.content.decode(), event)
    assert 'class="field has-error" data-field="department"' in form
    assert 'class="field has-error" data-field="worker"' not in form
    assert snapshot(event) == before
    # In micro2 nobody is the responsible worker: the worker must be chosen.
    other = report(actors.resident2, point=(104.07, 30.65))
    act(actors.community, other, "register")
    r = post(c, other, "dispatch", {"target": "worker", "worker": ""})
    assert r.status_code == 400
    form = _dispatch_form(r.content.decode(), other)
    assert 'class="field has-error" data-field="worker"' in form
    # The chooser of the other kind is ignored: a worker target with a department sent.
    r = post(c, event, "dispatch", {"target": "worker", "worker": "", "department": "zj"})
    event.refresh_from_db()
    assert event.handler_kind == "worker" and event.handler_user == actors.mg_worker
    assert event.handler_department is None


# ---------------------------------------------------------------------------
# Residents read their own words; people are named; dates carry the year when it is not this one


def _handled(actors):
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    return event


def test_the_reporter_confirms_in_their_own_words(actors, client):
    event = _handled(actors)
    page = as_user(client, actors.resident).get(url(event)).content.decode()
    state = re.search(r'data-testid="state"[^>]*>([^<]*)<', page).group(1)
    assert state == "已处理，请您确认"
    assert "确认已解决" in page and "仍未解决" in page
    assert "核查通过" not in page and "返工" not in page and "待核查" not in page
    # The grid's worker, who verifies as staff, reads the workflow's words.
    staff = as_user(client, actors.grid_worker).get(url(event)).content.decode()
    assert "核查通过：结案" in staff and "已处置，待核查" in staff
    # The message after the step is in the resident's words too.
    res = as_user(client, actors.resident)
    r = post(res, event, "verify_pass")
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.state == S.CLOSED
    flash = re.search(r'data-testid="flash">(.*?)</div>', res.get(r.url).content.decode(), re.S)
    assert "确认已解决" in flash.group(1)


def test_my_reports_flag_what_waits_for_the_resident(actors, client):
    to_confirm = _handled(actors)
    to_rate = _handled(actors)
    act(actors.grid_worker, to_rate, "verify_pass")
    rated = _handled(actors)
    act(actors.resident, rated, "verify_pass")
    act(actors.resident, rated, "rate", data={"rating": "satisfied"})
    waiting = report(actors.resident)
    page = as_user(client, actors.resident).get("/events/mine/").content.decode()
    waits = dict(re.findall(r'data-event="(\d+)" data-waits="(\w+)"', page))
    assert waits == {str(to_confirm.pk): "verify", str(to_rate.pk): "rate"}
    assert "待您确认处理结果" in page and "待您评价" in page
    summary = re.search(r'data-testid="awaiting-summary">(.*?)</p>', page, re.S).group(1)
    assert ">2<" in summary
    assert str(waiting.pk) not in waits and str(rated.pk) not in waits
    # The link takes them to the step.
    assert f'href="/events/{to_confirm.pk}/#actions"' in page


def test_event_pages_name_people_not_their_sign_ins(actors, client):
    event = _handled(actors)
    actors.resident.first_name = "王芳"
    actors.resident.save()
    page = as_user(client, actors.community).get(url(event)).content.decode()
    handler = re.search(r'data-testid="handler">([^<]*)<', page).group(1)
    assert "李明" in handler and "mg_worker" not in handler  # the roster's name
    assert re.search(r'data-testid="reporter">王芳<', page)
    timeline = page[page.index('data-testid="timeline"') :]
    assert "李明" in timeline and ">mg_worker<" not in timeline
    # The dispatch form's worker choice is named the same way.
    other = report(actors.resident)
    act(actors.community, other, "register")
    form = as_user(client, actors.community).get(url(other)).content.decode()
    assert re.search(rf'<option value="{actors.mg_worker.pk}"[^>]*>李明 · ', form)


def test_dates_carry_the_year_only_when_it_is_not_this_one(actors, client):
    now = timezone.now()
    old = report(actors.resident, at=now - timedelta(days=400))
    new = report(actors.resident)
    c = as_user(client, actors.community)
    old_page = c.get(url(old)).content.decode()
    local_old = timezone.localtime(old.created_at)
    assert local_old.strftime("%Y-%m-%d %H:%M") in old_page
    new_page = c.get(url(new)).content.decode()
    local_new = timezone.localtime(new.created_at)
    assert f">{local_new.strftime('%m-%d %H:%M')}<" in new_page
    assert local_new.strftime("%Y-%m-%d %H:%M") not in new_page
    queue = c.get("/events/queue/510113001001/?tab=to_register").content.decode()
    assert local_old.strftime("%Y-%m-%d %H:%M") in queue
    assert f">{local_new.strftime('%m-%d %H:%M')}<" in queue
    mine = as_user(client, actors.resident).get("/events/mine/").content.decode()
    assert local_old.strftime("%Y-%m-%d %H:%M") in mine
    assert f">{local_new.strftime('%m-%d %H:%M')}<" in mine


# ---------------------------------------------------------------------------
# A list row's one-tap form: drawn in Python, as the template draws it


def _spaced(html: str) -> str:
    """HTML with each run of whitespace as one space (the text between tags the same)."""
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("csrf_token", ["tok<en>", "NOTPROVIDED", ""])
@pytest.mark.filterwarnings("ignore:Calling format_html")  # Django's own {% csrf_token %}
def test_a_rows_compact_form_is_the_templates(actors, csrf_token):
    from django.template import Context, engines

    from shezhi.events.action_forms import FORMS, form_for

    event = report(actors.resident)
    act(actors.community, event, "register")
    event = Event.objects.select_related("category", "area", "owner_area").get(pk=event.pk)
    template = engines["django"].engine.get_template("events/_action_form.html")
    drawn = 0
    for action in FORMS:
        form = form_for(action, event, actors.community)
        form.fields["next"].initial = "/events/queue/?tab=to_dispatch&x=<1>"
        html = form.compact_html(csrf_token)
        if html is None:  # radios or boxes: the template draws it
            continue
        expected = template.render(
            Context({"form": form, "compact": True, "csrf_token": csrf_token})
        )
        assert _spaced(html) == _spaced(expected), action
        drawn += 1
    assert drawn >= 15
    # A bound form (errors to show) is the template's.
    assert form_for("handle", event, actors.community, {"version": "x"}).compact_html("t") is None


@pytest.mark.parametrize("csrf_token", ["tok<en>", "NOTPROVIDED", ""])
@pytest.mark.parametrize("next_url", ["/events/inbox/", "/events/queue/?a=1&b=<2>", ""])
def test_a_rows_button_is_the_forms_compact_html(actors, csrf_token, next_url):
    from shezhi.events.action_forms import BUTTON_ONLY, QuickButton, form_for, quick_form

    event = report(actors.resident)
    event = Event.objects.select_related("category", "area", "owner_area").get(pk=event.pk)
    assert {"register", "accept", "resume", "approve_deferral", "report_in"} <= BUTTON_ONLY
    assert not {"dispatch", "handle", "void", "rate"} & BUTTON_ONLY
    for action in BUTTON_ONLY:
        form = form_for(action, event, actors.community)
        form.fields["next"].initial = next_url
        button = quick_form(action, event, actors.community, next_url)
        assert isinstance(button, QuickButton)
        assert button.compact_html(csrf_token) == form.compact_html(csrf_token), action
    assert not isinstance(quick_form("handle", event, actors.community, next_url), QuickButton)


def test_a_queue_tab_pages_on_in_its_order_and_back(actors, territory):
    """50 rows a page, oldest first, numbered while the count is under its cap, then by
    cursor, every row once and in order, and back; a cursor it did not give out shows the
    first page."""
    from html import unescape
    from unittest import mock

    from shezhi.core import lists
    from tests.factories import EventFactory

    now = timezone.now()
    for i in range(170):
        EventFactory(
            area=territory["micro1" if i % 2 else "micro2"],
            submitted_by=actors.resident,
            created_at=now - timedelta(minutes=i % 7),  # ties: the id decides
        )
    expected = [
        str(pk)
        for pk in Event.objects.filter(state=S.REPORTED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    ]
    c = as_user(client=None, user=actors.community)
    base = "/events/queue/510113001001/"
    cards = r'data-testid="event-card" data-event="(\d+)"'
    for cap, at in ((lists.COUNT_CAP, "1 / 4<"), (100, "1 / 2+<")):  # past the cap: cursors
        with mock.patch.dict(lists.page_of.__kwdefaults__, {"cap": cap}):
            url, seen, pages = base + "?tab=to_register", [], []
            while url:
                page = c.get(url).content.decode()
                pages.append(url)
                seen += re.findall(cards, page)
                link = re.search(r'href="\?([^"]+)" rel="next"', page)
                url = base + "?" + unescape(link.group(1)) if link else None
            assert seen == expected and len(pages) == 4, cap
            assert at in c.get(pages[0]).content.decode()
            back = re.search(r'href="\?([^"]+)" rel="prev"', c.get(pages[3]).content.decode())
            page = c.get(base + "?" + unescape(back.group(1))).content.decode()
            assert re.findall(cards, page) == expected[100:150], cap
    for bad in ("?tab=to_register&after=nonsense", "?tab=to_register&before=e30"):
        assert re.findall(cards, c.get(base + bad).content.decode()) == expected[:50]


def test_work_lists_never_decrypt_a_reporters_contact(actors, client, monkeypatch):
    """The inbox, the queue and "my reports" show no contact: its encrypted values stay
    encrypted (two decryptions a row, thrown away, before LIST_DEFERRED)."""
    from shezhi.core import personal_data

    for i in range(3):
        e = report(actors.resident, contact_name=f"联系人{i}", contact_phone="13800138000")
        act(actors.community, e, "register")
        act(actors.community, e, "dispatch", data={"target": "worker"})
    report(actors.resident, contact_name="联系人3", contact_phone="13800138000")
    decrypted = []
    real = personal_data.decrypt

    def spy(token):
        value = real(token)
        decrypted.append(value)
        return value

    monkeypatch.setattr(personal_data, "decrypt", spy)
    for user, url in (
        (actors.mg_worker, "/events/inbox/"),
        (actors.resident, "/events/mine/"),
        (actors.community, "/events/queue/510113001001/?tab=to_register"),
        (actors.community, "/events/inbox/"),
    ):
        assert as_user(client, user).get(url).status_code == 200, url
    assert not [v for v in decrypted if v.startswith("联系人") or v.endswith("8000")], decrypted
