"""Visit coverage: one definition (``stats.coverage``), checked on hand-made households.

Six households in micro1 and micro2, by class (``visits.intervals``):
- 独居老人 (7 days): visited 5 days ago (covered), visited 10 days ago (not);
- 高龄 (14 days): visited 10 days ago (covered), visited 20 days ago (not);
- the rest (90 days): visited 60 days ago (covered), never visited (not).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.stats import coverage
from tests.factories import PASSWORD, HouseholdFactory, ResidentFactory

from .conftest import visit

pytestmark = pytest.mark.django_db


def _household(place, building, room, tags=""):
    h = HouseholdFactory(
        building=building, micro_grid=building.micro_grid, area_path=building.area_path,
        unit="1", room=room,
    )  # fmt: skip
    if tags:
        ResidentFactory(household=h, tags=tags)
    return h


def _world(place, worker, worker2):
    today = timezone.localdate()
    b1, b2 = place.b1, place.b2
    alone_ok = _household(place, b1, "501", ",lives_alone,very_old,")
    alone_late = _household(place, b1, "502", ",lives_alone,")
    old_ok = _household(place, b2, "503", ",very_old,")
    old_late = _household(place, b2, "504", ",very_old,veteran,")
    other_ok = _household(place, b1, "505", ",veteran,")
    never = _household(place, b2, "506")
    for h, days, who in ((alone_ok, 5, worker), (alone_late, 10, worker), (old_ok, 10, worker2),
                         (old_late, 20, worker2), (other_ok, 60, worker)):  # fmt: skip
        _backdated(who, h, days)
    return today, {"alone_ok": alone_ok, "never": never}


def _backdated(worker, household, days):
    """A visit ``days`` ago: recorded now (the service takes a week back at most), then
    moved back as if recorded on the day."""
    from shezhi.visits.models import Visit

    v = visit(worker, household)
    Visit.objects.filter(pk=v.pk).update(at=timezone.now() - dt.timedelta(days=days))


def test_coverage_by_class(place, territory, shared_cast):
    # The three households of place (h101, h102, h201) are never visited: default class.
    today, _h = _world(place, shared_cast.mg_worker, shared_cast.mg_worker2)
    cov = coverage.area_coverage(territory["community"], today)
    by = {c.key: (c.covered, c.households) for c in cov.classes}
    assert by == {"lives_alone": (1, 2), "very_old": (1, 2), "default": (1, 5)}
    assert (cov.covered, cov.households) == (3, 9)
    assert cov.rate == pytest.approx(3 / 9)


def test_coverage_per_child_and_as_of_a_day(place, territory, shared_cast):
    today, _h = _world(place, shared_cast.mg_worker, shared_cast.mg_worker2)
    grid = territory["grid"]
    children = [territory["micro1"], territory["micro2"]]
    rows = dict(coverage.children_coverage(grid, children, today))
    m1, m2 = rows[territory["micro1"]], rows[territory["micro2"]]
    # micro1: h101, h102, 501 (ok), 502 (late), 505 (ok); micro2: h201, 503 (ok), 504, 506.
    assert (m1.covered, m1.households) == (2, 5)
    assert (m2.covered, m2.households) == (1, 4)
    # Twelve days ago the lives-alone household visited 10 days ago was not yet visited,
    # and the one visited 5 days ago neither; the very-old one 20 days ago was covered.
    earlier = coverage.area_coverage(territory["community"], today - dt.timedelta(days=12))
    by = {c.key: c.covered for c in earlier.classes}
    assert by == {"lives_alone": 0, "very_old": 1, "default": 1}


def test_an_area_without_households_has_nothing_to_judge(territory):
    cov = coverage.area_coverage(territory["other_district"], timezone.localdate())
    assert cov.households == 0 and cov.rate is None


def test_the_api_the_dashboard_and_the_report_show_the_one_definition(
    client, place, territory, shared_cast
):
    _world(place, shared_cast.mg_worker, shared_cast.mg_worker2)
    client.login(username=shared_cast.dept_cg.username, password=PASSWORD)  # counts only
    code = territory["community"].code
    body = client.get(f"/api/v1/stats/visit-coverage?area={code}").json()
    assert (body["coverage"]["covered"], body["coverage"]["households"]) == (3, 9)
    assert {c["area"]["code"]: c["coverage"]["covered"] for c in body["children"]}
    defs = {d["name"] for d in client.get("/api/v1/stats/definitions").json()}
    assert "visit_coverage" in defs
    page = client.get(f"/stats/{code}/")
    assert page.status_code == 200
    assert "33.3%" in page.content.decode()
    assert client.get(f"/stats/{code}/report.pdf").status_code == 200
    # Outside the reader's scope: 404.
    other = territory["other_district"].code
    assert client.get(f"/api/v1/stats/visit-coverage?area={other}").status_code == 404
    assert client.get(f"/api/v1/stats/visit-coverage?area={code}&on=x").status_code == 422
