"""Micro-project figures (stats.project_figures): projects by stage, residents' money and
community support from the money ledger, residents taking part; per area and period, on
the API, the dashboard and the monthly report; scoped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from shezhi.core.participation import record_many
from shezhi.core.periods import Period
from shezhi.projects import ledger
from shezhi.projects.models import MoneyAccount, MoneyTransfer
from shezhi.stats import project_figures as figures
from tests.factories import PASSWORD, MoneyTransferFactory, PaymentFactory, ProjectFactory

pytestmark = pytest.mark.django_db
K, T = MoneyAccount.Kind, MoneyTransfer.Kind


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"2026-{day}T10:00").replace(
        tzinfo=timezone.get_current_timezone()
    )


def _boundary(district, kind):
    return MoneyAccount.objects.get_or_create(area=district, kind=kind)[0].pk


@pytest.fixture
def money(territory):
    t = territory
    here = ProjectFactory(community=t["community"], area=t["micro1"], stage="funding",
                          created_at=at("02-01"))  # fmt: skip
    there = ProjectFactory(community=t["community2"], stage="completed", created_at=at("01-10"))
    ProjectFactory(community=t["community"], stage="backing", created_at=at("03-15"))
    ProjectFactory(community=t["community"], stage="backing", created_at=at("04-02"))  # after
    # Residents' money in March: 100 + 250 yuan here, 80 there; 30 yuan refunded here;
    # 500 yuan in April (outside the period).
    PaymentFactory(project=here, amount=10_000, at=at("03-03"))
    refunded = PaymentFactory(project=here, amount=3_000, at=at("03-04"))
    PaymentFactory(project=here, amount=25_000, at=at("03-05"))
    PaymentFactory(project=there, amount=8_000, at=at("03-06"))
    PaymentFactory(project=here, amount=50_000, at=at("04-03"))
    there.__class__.objects.filter(pk=there.pk).update(stage="completed")  # the factory funds it
    here.refresh_from_db()
    ledger.transfer(
        kind=T.REFUND, stream=T.PAYMENT,
        legs=[(here.account_id, -3_000), (_boundary(here.district, K.REFUNDS_OUT), 3_000)],
        holding={here.account_id}, cause_type="payment", cause_id=str(refunded.pk),
        project=here, at=at("03-20"),
    )  # fmt: skip
    # The community's match: 200 yuan drawn in March, 20 returned; 40 yuan in February.
    fund = MoneyTransferFactory(amount=1_000_000).entries.get(amount__gt=0).account_id
    for kind, amount, day in ((T.MATCH, 4_000, "02-10"), (T.MATCH, 20_000, "03-06"),
                              (T.MATCH_RETURN, -2_000, "03-21")):  # fmt: skip
        ledger.transfer(
            kind=kind, stream=T.MATCH, legs=[(fund, -amount), (here.account_id, amount)],
            holding={fund, here.account_id}, cause_type="project",
            cause_id=f"{here.pk}:{day}", project=here, at=at(day),
        )  # fmt: skip
    record_many(
        [
            {"way": "project", "area": here.area_path, "at": at("03-03"), "participant": "r:1",
             "source": here},
            {"way": "project", "area": here.area_path, "at": at("03-04"), "participant": "r:2",
             "source": here},
            {"way": "demand", "area": here.area_path, "at": at("03-04"), "participant": "r:3"},
            {"way": "project", "area": there.area_path, "at": at("03-06"), "participant": "r:1",
             "source": there},
        ]
    )  # fmt: skip
    return t


MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def test_one_definition_each(money):
    street = figures.area_project_figures(money["street1"], MARCH)
    assert street.by_stage["funding"] == 1 and street.by_stage["completed"] == 1
    assert street.by_stage["backing"] == 1 and street.projects == 3  # April's not yet
    assert street.raised == 10_000 + 3_000 + 25_000 + 8_000 - 3_000
    assert street.support == 20_000 - 2_000
    assert street.taking_part == 2  # r:1 in two projects once; r:3's demand not counted
    community = figures.area_project_figures(money["community"], MARCH)
    assert community.raised == 35_000 and community.projects == 2 and community.taking_part == 2
    other = figures.area_project_figures(money["community2"], MARCH)
    assert (other.raised, other.support, other.taking_part) == (8_000, 0, 1)
    assert figures.yuan(street.raised) == "¥430.00"


def get(client, user, path, **params):
    client.login(username=user.username, password=PASSWORD)
    return client.get(path, params)


def test_the_api(client, money, shared_cast):
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    resp = get(client, shared_cast.street, "/api/v1/stats/projects",
               area=money["street1"].code, **march)  # fmt: skip
    assert resp.status_code == 200, resp.content
    body = resp.json()["figures"]
    assert body["projects"] == 3 and body["raised_from_residents"] == 43_000
    assert body["community_support"] == 18_000 and body["residents_taking_part"] == 2
    stages = {s["stage"]: s["projects"] for s in body["by_stage"]}
    assert stages["funding"] == 1 and stages["expired"] == 0
    # Outside scope: 404; a bad period: 400 naming it.
    assert get(client, shared_cast.community, "/api/v1/stats/projects",
               area=money["street1"].code).status_code == 404  # fmt: skip
    assert get(client, shared_cast.resident, "/api/v1/stats/projects",
               area=money["micro1"].code).status_code == 404  # fmt: skip
    resp = get(client, shared_cast.district, "/api/v1/stats/projects", area="510113",
               **{"from": "2026-03-10", "to": "2026-03-01"})  # fmt: skip
    assert resp.status_code == 400 and resp.json()["field"] == "period"
    names = [d["name"] for d in get(client, shared_cast.district,
                                    "/api/v1/stats/definitions").json()]  # fmt: skip
    assert set(figures.DEFINITIONS) <= set(names)


def test_the_dashboard_and_the_monthly_report(client, money, shared_cast):
    from pypdf import PdfReader

    page = get(client, shared_cast.street, f"/stats/{money['street1'].code}/",
               **{"from": "2026-03-01", "to": "2026-03-31"}).content.decode()  # fmt: skip
    assert 'data-testid="projects-total">3<' in page and "各阶段微项目" in page
    assert "¥430.00" in page and "¥180.00" in page
    assert 'data-testid="projects-taking-part">2<' in page
    resp = get(client, shared_cast.street, f"/stats/{money['street1'].code}/report.pdf",
               month="2026-03")  # fmt: skip
    assert resp.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "各阶段微项目" in text and "430.00" in text and "参与微项目的居民" in text
