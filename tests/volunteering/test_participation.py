"""A volunteer checked out of an activity took part in it (core.participation), once."""

from __future__ import annotations

import pytest

from shezhi.core.models import Participation
from shezhi.core.participation import Way
from shezhi.volunteering import services as volunteering
from tests.volunteering.conftest import NOW

pytestmark = pytest.mark.django_db


def test_a_volunteer_checked_out_took_part_in_an_activity(actors, activity):
    volunteering.sign_up(user=actors.resident, activity=activity, now=NOW)
    for at in (activity.starts_at, activity.ends_at):
        token = volunteering.make_scan_token(activity, now=at)
        volunteering.scan(user=actors.resident, token=token, at=at)
    row = Participation.objects.get()
    assert (row.way, row.participant, row.area_path) == (
        Way.ACTIVITY,
        f"u:{actors.resident.pk}",
        activity.area_path,
    )
