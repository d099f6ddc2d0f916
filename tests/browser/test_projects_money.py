"""Taking money back and the initiator's own buttons, in a real browser (axe on every
page; on the phone also 44 px targets and 16 px text): the community's staff refund a
payment and reverse an expense through their confirm pages (a missing reason named
first) on a desktop; the initiator resubmits a returned proposal and closes funding
early on a phone (390x844)."""

from __future__ import annotations

import os

import pytest

from shezhi.projects import ledger, services
from shezhi.projects.models import Expense, Payment, Project
from tests.projects.conftest import World

from .test_households import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(cast, territory, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    ledger.forget_cached_accounts()
    w = World(cast, territory)
    w.rules()
    w.allocate()
    yield w
    ledger.forget_cached_accounts()


def test_staff_refund_a_payment_and_reverse_an_expense_on_a_desktop(
    page, console, sign_in, world, live_server, shots_dir
):
    funding = world.funding(target=100_000)
    payment = world.pay(funding, 10_000)
    delivering = world.funding(target=10_000)
    world.pay(delivering, 6_667)
    expense = services.record_expense(
        actor=world.staff, project=delivering, payee="五金店", description="声控灯", amount=4_000
    )
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(45_000)
    sign_in(page, world.staff.username, next_path="/projects/staff/")
    with page.expect_navigation():
        page.click(f"[data-testid=refunds-{funding.pk}]")
    with page.expect_navigation():
        page.click(f"[data-testid=refund-{payment.pk}]")
    assert "¥50.00" in page.locator("[data-testid=match-back]").inner_text()
    with page.expect_navigation():
        page.click("[data-testid=confirm]")  # no reason: refused, named
    assert page.locator("[data-testid=error-reason]").is_visible()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    page.fill("textarea[name=reason]", "居民搬走，申请退款")
    page.screenshot(path=os.path.join(shots_dir, "projects-staff-refund.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=confirm]")
    assert "居民搬走" in page.locator(f"[data-testid=undo-{payment.pk}]").inner_text()
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.REFUNDED

    page.goto(f"{live_server.url}/projects/staff/{delivering.pk}/refunds/")
    with page.expect_navigation():
        page.click(f"[data-testid=reverse-expense-{expense.pk}]")
    page.fill("textarea[name=reason]", "金额录错")
    with page.expect_navigation():
        page.click("[data-testid=confirm]")
    assert Expense.objects.get(pk=expense.pk).status == Expense.Status.REVERSED
    page.screenshot(path=os.path.join(shots_dir, "projects-staff-refunds.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=public-accounts]")
    assert "金额录错" in page.locator("[data-testid=accounts]").inner_text()
    assert page.locator("[data-testid=reconciles]").is_visible()
    assert ledger.check().ok
    assert console.clean(allow=("status of 400",)) == []  # the missing reason, on purpose


def test_the_initiator_resubmits_and_closes_funding_early_on_a_phone(
    phone_page, console, sign_in, world, live_server, shots_dir
):
    returned = world.propose(target=40_000)
    for n in world.neighbours[:2]:
        services.back(actor=n, project=returned)
    services.review(actor=world.staff, project=returned, decision="return", reason="请补充报价")
    closable = world.funding(target=10_000, allow_overfunding=True)
    world.pay(closable, 6_667)
    page = phone_page
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(45_000)

    sign_in(page, world.initiator.username, next_path=f"/projects/{returned.pk}/manage/")
    assert "请补充报价" in page.locator("[data-testid=return-reasons]").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "project-resubmit-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=resubmit]")
    assert Project.objects.get(pk=returned.pk).stage == Project.Stage.REVIEW

    page.goto(f"{live_server.url}/projects/{closable.pk}/manage/")
    with page.expect_navigation():
        page.click("[data-testid=close-funding]")
    assert "¥66.67" in page.locator("[data-testid=unused]").inner_text()
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "project-close-funding-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=confirm-close]")
    assert Project.objects.get(pk=closable.pk).stage == Project.Stage.DELIVERY
    assert page.locator("[data-testid=expense-form]").is_visible()
    assert console.clean() == []
