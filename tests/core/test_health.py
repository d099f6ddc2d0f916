"""``/health``: what a load balancer or a monitor asks, without signing in."""

from __future__ import annotations

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_health_answers_ok_without_signing_in(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert "Set-Cookie" not in resp.headers or "sessionid" not in resp.headers["Set-Cookie"]


@pytest.mark.django_db
def test_health_is_503_when_the_database_cannot_be_reached(client, monkeypatch):
    from shezhi.site import views

    class Down:
        def cursor(self):
            raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "connection", Down())
    resp = client.get("/health")
    assert resp.status_code == 503
    assert resp.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_health_takes_only_get(client):
    assert client.post("/health").status_code == 405
