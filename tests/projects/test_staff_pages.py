"""The staff's pages under /projects/staff/: the review queue, the review itself, payment
recording (yuan → fen, idempotent on the reference), funds and the district's rules.
Each page: the answer inside scope, 404 outside, bad input named beside its field with
nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shezhi.projects.models import DistrictProjectRules, MoneyTransfer, Payment, Project
from tests.factories import PASSWORD
from tests.projects.conftest import photo

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def in_review(world):
    project = world.propose(target=40_000)
    from shezhi.projects import services

    for n in world.neighbours[:2]:
        services.back(actor=n, project=project)
    project.refresh_from_db()
    assert project.stage == Project.Stage.REVIEW
    return project


# ---------------------------------------------------------------------------
# The queue and the review


def test_the_queue_shows_backings_budget_support_and_the_funds_balance(client, world):
    project = in_review(world)
    resp = _as(client, world.staff).get(reverse("projects:staff_index"))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "楼道灯更换" in html and 'data-testid="queue-row"' in html
    assert 'data-testid="nav-projects-staff"' in html  # the staff's menu entry
    # 2 backings, budget ¥400.00, half of residents' money up to min(cap ¥500, target).
    assert "¥400.00" in html and "50%" in html and "¥10,000.00" in html
    [(row, support)] = resp.context["queue"]
    assert row.pk == project.pk and row.backings == 2
    assert support.match_cap == 40_000 and support.fund_balance == 1_000_000


def test_the_queue_is_the_staffs_own(client, world, cast):
    in_review(world)
    resp = _as(client, cast.other_district).get(reverse("projects:staff_index"))
    assert resp.status_code == 200 and resp.context["queue"] == []
    for user in (cast.resident, cast.mg_worker, cast.nobody):
        assert _as(client, user).get(reverse("projects:staff_index")).status_code == 404
    home = _as(client, cast.resident).get("/notifications/").content.decode()
    assert 'data-testid="nav-projects-staff"' not in home


def test_approving_fixes_the_support_and_draws_the_reserve(client, world):
    project = in_review(world)
    url = reverse("projects:staff_review", args=[project.pk])
    page = _as(client, world.staff).get(url)
    assert page.status_code == 200 and page.context["support"].ratio_bp == 5000
    resp = client.post(url, {"decision": "approve"})
    assert resp.status_code == 302
    project.refresh_from_db()
    assert project.stage == Project.Stage.FUNDING
    assert project.match_ratio_bp == 5000 and project.match_cap == 40_000
    world.fund.account.refresh_from_db()
    assert world.fund.account.balance == 1_000_000 - 40_000


@pytest.mark.parametrize("decision", ["return", "refuse"])
def test_returning_or_refusing_needs_reasons(client, world, decision):
    project = in_review(world)
    url = reverse("projects:staff_review", args=[project.pk])
    resp = _as(client, world.staff).post(url, {"decision": decision, "reason": "  "})
    assert resp.status_code == 400
    assert 'data-testid="error-reason"' in resp.content.decode()
    project.refresh_from_db()
    assert project.stage == Project.Stage.REVIEW and project.reviewed_by is None
    resp = client.post(url, {"decision": decision, "reason": "预算偏高，请补充报价"})
    assert resp.status_code == 302
    project.refresh_from_db()
    assert project.stage == (Project.Stage.RETURNED if decision == "return" else "refused")
    assert project.review_reason == "预算偏高，请补充报价"


def test_an_unknown_decision_is_named(client, world):
    project = in_review(world)
    url = reverse("projects:staff_review", args=[project.pk])
    resp = _as(client, world.staff).post(url, {"decision": "maybe", "reason": "x"})
    assert resp.status_code == 400 and 'data-testid="error-decision"' in resp.content.decode()


def test_review_outside_the_staffs_community_is_a_404(client, world, cast):
    project = in_review(world)
    url = reverse("projects:staff_review", args=[project.pk])
    for user in (cast.community2, cast.other_district, cast.resident, cast.grid_worker):
        c = _as(client, user)
        assert c.get(url).status_code == 404
        assert c.post(url, {"decision": "approve"}).status_code == 404
    project.refresh_from_db()
    assert project.stage == Project.Stage.REVIEW


def test_approval_with_a_short_fund_is_refused_with_the_field(client, world):
    project = world.propose(target=4_000_000)
    from shezhi.projects import services

    world.rules(match_cap=3_000_000)
    for n in world.neighbours[:2]:
        services.back(actor=n, project=project)
    url = reverse("projects:staff_review", args=[project.pk])
    page = _as(client, world.staff).get(url)
    assert 'data-testid="fund-short"' in page.content.decode()
    resp = client.post(url, {"decision": "approve"})
    assert resp.status_code == 400 and "基金余额" in resp.content.decode()
    project.refresh_from_db()
    assert project.stage == Project.Stage.REVIEW and project.account_id is None


# ---------------------------------------------------------------------------
# Payments


def _pay(client, project, **kw):
    body = {"payer_name": "张三", "amount": "12.50", "channel": "bank", "reference": "B-1"}
    body.update(kw)
    return client.post(reverse("projects:staff_payments", args=[project.pk]), body)


def test_a_payment_in_yuan_is_recorded_in_fen_once_per_reference(client, world):
    project = world.funding(target=100_000)
    c = _as(client, world.staff)
    assert _pay(c, project).status_code == 302
    assert _pay(c, project).status_code == 302  # the form sent again
    [payment] = Payment.objects.filter(project=project)
    assert payment.amount == 1250 and payment.recorded_by == world.staff
    project.refresh_from_db()
    assert project.paid_in == 1250 and project.matched == 625
    page = c.get(reverse("projects:staff_payments", args=[project.pk]))
    assert "¥12.50" in page.content.decode() and "张三" in page.content.decode()


def test_the_same_reference_with_another_amount_names_the_amount(client, world):
    project = world.funding()
    c = _as(client, world.staff)
    _pay(c, project)
    resp = _pay(c, project, amount="13.00")
    assert resp.status_code == 422
    html = resp.content.decode()
    assert 'data-testid="error-amount"' in html and "¥12.50" in html
    assert Payment.objects.filter(project=project).count() == 1
    other = world.funding()
    resp = _pay(c, other)
    assert resp.status_code == 422 and 'data-testid="error-reference"' in resp.content.decode()
    assert not Payment.objects.filter(project=other).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "12.345"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"channel": "paypal"}, "channel"),
        ({"reference": ""}, "reference"),
        ({"payer_name": ""}, "payer_name"),
        ({"channel": "cash", "reference": "收据0001"}, "receipt"),
    ],
)
def test_bad_payments_name_the_field_and_write_nothing(client, world, body, field):
    project = world.funding()
    resp = _pay(_as(client, world.staff), project, **body)
    assert resp.status_code == 400
    assert f'data-testid="error-{field}"' in resp.content.decode()
    assert not Payment.objects.filter(project=project).exists()
    assert not MoneyTransfer.objects.filter(project=project, kind="payment").exists()


def test_a_cash_payment_keeps_its_receipt_photo(client, world):
    project = world.funding()
    resp = _pay(
        _as(client, world.staff), project, channel="cash", reference="收据0001", receipt=photo()
    )
    assert resp.status_code == 302
    payment = Payment.objects.get(project=project)
    assert payment.channel == "cash" and payment.receipt.name.endswith(".jpg")


def test_a_receipt_that_is_no_photo_is_named(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = world.funding()
    bad = SimpleUploadedFile("r.jpg", b"not an image", content_type="image/jpeg")
    resp = _pay(_as(client, world.staff), project, channel="cash", reference="R9", receipt=bad)
    assert resp.status_code == 400 and 'data-testid="error-receipt"' in resp.content.decode()
    assert not Payment.objects.filter(project=project).exists()


def test_payments_outside_the_staffs_community_are_a_404(client, world, cast):
    project = world.funding()
    url = reverse("projects:staff_payments", args=[project.pk])
    for user in (cast.community2, cast.other_district, cast.resident, cast.mg_worker):
        c = _as(client, user)
        assert c.get(url).status_code == 404
        assert _pay(c, project).status_code == 404
    assert not Payment.objects.filter(project=project).exists()


def test_payers_are_masked_for_staff_who_do_not_read_names(client, world, cast):
    project = world.funding()
    world.pay(project, 1000)
    page = _as(client, cast.street).get(reverse("projects:staff_payments", args=[project.pk]))
    html = page.content.decode()
    assert "张*" in html and "张三" not in html


# ---------------------------------------------------------------------------
# Funds and rules


def test_the_district_admin_changes_the_rules(client, world, cast):
    url = reverse("projects:staff_funds")
    district = world.territory["district"]
    c = _as(client, cast.district)
    page = c.get(url)
    assert page.status_code == 200 and 'data-testid="rules-form"' in page.content.decode()
    body = {"district": district.code, "backing_threshold": "8", "match_ratio": "12.5",
            "match_cap": "800.00", "overfunding_pct": "10"}  # fmt: skip
    resp = c.post(url, body)
    assert resp.status_code == 302
    rules = DistrictProjectRules.objects.get(district=district)
    assert (rules.backing_threshold, rules.match_ratio_bp, rules.match_cap) == (8, 1250, 80_000)


def test_bad_rules_name_the_field(client, world, cast):
    url = reverse("projects:staff_funds")
    district = world.territory["district"]
    resp = _as(client, cast.district).post(url, {
        "district": district.code, "backing_threshold": "8", "match_ratio": "abc",
        "match_cap": "800.001", "overfunding_pct": "10",
    })  # fmt: skip
    assert resp.status_code == 400
    html = resp.content.decode()
    assert 'data-testid="error-match_ratio"' in html and 'data-testid="error-match_cap"' in html
    assert DistrictProjectRules.objects.get(district=district).match_ratio_bp == 5000


def test_community_staff_read_the_rules_and_their_funds(client, world, cast):
    url = reverse("projects:staff_funds")
    c = _as(client, world.staff)
    page = c.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="rules-form"' not in html
    assert "凤凰基金" in html and "¥10,000.00" in html
    body = {"district": world.territory["district"].code, "backing_threshold": "1",
            "match_ratio": "100", "match_cap": "1", "overfunding_pct": "0"}  # fmt: skip
    assert c.post(url, body).status_code == 403
    assert (
        DistrictProjectRules.objects.get(district=world.territory["district"]).match_cap == 50_000
    )
    other = {**body, "district": world.territory["other_district"].code}
    assert c.post(url, other).status_code == 404
    assert _as(client, cast.resident).get(url).status_code == 404


def test_topping_up_a_fund_goes_through_the_ledger_once(client, world):
    url = reverse("projects:staff_fund_top_up", args=[world.fund.pk])
    c = _as(client, world.staff)
    assert c.post(url, {"amount": "1,000.50", "reference": "区财〔2026〕12号"}).status_code == 302
    assert c.post(url, {"amount": "1000.50", "reference": "区财〔2026〕12号"}).status_code == 302
    world.fund.account.refresh_from_db()
    assert world.fund.account.balance == 1_000_000 + 100_050
    resp = c.post(url, {"amount": "5", "reference": "区财〔2026〕12号"})
    assert resp.status_code == 422 and 'data-testid="error-reference"' in resp.content.decode()
    resp = c.post(url, {"amount": "-5", "reference": "x"})
    assert resp.status_code == 400 and 'data-testid="error-amount"' in resp.content.decode()
    world.fund.account.refresh_from_db()
    assert world.fund.account.balance == 1_100_050
    page = c.get(reverse("projects:staff_fund", args=[world.fund.pk]))
    assert page.status_code == 200 and "¥11,000.50" in page.content.decode()
    assert len(page.context["movements"]) == 2  # two allocations, no duplicate


def test_a_fund_outside_the_staffs_community_is_a_404(client, world, cast):
    for user in (cast.community2, cast.other_district, cast.resident, cast.grid_worker):
        c = _as(client, user)
        assert c.get(reverse("projects:staff_fund", args=[world.fund.pk])).status_code == 404
        top_up = reverse("projects:staff_fund_top_up", args=[world.fund.pk])
        assert c.post(top_up, {"amount": "1", "reference": "x"}).status_code == 404
        export = reverse("projects:staff_fund_export", args=[world.fund.pk])
        assert c.get(export).status_code == 404
    world.fund.account.refresh_from_db()
    assert world.fund.account.balance == 1_000_000


def test_a_cursor_the_lists_did_not_give_out_is_a_400_showing_the_first_pages(client, world):
    in_review(world)
    c = _as(client, world.staff)
    for url, name in (
        (reverse("projects:staff_index"), "after"),
        (reverse("projects:staff_index"), "active_after"),
        (reverse("projects:staff_fund", args=[world.fund.pk]), "after"),
    ):
        resp = c.get(url, {name: "not-ours"})
        assert resp.status_code == 400, (url, name)
        assert 'data-testid="list-error"' in resp.content.decode()
    first = c.get(reverse("projects:staff_index"), {"after": "%%%"})
    assert len(first.context["queue"]) == 1
    fund = c.get(reverse("projects:staff_fund", args=[world.fund.pk]), {"after": "x"})
    assert len(fund.context["movements"]) == 1  # the fund's opening allocation
