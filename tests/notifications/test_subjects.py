"""Notices published through core.notices point at a generic subject (any registered model)."""

from __future__ import annotations

import pytest

from shezhi.core.notices import Notice, publish_notices
from shezhi.events.models import Event
from shezhi.notifications import selectors
from shezhi.notifications.models import Notification
from tests.events.conftest import actors, report  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_published_notice_points_at_its_subject_and_links_to_its_page(actors):  # noqa: F811
    event = report(actors.resident)
    written = publish_notices(
        [
            Notice(
                {actors.community.pk},
                "event.x",
                "about it",
                subject_model=Event,
                subject_id=event.pk,
            ),
            Notice({actors.community.pk}, "k", "about nothing"),
        ]
    )
    assert written == 2
    about = Notification.objects.about(event).get(kind="event.x")
    assert (about.subject, about.url) == (event, f"/events/{event.pk}/")
    assert selectors.subject_name(about) == "event"
    assert selectors.subject_id(about, "event") == event.pk
    bare = Notification.objects.get(kind="k")
    assert (bare.subject, bare.url, selectors.subject_id(bare, "event")) == (None, "", None)


def test_a_deleted_subject_takes_its_notifications_along(actors):  # noqa: F811
    event = report(actors.resident)
    publish_notices(
        [Notice({actors.community.pk}, "event.x", "t", subject_model=Event, subject_id=event.pk)]
    )
    event.delete()
    assert not Notification.objects.exists()
