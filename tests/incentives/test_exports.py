"""The leaderboard as a spreadsheet: everyone ranked, scoped like the page, clear refusals."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import PASSWORD

from .conftest import award

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 20, 10))
URL = "/points/leaderboard/export.xlsx"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def as_(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def rows_of(resp) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(resp.content)).active
    values = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(values) if r[0] == "名次") + 1
    return values[start:]


def test_everyone_ranked_for_the_month_and_bucket(client, cast, territory):
    award(cast.resident, territory["micro1"], "1", quantity=3, at=NOW)  # 30 other
    award(cast.worker, territory["micro1"], "2", quantity=3, at=NOW)  # 30 other
    award(cast.worker2, territory["micro2"], "3", kind="event_registered", at=NOW)  # 2 routine
    award(
        cast.worker2,
        territory["micro2"],
        "4",
        quantity=1,
        at=datetime(2026, 10, 3, tzinfo=NOW.tzinfo),
    )
    resp = as_(client, cast.community).get(URL, {"area": territory["community"].code})
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "points-510113001001-2026-11.xlsx" in resp["Content-Disposition"]
    assert rows_of(resp) == [
        (1, "pts_worker", 30),  # a tie: the same rank, by user id
        (1, "pts_resident", 30),
        (3, "pts_worker2", 2),
    ]
    routine = as_(client, cast.community).get(
        URL, {"area": territory["community"].code, "bucket": "routine", "month": "2026-10"}
    )
    assert rows_of(routine) == []  # October's award was volunteer hours: other, not routine
    october = as_(client, cast.community).get(
        URL, {"area": territory["micro2"].code, "month": "2026-10"}
    )
    assert rows_of(october) == [(1, "pts_worker2", 10)]


def test_out_of_scope_is_404_and_bad_input_400(client, cast, territory):
    for user in (cast.other_district, cast.resident, cast.nobody):
        resp = as_(client, user).get(URL, {"area": territory["community"].code})
        assert resp.status_code == 404, user
    bad_month = as_(client, cast.community).get(
        URL, {"area": territory["community"].code, "month": "2026-13"}
    )
    assert bad_month.status_code == 400 and "2026-13" in bad_month.content.decode()
    bad_bucket = as_(client, cast.community).get(
        URL, {"area": territory["community"].code, "bucket": "gold"}
    )
    assert bad_bucket.status_code == 400
    client.logout()
    assert client.get(URL).status_code == 302  # to the sign-in page


def test_the_leaderboard_page_links_the_spreadsheet(client, cast, territory):
    page = as_(client, cast.community).get(
        "/points/leaderboard/", {"area": territory["community"].code, "month": "2026-11"}
    )
    assert page.status_code == 200
    assert (
        f'href="{URL}?area={territory["community"].code}&amp;bucket=&amp;month=2026-11"'
        in page.content.decode()
    )
