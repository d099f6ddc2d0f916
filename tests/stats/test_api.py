"""/api/v1/stats/: the same numbers as stats.kpis, scoped, with clear refusals."""

from __future__ import annotations

import pytest

from shezhi.stats import kpis as k
from tests.factories import PASSWORD

from .conftest import MARCH
from .test_kpis import EXPECTED_MARCH

pytestmark = pytest.mark.django_db


def get(client, user, path, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(f"/api/v1/stats/{path}", params)


def test_kpis_of_a_street_and_its_communities(client, history, territory):
    resp = get(client, history.street, "kpis", area=territory["street1"].code,
               **{"from": "2026-03-01", "to": "2026-03-31"})  # fmt: skip
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["area"]["code"] == territory["street1"].code
    assert body["period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    for name, value in EXPECTED_MARCH.items():
        assert body["kpis"][name] == pytest.approx(value), name
    assert body["kpis"]["counts"]["due"] == 6 and "band_00" not in body["kpis"]["counts"]
    children = {c["area"]["code"]: c["kpis"] for c in body["children"]}
    assert children[territory["community"].code]["reported"] == 8
    assert children[territory["community2"].code]["completion_rate"] is None
    # The same figures as the one definition.
    assert body["kpis"]["score"] == pytest.approx(
        k.area_kpis(territory["street1"], MARCH).kpis.score
    )


def test_outside_scope_is_404_and_a_resident_sees_no_statistics(client, history, territory):
    assert get(client, history.community, "kpis", area=territory["street1"].code).status_code == 404
    assert get(client, history.other_district, "kpis", area="510113").status_code == 404
    assert get(client, history.resident, "kpis", area=territory["micro1"].code).status_code == 404
    assert get(client, history.community, "kpis", area="999999").status_code == 404
    client.logout()
    assert client.get("/api/v1/stats/kpis", {"area": "510113"}).status_code == 401


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-30"}, "不是形如 2026-01-31 的日期"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "结束早于开始"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "最长为三年"),
    ],
)
def test_bad_periods_answer_400(client, history, territory, params, message):
    resp = get(client, history.district, "kpis", area="510113", **params)
    assert resp.status_code == 400
    assert message in resp.json()["detail"] and resp.json()["field"] == "period"


def test_missing_area_is_a_validation_error(client, history):
    assert get(client, history.district, "kpis").status_code == 422


def test_area_ranking_orders_by_score_with_the_tie_rule(client, history, territory):
    resp = get(client, history.district, "rankings/areas", area="510113",
               **{"from": "2026-03-01", "to": "2026-03-31"})  # fmt: skip
    body = resp.json()
    assert "then code" in body["tie_rule"]
    codes = [r["area"]["code"] for r in body["ranking"]]
    # street1 has a score; street2 has nothing to judge and comes last.
    assert codes == [territory["street1"].code, territory["street2"].code]
    assert [r["rank"] for r in body["ranking"]] == [1, 2]
    assert body["ranking"][1]["kpis"]["score"] is None


def test_department_ranking(client, history, territory):
    resp = get(client, history.district, "rankings/departments", area="510113",
               **{"from": "2026-03-01", "to": "2026-03-31"})  # fmt: skip
    rows = {r["code"]: r for r in resp.json()["ranking"]}
    # cg: summoned once for E and reported in on time; I was dispatched to it and bounced.
    assert rows["cg"] | {} == rows["cg"]
    assert (rows["cg"]["summoned"], rows["cg"]["on_time"], rows["cg"]["on_time_rate"]) == (
        1,
        1,
        1.0,
    )
    assert (rows["cg"]["dispatched"], rows["cg"]["bounces"], rows["cg"]["bounce_rate"]) == (
        1,
        1,
        1.0,
    )
    assert rows["zj"]["summoned"] == 0 and rows["zj"]["on_time_rate"] is None
    assert [r["code"] for r in resp.json()["ranking"]] == ["cg", "zj"]


def test_worker_ranking_counts_pieces(client, history, territory):
    resp = get(client, history.community, "rankings/workers", area=territory["community"].code,
               **{"from": "2026-02-01", "to": "2026-03-31"})  # fmt: skip
    rows = resp.json()["ranking"]
    worker = next(r for r in rows if r["name"] == "李明")  # micro1's responsible worker
    # Handled: A, B ×4 (three before the reopen, one after), E, F, G.
    assert (worker["handled"], worker["reported"], worker["verified"]) == (8, 0, 0)
    assert worker["pieces"] == 8 and worker["rank"] == 1


def test_definitions_name_every_kpi(client, history):
    resp = get(client, history.district, "definitions")
    names = [d["name"] for d in resp.json()]
    # The events' KPIs, then the other figures with one definition each (visit coverage,
    # residents taking part, the forces of the workforce and the organisations).
    assert names == [
        *k.DEFINITIONS,
        "visit_coverage",
        "residents_taking_part",
        "forces",
        # The micro-projects' figures (stats/project_figures.py).
        "projects_by_stage",
        "money_raised_from_residents",
        "community_support_drawn",
        "residents_taking_part_in_projects",
    ]
    assert all(d["label"] and d["formula"] for d in resp.json())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "0001-12-31"}, "from"),
    ],
)
def test_days_out_of_range_are_a_422_naming_the_field(client, history, params, field):
    """to=9999-12-31 overflowed the day after the period (a 500)."""
    resp = get(client, history.district, "kpis", area="510113", **params)
    assert resp.status_code == 422
    assert resp.json()["field"] == field
