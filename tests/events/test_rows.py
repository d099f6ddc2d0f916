"""core.rows.insert writes the row save() would, from SQL built once per model."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.forms.models import model_to_dict

from shezhi.core import rows
from shezhi.events.models import EventFollower, EventTransition
from shezhi.people.models import RoleAssignment

from .conftest import report

pytestmark = pytest.mark.django_db


def _columns(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_row_is_the_one_save_writes(actors):
    event = report(actors.resident)
    fast = rows.insert(
        EventTransition(
            event=event, action="note", from_state="", to_state="reported",
            actor=actors.resident, at=event.created_at, data={"k": [1, "二"]},
        )
    )  # fmt: skip
    slow = EventTransition.objects.create(
        event=event, action="note", from_state="", to_state="reported",
        actor=actors.resident, at=event.created_at, data={"k": [1, "二"]},
    )  # fmt: skip
    assert fast.pk and fast.pk != slow.pk
    assert not fast._state.adding and fast._state.db == "default"
    stored = EventTransition.objects.get(pk=fast.pk)
    assert model_to_dict(stored, exclude=["id"]) == model_to_dict(
        EventTransition.objects.get(pk=slow.pk), exclude=["id"]
    )
    assert stored.data == {"k": [1, "二"]}


def test_auto_now_add_is_filled(actors):
    event = report(actors.resident)
    follower = rows.insert(EventFollower(event=event, user=actors.resident2, kind="me_too"))
    assert EventFollower.objects.get(pk=follower.pk).created_at is not None


def test_a_saved_object_is_refused(actors):
    event = report(actors.resident)
    with pytest.raises(ValueError, match="already has a primary key"):
        rows.insert(event)


def test_a_model_with_signal_receivers_goes_through_save(actors, territory):
    # RoleAssignment is in the audit log (post_save receivers): its entry is still written.
    before = LogEntry.objects.count()
    assignment = rows.insert(
        RoleAssignment(user=actors.nobody, role="resident", area=territory["micro1"])
    )
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert LogEntry.objects.count() == before + 1
