"""The demo's operations: one finished with its report, one running in a street."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from shezhi.areas import locating
from shezhi.demo.areas import build_demo_areas
from shezhi.demo.households import build_demo_households
from shezhi.demo.operations import build_demo_operations
from shezhi.demo.people import build_demo_workforce, link_demo_users
from shezhi.demo.users import ensure_demo_users
from shezhi.operations import reports, selectors
from shezhi.operations.models import Operation

pytestmark = pytest.mark.slow


def test_nothing_without_the_demo_district(db):
    assert build_demo_operations() is None


@pytest.mark.django_db
def test_one_finished_operation_with_its_report_and_one_running():
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers), transaction.atomic():
        build_demo_areas()
        build_demo_workforce()
        ensure_demo_users()
        link_demo_users()
        locating.current_index()
        build_demo_households(scale=0.1)  # the first community's 210 households, the street's
        made = build_demo_operations()
    assert made is not None and made["operations"] == 2
    assert build_demo_operations() is None  # idempotent
    done = Operation.objects.get(state="stood_down")
    running = Operation.objects.get(state="running")
    assert done.area.code == "510113001001" and running.area.code == "510113001"
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="dawan_staff")
    r = reports.after_action(staff, done)
    assert r.households > 100 and 0.95 <= r.coverage < 1
    assert r.needs_raised > 0 and r.on_duty == 2 and r.hand_outs
    # Most needs were walked through the workflow to closed; a few are still open.
    assert made["needs closed (finished)"] == r.needs_closed
    assert 0 < r.needs_closed < r.needs_raised and r.needs_dropped == 0
    assert sum(closed for _, closed in r.by_need.values()) == r.needs_closed
    assert reports.pdf(r).startswith(b"%PDF")
    board = selectors.dashboard(staff, running)
    # Vulnerable households first: every one checked so far is one.
    assert 0.3 <= board.total.coverage < 0.4
    assert board.total.vulnerable_checked == min(board.total.checked, board.total.vulnerable)
