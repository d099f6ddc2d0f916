"""Residents taking part (stats.participation): each participant once however many ways,
per area and period, on the API, the dashboard and the monthly report; scoped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shezhi.core.participation import record_many
from shezhi.core.periods import Period
from shezhi.stats import participation as taking_part
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-{day}T10:00").replace(
        tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def taking(territory):
    m1, m2, c2 = territory["micro1"], territory["micro2"], territory["community2"]
    rows = [
        # Resident 1: three ways in March, in micro1 and micro2: counted once.
        {"way": "demand", "area": m1, "at": at("03-02"), "participant": "r:1"},
        {"way": "activity", "area": m1, "at": at("03-05"), "participant": "r:1"},
        {"way": "organisation", "area": m2, "at": at("03-09"), "participant": "r:1"},
        # Resident 2: a demand twice (two demands), anonymous: counted once.
        {"way": "demand", "area": m2, "at": at("03-03"), "participant": "r:2"},
        {"way": "demand", "area": m2, "at": at("03-04"), "participant": "r:2"},
        # A person (no resident record) in the other community.
        {"way": "project", "area": c2, "at": at("03-20"), "participant": "p:7"},
        # Outside the period.
        {"way": "demand", "area": m1, "at": at("04-01"), "participant": "r:3"},
    ]
    record_many(rows)
    return territory


MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_each_participant_is_counted_once_however_many_ways(taking):
    street = taking_part.area_taking_part(taking["street1"], MARCH)
    assert street.total == 3
    assert street.by_way == {"demand": 2, "broadcast_answer": 0, "organisation": 1,
                             "activity": 1, "project": 1}  # fmt: skip
    assert taking_part.area_taking_part(taking["community"], MARCH).total == 2
    assert taking_part.area_taking_part(taking["micro2"], MARCH).total == 2
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    assert taking_part.area_taking_part(taking["district"], april).total == 1


def get(client, user, path, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(path, params)


def test_the_api(client, taking, shared_cast):
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    resp = get(client, shared_cast.street, "/api/v1/stats/participation",
               area=taking["street1"].code, **march)  # fmt: skip
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["taking_part"]["total"] == 3
    ways = {w["way"]: w["participants"] for w in body["taking_part"]["by_way"]}
    assert ways["demand"] == 2 and ways["broadcast_answer"] == 0
    children = {c["area"]["code"]: c["total"] for c in body["children"]}
    assert children == {taking["community"].code: 2, taking["community2"].code: 1}
    assert body["definition"] and body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    # Outside scope: 404; a bad period: 400 naming it.
    resp = get(client, shared_cast.community, "/api/v1/stats/participation",
               area=taking["street1"].code)  # fmt: skip
    assert resp.status_code == 404
    assert get(client, shared_cast.resident, "/api/v1/stats/participation",
               area=taking["micro1"].code).status_code == 404  # fmt: skip
    resp = get(client, shared_cast.district, "/api/v1/stats/participation", area="510113",
               **{"from": "2026-03-10", "to": "2026-03-01"})  # fmt: skip
    assert resp.status_code == 400 and resp.json()["field"] == "period"
    names = [d["name"] for d in get(client, shared_cast.district,
                                    "/api/v1/stats/definitions").json()]  # fmt: skip
    assert "residents_taking_part" in names


def test_the_dashboard_and_the_monthly_report(client, taking, shared_cast):
    import io

    from pypdf import PdfReader

    page = get(client, shared_cast.street, f"/stats/{taking['street1'].code}/",
               **{"from": "2026-03-01", "to": "2026-03-31"}).content.decode()  # fmt: skip
    assert 'data-testid="taking-part-total">3<' in page and "参与居民" in page
    resp = get(client, shared_cast.street, f"/stats/{taking['street1'].code}/report.pdf",
               month="2026-03")  # fmt: skip
    assert resp.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "参与居民" in text and "任一方式" in text
