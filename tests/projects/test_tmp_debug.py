import pytest
from shezhi.projects import services

pytestmark = pytest.mark.django_db


def test_dbg(world, monkeypatch):
    monkeypatch.setattr(services, "overspend_guard", lambda project, amount: None)
    p = world.funding(target=20_000)
    world.pay(p, 15_000)
    p.refresh_from_db()
    print(p.stage)
    services.record_expense(
        actor=world.initiator, project=p, payee="x", description="y", amount=25_000
    )
