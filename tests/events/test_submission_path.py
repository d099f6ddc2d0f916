"""What the fast submission path keeps: new reports announced once, caches that stay honest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.areas.locating import area_rows, locate
from shezhi.core import snapshot, sweeps
from shezhi.core.errors import BadInput, KeyReused
from shezhi.core.models import ApiToken
from shezhi.events import services, sla
from shezhi.events.models import Category, Event, SlaNotice
from shezhi.notifications.models import Notification

from .conftest import IN_MICRO1, report

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def reported_notes(**filters):
    return Notification.objects.filter(kind="event.reported", **filters)


def test_dispatchers_hear_of_a_new_report_once(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = report(actors.resident)
    note = reported_notes().get()
    # The general grid holds a new report: its full-time worker dispatches it.
    assert note.user == actors.grid_worker
    assert note.subject == event
    assert note.url == f"/events/{event.pk}/"
    assert event.number in note.title and "新上报待立案" in note.title
    assert SlaNotice.objects.filter(event=event, kind="reported").count() == 1

    # The timer's scan and a second sweep find nothing left to announce.
    assert sla.announce_reports().announced == 0
    assert sla.scan().announced == 0
    assert reported_notes().count() == 1


def test_the_reporter_is_not_told_of_their_own_report(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report(actors.grid_worker, source="patrol")
    assert not reported_notes().exists()
    assert SlaNotice.objects.filter(kind="reported").count() == 1


def test_a_report_rolled_back_is_never_announced(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(BadInput):
        report(actors.resident, code="no-such-category")
    assert callbacks == []
    assert not reported_notes().exists()


def test_the_scan_announces_a_report_whose_sweep_was_lost(actors, settings):
    settings.TASKS = DUMMY  # the task is enqueued but never runs
    event = report(actors.resident)
    assert not reported_notes().exists()
    assert sla.scan(dry_run=True).announced == 1
    assert not reported_notes().exists()
    result = sla.scan()
    assert result.announced == 1
    assert "new reports announced 1" in result.summary()
    assert reported_notes().get().subject == event


def test_a_report_already_registered_is_not_announced(actors, settings):
    settings.TASKS = DUMMY
    event = report(actors.resident)
    services.perform(actor=actors.grid_worker, event=event, action="register")
    assert sla.announce_reports().announced == 0
    assert not reported_notes().exists()


def test_a_busy_process_enqueues_one_deferred_sweep_per_window(
    actors, settings, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    settings.SHEZHI_SWEEP_SECONDS = 2.0
    sweeps.reset()
    default_task_backend.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for lng in (104.02, 104.021, 104.022):
            report(actors.resident, point=(lng, 30.62))
    queued = [r for r in default_task_backend.results if r.task.name == "announce_reports"]
    assert len(queued) == 1
    run_after = queued[0].task.run_after
    # The KPI facts' sweep too, once.
    assert [r.task.name for r in default_task_backend.results].count("sync_facts") == 1
    assert before + timedelta(seconds=1.9) <= run_after <= timezone.now() + timedelta(seconds=2)
    # The one sweep announces all three.
    assert sla.announce_reports().announced == 3


def test_a_category_switched_off_here_is_refused_at_once(actors):
    report(actors.resident)  # loads the categories into this process
    cat = Category.objects.get(code="0101")
    cat.active = False
    cat.save()
    with pytest.raises(BadInput) as refused:
        report(actors.resident)
    assert refused.value.field == "category"


def test_a_change_made_elsewhere_counts_within_the_snapshot_period(actors, settings):
    settings.SHEZHI_SNAPSHOT_SECONDS = 60
    report(actors.resident)
    # Another process's write: no signal reaches this one.
    Category.objects.filter(code="0101").update(active=False)
    assert report(actors.resident, point=(104.021, 30.62)).category.code == "0101"
    services.categories_snapshot.clear()  # what the period's end does
    with pytest.raises(BadInput):
        report(actors.resident, point=(104.022, 30.62))


def test_area_rows_follow_a_renamed_area(territory):
    locate(*IN_MICRO1)
    micro = territory["micro1"]
    assert area_rows([micro.pk])[micro.pk].name == micro.name
    micro.name = "新名字微网格"
    micro.save()  # bumps the boundary revision: the process rebuilds its rows
    assert area_rows([micro.pk])[micro.pk].name == "新名字微网格"
    assert "boundary" in area_rows([micro.pk])[micro.pk].get_deferred_fields()


def _health(client, token):
    return client.get("/api/v1/events/categories", headers={"Authorization": f"Bearer {token}"})


def test_a_revoked_token_or_a_switched_off_user_stops_at_once(client, actors):
    token, raw = ApiToken.issue(user=actors.resident, name="phone")
    assert _health(client, raw).status_code == 200
    token.delete()
    assert _health(client, raw).status_code == 401

    _, raw = ApiToken.issue(user=actors.resident, name="phone")
    assert _health(client, raw).status_code == 200
    actors.resident.is_active = False
    actors.resident.save()
    assert _health(client, raw).status_code == 401


def test_a_token_expiring_is_refused_even_while_cached(client, actors, settings):
    settings.SHEZHI_SNAPSHOT_SECONDS = 60
    token, raw = ApiToken.issue(
        user=actors.resident, name="phone", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert _health(client, raw).status_code == 200
    # Another process moves the expiry (no signal here): the cached row still holds …
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    assert _health(client, raw).status_code == 200
    # … until the period ends.
    snapshot.clear_all()
    assert _health(client, raw).status_code == 401


def test_each_request_gets_its_own_user_object(client, actors):
    from shezhi.core.auth import user_for_token

    _, raw = ApiToken.issue(user=actors.resident, name="phone")
    first, second = user_for_token(raw), user_for_token(raw)
    assert first == second == actors.resident
    assert first is not second
    first._shezhi_departments = {1}
    assert not hasattr(second, "_shezhi_departments")


def test_a_retry_without_photos_returns_the_first_event(actors):
    def submit(description):
        return services.report_event(
            submitted_by=actors.resident,
            source="resident",
            category="0101",
            description=description,
            lng=IN_MICRO1[0],
            lat=IN_MICRO1[1],
            idempotency_key="k-1",
        )

    first, again = submit("井盖缺失"), submit("井盖缺失")
    assert first.created and not again.created
    assert again.event.pk == first.event.pk
    assert Event.objects.count() == 1
    # The same key for another request is refused, not answered with the first event.
    with pytest.raises(KeyReused):
        submit("井盖缺失（另一件）")
    assert Event.objects.count() == 1
