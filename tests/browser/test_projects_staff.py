"""The micro-projects' staff desk in a real browser, on a desktop (axe checked as every
browser test): the community's staff find a proposal in the review queue with its
backings, budget, support and the fund's balance, approve it, record a bank payment in
yuan (sent twice: recorded once), and read the funds and rules."""

from __future__ import annotations

import os

import pytest

from shezhi.projects.models import Payment, Project
from tests.projects.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(cast, territory, settings, tmp_path):
    from shezhi.projects import ledger, services

    settings.MEDIA_ROOT = str(tmp_path / "media")
    ledger.forget_cached_accounts()
    w = World(cast, territory)
    w.rules()
    w.allocate()
    project = w.propose(target=40_000)
    for n in w.neighbours[:2]:
        services.back(actor=n, project=project)
    yield w, project
    ledger.forget_cached_accounts()


def test_staff_review_a_proposal_and_record_a_payment_on_a_desktop(
    page, console, sign_in, desk, live_server, shots_dir
):
    world, project = desk
    sign_in(page, world.staff.username, next_path="/projects/staff/")
    row = page.locator("[data-testid=queue-row]")
    assert "楼道灯更换" in row.inner_text() and "¥400.00" in row.inner_text()
    assert "¥10,000.00" in row.inner_text()
    page.screenshot(path=os.path.join(shots_dir, "projects-staff-queue.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"[data-testid=review-{project.pk}]")
    assert page.locator("[data-testid=cap]").inner_text() == "¥400.00"
    page.locator("label", has_text="通过").first.click()
    with page.expect_navigation():
        page.click("[data-testid=decide]")
    project.refresh_from_db()
    assert project.stage == Project.Stage.FUNDING
    with page.expect_navigation():
        page.click(f"[data-testid=payments-{project.pk}]")
    page.fill("#id_payer_name", "张三")
    page.fill("#id_amount", "120.50")
    page.select_option("#id_channel", "bank")
    page.fill("#id_reference", "ICBC-20260101-001")
    with page.expect_navigation():
        page.click("[data-testid=record]")
    assert "¥120.50" in page.locator("[data-testid=paid-in]").inner_text()
    # The same form sent again (a retry): nothing more recorded.
    page.fill("#id_payer_name", "张三")
    page.fill("#id_amount", "120.50")
    page.select_option("#id_channel", "bank")
    page.fill("#id_reference", "ICBC-20260101-001")
    with page.expect_navigation():
        page.click("[data-testid=record]")
    assert Payment.objects.filter(project=project).count() == 1
    page.screenshot(path=os.path.join(shots_dir, "projects-staff-payments.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    assert download.value.suggested_filename.endswith(".xlsx")
    with page.expect_navigation():
        page.click("[data-testid=tab-funds]")
    assert "凤凰基金" in page.locator("[data-testid=funds]").inner_text()
    assert page.locator("[data-testid=rules-ratio]").inner_text() == "50%"
    page.screenshot(path=os.path.join(shots_dir, "projects-staff-funds.png"), full_page=True)
    # Chromium reports the navigation that became a download as aborted.
    assert console.clean(allow=("accounts.xlsx net::ERR_ABORTED",)) == []
