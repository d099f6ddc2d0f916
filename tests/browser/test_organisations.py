"""Self-governance organisations in the browser: a resident reads their community's
organisations and one organisation's public page on a phone (counts and the leader's
masked name only); community staff register one, add its leader and move its stage; a
street's staff read the incubation funnel on a wide screen."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from shezhi.core.personal_data import blind_index
from shezhi.organisations import services
from shezhi.organisations.models import Organisation
from tests.factories import make_user
from tests.organisations.conftest import resident_in

from .test_service_hubs import no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ID_NUMBER = "510113199001011234"


@pytest.fixture
def orgs(territory):
    staff = make_user("community_staff", role="community_staff", area=territory["community"])
    leader = resident_in(territory["micro1"], territory["community"], "张三丰")
    leader.id_number_index = blind_index("id_number", ID_NUMBER)
    leader.save()
    choir = services.register_organisation(
        actor=staff, kind="interest_club", name="凤凰合唱团", area=territory["community"],
        founded_on=dt.date(2025, 3, 1), description="每周三晚上在社区活动室排练。",
    )  # fmt: skip
    services.move_stage(actor=staff, organisation=choir, to_stage="incubating")
    services.add_member(actor=staff, organisation=choir, resident=leader, role="leader")
    for i in range(3):
        services.add_member(
            actor=staff, organisation=choir,
            resident=resident_in(territory["micro2"], territory["community"], f"李{i}花"),
        )  # fmt: skip
    services.register_organisation(
        actor=staff, kind="volunteer_team", name="凤凰红袖标巡逻队", area=territory["community"]
    )
    return {"staff": staff, "choir": choir, "leader": leader}


def test_a_resident_reads_the_community_organisations_on_a_phone(
    phone_page, console, territory, orgs, live_server, shots_dir
):
    page = phone_page
    page.goto(f"{live_server.url}/organisations/community/{territory['community'].code}/")
    counts = page.locator("[data-testid=stage-counts] [data-stage]")
    assert counts.count() == 4
    assert page.locator("[data-stage=incubating] strong").inner_text() == "1"
    cards = page.locator("[data-testid=community-organisations] li")
    assert cards.count() == 2 and "张**" in cards.first.inner_text()
    assert "张三丰" not in page.content()
    no_sideways_scroll(page)
    page.screenshot(
        path=os.path.join(shots_dir, "organisations-community-phone.png"), full_page=True
    )
    with page.expect_navigation():
        cards.first.locator("a").click()
    facts = page.locator("[data-testid=org-public]").inner_text()
    assert "张**" in facts and "4" in facts and "张三丰" not in page.content()
    assert page.locator("[aria-current=step]").inner_text() == "孵化"
    no_sideways_scroll(page)
    page.screenshot(path=os.path.join(shots_dir, "organisation-public-phone.png"), full_page=True)
    assert console.clean() == []


def test_staff_keep_the_registry_and_the_street_reads_the_funnel(
    page, console, territory, orgs, live_server, sign_in, shots_dir
):
    sign_in(page, "community_staff", "/organisations/")
    assert page.locator("[data-testid=registry] tbody tr").count() == 2
    with page.expect_navigation():
        page.click("[data-testid=new-organisation]")
    page.select_option("#id_kind", "owners_committee")
    page.fill("#id_name", "凤凰家园业主委员会")
    with page.expect_navigation():
        page.click("[data-testid=register]")
    org = Organisation.objects.get(name="凤凰家园业主委员会")
    assert page.url.endswith(f"/organisations/{org.pk}/")
    page.fill("#member-id_number", ID_NUMBER)
    page.select_option("#member-role", "leader")
    with page.expect_navigation():
        page.click("[data-testid=member-form] button[type=submit]")
    assert "张**" in page.locator("[data-testid=members]").inner_text()
    # Skipping a stage is refused beside the field; one step forward is taken.
    page.select_option("#stage-stage", "mature")
    with page.expect_navigation():
        page.click("[data-testid=stage-form] button[type=submit]")
    assert "不能跨阶段" in page.locator("[data-testid=stage-form]").inner_text()
    page.select_option("#stage-stage", "incubating")
    with page.expect_navigation():
        page.click("[data-testid=stage-form] button[type=submit]")
    assert page.locator("[aria-current=step]").inner_text() == "孵化"
    page.screenshot(path=os.path.join(shots_dir, "organisation-staff.png"), full_page=True)

    make_user("street_staff", role="street_staff", area=territory["street1"])
    page.context.clear_cookies()
    sign_in(page, "street_staff", f"/organisations/funnel/{territory['street1'].code}/")
    funnel = page.locator("[data-testid=funnel]")
    assert "孵化" in funnel.inner_text()
    assert page.locator("[data-testid=funnel-children] tbody tr").count() == 2
    assert "自治" in page.locator("[data-testid=forces]").inner_text()
    page.screenshot(path=os.path.join(shots_dir, "organisations-funnel.png"), full_page=True)
    # The refused move answered 400 (the form shown again with the reason): nothing else.
    assert console.clean(allow=("status of 400",)) == []
