"""Volunteering publishes its check-outs (``volunteering.hooks``); incentives pays the hours.

The points are written by a listener inside the check-out's transaction: a
check-out and its points commit or roll back together, and volunteering imports
no other app to get them paid.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shezhi.incentives.models import Transfer
from shezhi.incentives.volunteer_points import award_hours
from shezhi.volunteering import hooks, services
from shezhi.volunteering.models import Signup
from tests.volunteering.conftest import NOW

pytestmark = pytest.mark.django_db

M = dt.timedelta(minutes=1)


def _scan(user, activity, at):
    return services.scan(user=user, token=services.make_scan_token(activity, now=at), at=at)


def test_incentives_listens_to_check_outs():
    assert award_hours in hooks._checked_out


def test_each_check_out_is_published_with_its_minutes(actors, activity, monkeypatch):
    heard: list[hooks.CheckedOut] = []
    monkeypatch.setattr(hooks, "_checked_out", [*hooks._checked_out, heard.append])
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    _scan(actors.resident, activity, activity.starts_at)
    out = _scan(actors.resident, activity, activity.starts_at + 90 * M)
    [done] = heard
    assert (done.signup.pk, done.activity.pk, done.minutes) == (out.signup.pk, activity.pk, 90)
    assert done.at == activity.starts_at + 90 * M and done.by == actors.resident
    # incentives answered first: the sign-up keeps its transfer (10 points an hour).
    assert out.signup.transfer.points == 15


def test_a_listener_that_fails_undoes_the_check_out_and_its_points(actors, activity, monkeypatch):
    def boom(done):
        raise RuntimeError("ledger outage")

    monkeypatch.setattr(hooks, "_checked_out", [*hooks._checked_out, boom])
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    _scan(actors.resident, activity, activity.starts_at)
    with pytest.raises(RuntimeError):
        _scan(actors.resident, activity, activity.ends_at)
    signup = Signup.objects.get(activity=activity, user=actors.resident)
    assert signup.checked_out_at is None and signup.transfer_id is None
    assert not Transfer.objects.filter(cause_type="activity").exists()


def test_no_minutes_no_points(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    _scan(actors.resident, activity, activity.starts_at - 20 * M)
    out = _scan(actors.resident, activity, activity.starts_at - 10 * M)
    assert out.signup.minutes == 0 and out.signup.transfer is None
    assert not Transfer.objects.filter(cause_type="activity").exists()
