"""Micro-projects on a resident's phone (390x844; axe, 44 px targets and 16 px text checked
on every page as in every browser test): the list near home, a project's public accounts,
a pledge, a proposal; then the initiator's page, recording an expense with its receipt."""

from __future__ import annotations

import os

import pytest

from shezhi.projects import ledger, services
from shezhi.projects.models import Expense, Pledge, Project
from tests.projects.conftest import World, photo

from .test_households import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_browses_pledges_proposes_and_delivers_on_a_phone(
    phone_page, console, sign_in, cast, territory, live_server, shots_dir, tmp_path
):
    from PIL import Image

    ledger.forget_cached_accounts()
    world = World(cast, territory)
    world.rules(backing_threshold=2)
    world.allocate()
    funding = world.funding(target=200_000)
    world.pay(funding, 12_345)
    delivering = world.funding(target=10_000)
    world.pay(delivering, 6_667)
    services.add_milestone(
        actor=world.initiator, project=delivering, title="采购器材", due=funding.deadline.date()
    )
    page = phone_page
    # The shared machine is slow at times: the pages, not the clock, are under test.
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(45_000)

    sign_in(page, "resident", next_path="/projects/")
    assert page.locator("[data-testid=near-projects] .pj-card").count() == 2
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "projects-near-phone.png"), full_page=True)

    page.locator(f".pj-card[data-project='{funding.pk}'] .pj-card-link").click()
    page.wait_for_load_state("load")
    accounts = page.locator("[data-testid=accounts]")
    assert "张*" in accounts.inner_text() and "¥123.45" in accounts.inner_text()
    assert page.locator("[data-testid=reconciles]").is_visible()
    page.fill("[data-testid=pledge-form] input[name=amount]", "abc")
    with page.expect_navigation():
        page.click("[data-testid=pledge]")
    assert page.locator("[data-testid=amount-error]").is_visible()
    page.fill("[data-testid=pledge-form] input[name=amount]", "50.5")
    with page.expect_navigation():
        page.click("[data-testid=pledge]")
    assert Pledge.objects.get().amount == 5_050
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "project-accounts-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/projects/new/")
    shot = tmp_path / "corner.jpg"
    Image.new("RGB", (800, 600), (120, 120, 120)).save(shot, format="JPEG")
    page.fill("input[name=title]", "单元门口加装扶手")
    page.fill("textarea[name=problem]", "老人进出单元门没有扶手")
    page.fill("textarea[name=plan]", "加装不锈钢扶手四处")
    page.fill("input[name=line0_description]", "不锈钢扶手")
    page.fill("input[name=line0_amount]", "1800")
    page.fill("input[name=line1_description]", "安装")
    page.fill("input[name=line1_amount]", "400.5")
    page.fill("input[name=deadline]", str(funding.deadline.date()))
    page.set_input_files("[data-testid=proposal-photos]", str(shot))
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "project-propose-phone.png"), full_page=True)
    with page.expect_navigation():
        page.click("[data-testid=submit-proposal]")
    proposed = Project.objects.get(title="单元门口加装扶手")
    assert proposed.target == 220_050 and proposed.photos.count() == 1
    assert page.locator("[data-testid=stage]").inner_text().strip() != ""

    page.goto(f"{live_server.url}/projects/{delivering.pk}/manage/")
    form = page.locator("[data-testid=expense-form]")
    form.locator("input[name=payee]").fill("五金店")
    form.locator("input[name=description]").fill("扶手配件")
    form.locator("input[name=amount]").fill("500")
    receipt = tmp_path / "receipt.jpg"
    receipt.write_bytes(photo().read())
    form.locator("input[name=receipt]").set_input_files(str(receipt))
    with page.expect_navigation():
        form.locator("[data-testid=record-expense]").click()
    # More than the project holds: refused on the amount, nothing written.
    assert "¥100.00" in page.locator("[data-testid=expense-form]").inner_text()
    assert not Expense.objects.exists()
    form = page.locator("[data-testid=expense-form]")
    form.locator("input[name=amount]").fill("40")
    form.locator("input[name=receipt]").set_input_files(str(receipt))
    with page.expect_navigation():
        form.locator("[data-testid=record-expense]").click()
    assert Expense.objects.get().amount == 4_000
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "project-manage-phone.png"), full_page=True)
    assert console.clean(allow=("status of 400",)) == []  # the refused forms, on purpose
