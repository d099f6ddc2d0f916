"""The resident's page: raise a demand (the bound household's grid, or the phone's point),
see it among "my demands" with its outcome; a refusal shows on the form, nothing written;
another resident's demands never show."""

from __future__ import annotations

import pytest

from shezhi.demands import services
from shezhi.demands.models import Demand
from tests.factories import PASSWORD

from .conftest import IN_MICRO1

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_raise_and_follow(client, place, shared_cast):
    c = _as(client, shared_cast.resident)
    assert c.get("/demands/").status_code == 200
    r = c.post("/demands/", {"kind": "parking", "text": "车位太少", "lng": IN_MICRO1[0],
                             "lat": IN_MICRO1[1], "anonymous": "on"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    d = Demand.objects.get()
    assert d.anonymous and d.submitter == shared_cast.resident and d.area.level == "micro_grid"
    services.close_demand(actor=shared_cast.community, demand=d, outcome="已新增20个车位")
    page = c.get("/demands/").content.decode()
    assert "车位太少" in page and "已新增20个车位" in page
    other = _as(client, shared_cast.resident2).get("/demands/").content.decode()
    assert "车位太少" not in other


def test_no_place_is_refused_on_the_form(client, place, shared_cast):
    c = _as(client, shared_cast.resident2)  # bound to no household
    r = c.post("/demands/", {"kind": "parking", "text": "车位太少"})
    assert r.status_code == 400 and 'data-testid="demand-errors"' in r.content.decode()
    assert not Demand.objects.exists()
