"""The migration to a generic subject keeps what each notification was about."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shezhi.notifications.models import Notification
from tests.events.conftest import actors, report  # noqa: F401

BEFORE = [("notifications", "0001_initial")]
AFTER = [("notifications", "0002_notification_subject")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_each_notification_keeps_its_event_as_its_subject(actors):  # noqa: F811
    event = report(actors.resident)
    try:
        old = _migrate(BEFORE)
        Old = old.get_model("notifications", "Notification")
        user = actors.community.pk
        Old.objects.create(user_id=user, kind="event.x", title="about", event_id=event.pk)
        Old.objects.create(user_id=user, kind="k", title="about nothing")
        _migrate(AFTER)
        about = Notification.objects.get(title="about")
        assert about.subject == event
        assert about in Notification.objects.about(event)
        assert Notification.objects.get(title="about nothing").subject is None
        # And back: the subject that is an event is the foreign key again.
        old = _migrate(BEFORE)
        Old = old.get_model("notifications", "Notification")
        assert Old.objects.get(title="about").event_id == event.pk
        assert Old.objects.get(title="about nothing").event_id is None
    finally:
        _migrate(AFTER)
