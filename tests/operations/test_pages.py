"""Operations' pages: the declare page's way in, start, dashboard and its JSON, the
worker's check list, roll-call, stand-down and the reports; scope both ways."""

from __future__ import annotations

import pytest

from shezhi.operations.models import CheckLine, Operation
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_declaring_emergency_mode_can_go_on_to_start_an_operation(client, cast, place, territory):
    c = as_user(client, cast.street)
    code = territory["community"].code
    resp = c.post(
        f"/events/emergency/{code}/", {"op": "start", "reason": "暴雨", "then": "operation"}
    )
    assert resp.status_code == 302 and resp.url == f"/operations/start/{code}/"
    page = c.get(resp.url)
    assert page.status_code == 200 and b'data-testid="start-operation-form"' in page.content
    form = c.get(f"/events/emergency/{code}/").content.decode()
    assert f"/operations/start/{code}/" in form
    started = c.post(resp.url, {"kind": "flood", "title": "防汛扫楼", "request_key": "k1"})
    op = Operation.objects.get()
    assert started.status_code == 302 and started.url == f"/operations/{op.pk}/"
    assert op.households == 3
    # The same form sent again (a retried tap): the same operation.
    c.post(
        f"/operations/start/{code}/", {"kind": "flood", "title": "防汛扫楼", "request_key": "k1"}
    )
    assert Operation.objects.count() == 1


def test_a_bad_start_shows_the_field(client, cast, world, territory):
    c = as_user(client, cast.street)
    resp = c.post(f"/operations/start/{territory['community'].code}/", {"kind": "x", "title": "t"})
    assert resp.status_code == 400 and "未知的突发事件类型" in resp.content.decode()
    assert not Operation.objects.exists()


def test_the_start_page_is_for_street_staff_and_district_admins(client, cast, world, territory):
    for user in (cast.community, cast.mg_worker, cast.alliance):
        c = as_user(client, user)
        assert c.get(f"/operations/start/{territory['community'].code}/").status_code == 404
        c.logout()


def test_the_dashboard_and_its_json(client, cast, op, world):
    c = as_user(client, cast.street)
    page = c.get(f"/operations/{op.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="op-dashboard"' in html and 'data-testid="stand-down"' in html
    assert c.get(f"/operations/{op.pk}/wall/").status_code == 200
    data = c.get(f"/operations/{op.pk}/data.json").json()
    assert data["total"]["households"] == 3 and data["total"]["checked"] == 0
    assert data["workers"] == {"on_duty": 0, "unavailable": 0}


def test_read_only_roles_see_the_dashboard_but_no_households(client, cast, op):
    c = as_user(client, cast.dept_cg)
    page = c.get(f"/operations/{op.pk}/").content.decode()
    assert 'data-testid="to-check-list"' not in page and "stand-down" not in page
    assert c.get(f"/operations/{op.pk}/check/").status_code == 404
    assert c.get(f"/operations/{op.pk}/report.xlsx").status_code == 200


def test_a_worker_checks_from_the_phone_page(client, cast, op, world):
    c = as_user(client, cast.mg_worker)
    page = c.get(f"/operations/{op.pk}/check/?todo=1").content.decode()
    assert page.index(f'data-line="{CheckLine.objects.get(household=world.h102).pk}"') < page.index(
        f'data-line="{CheckLine.objects.get(household=world.h101).pk}"'
    )
    line = CheckLine.objects.get(household=world.h101)
    body = {"outcome": "reached", "request_key": "tap-1", "next": f"/operations/{op.pk}/check/"}
    resp = c.post(f"/operations/{op.pk}/lines/{line.pk}/check/", body)
    assert resp.status_code == 302
    c.post(f"/operations/{op.pk}/lines/{line.pk}/check/", body)  # the retried tap
    line.refresh_from_db()
    assert line.outcome == "reached" and line.version == 1
    assert c.post(f"/operations/{op.pk}/roll-call/", {"status": "unavailable"}).status_code == 302
    other = CheckLine.objects.get(household=world.h201)
    assert c.post(f"/operations/{op.pk}/lines/{other.pk}/check/", body).status_code == 404
    assert c.post(f"/operations/{op.pk}/stand-down/").status_code == 404


def test_stand_down_then_the_reports(client, cast, op):
    c = as_user(client, cast.street)
    assert c.post(f"/operations/{op.pk}/stand-down/").status_code == 302
    op.refresh_from_db()
    assert op.state == "stood_down"
    pdf = c.get(f"/operations/{op.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = c.get(f"/operations/{op.pk}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    # A micro-grid worker reads the dashboard, not the report.
    c.logout()
    assert as_user(client, cast.mg_worker).get(f"/operations/{op.pk}/report.pdf").status_code == 404


def test_outside_the_operation_everything_is_404(client, cast, op):
    c = as_user(client, cast.other_street)
    for url in ("/", "wall/", "data.json", "check/", "report.pdf"):
        assert c.get(f"/operations/{op.pk}/{url}").status_code == 404, url
    assert c.get("/operations/").status_code == 200
    assert f"/operations/{op.pk}/" not in c.get("/operations/").content.decode()
