"""The initiator's own buttons on the manage page: resubmitting a returned proposal (the
staff's reasons shown above it) and closing crowdfunding early once the target is
reached (a confirm page that says what closing does). The initiator's only: anyone
else, the community's staff included, gets a 404; a refusal is shown with nothing
written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shezhi.projects import ledger, services
from shezhi.projects.models import MoneyTransfer, Project
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
Stage = Project.Stage


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def returned(world, reason="预算偏高，请补充两家报价"):
    project = world.propose(target=40_000)
    for n in world.neighbours[:2]:
        services.back(actor=n, project=project)
    return services.review(actor=world.staff, project=project, decision="return", reason=reason)


def closable(world):
    """Crowdfunding at its target (¥66.67 + ¥33.33 match), taking more up to ¥120.00."""
    project = world.funding(target=10_000, allow_overfunding=True)
    world.pay(project, 6_667)
    project.refresh_from_db()
    assert project.stage == Stage.FUNDING and services.raised(project) == project.target
    return project


def _state(project) -> tuple:
    project = Project.objects.get(pk=project.pk)
    return (project.stage, MoneyTransfer.objects.filter(project=project).count())


# ---------------------------------------------------------------------------
# Resubmitting


def test_the_initiator_reads_the_reasons_and_resubmits(client, world):
    project = returned(world)
    c = _as(client, world.initiator)
    detail = c.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'data-testid="to-resubmit"' in detail
    page = c.get(reverse("projects:manage", args=[project.pk]))
    html = page.content.decode()
    assert 'data-testid="returned"' in html and "预算偏高，请补充两家报价" in html
    assert 'data-testid="resubmit"' in html and 'data-testid="closable"' not in html
    resp = c.post(reverse("projects:resubmit", args=[project.pk]))
    assert resp.status_code == 302 and resp.url == reverse("projects:manage", args=[project.pk])
    project.refresh_from_db()
    assert project.stage == Stage.REVIEW
    # Back in the staff's queue.
    queue = _as(client, world.staff).get(reverse("projects:staff_index"))
    assert [p.pk for p, _s in queue.context["queue"]] == [project.pk]


def test_resubmitting_what_is_not_returned_is_refused_and_changes_nothing(client, world):
    project = returned(world)
    c = _as(client, world.initiator)
    assert c.post(reverse("projects:resubmit", args=[project.pk])).status_code == 302
    before = _state(project)
    resp = c.post(reverse("projects:resubmit", args=[project.pk]))
    assert resp.status_code == 409 and "只有被退回的项目可以重新提交" in resp.content.decode()
    assert _state(project) == before
    assert c.get(reverse("projects:resubmit", args=[project.pk])).status_code == 405


def test_only_the_initiator_resubmits(client, world, cast):
    project = returned(world)
    url = reverse("projects:resubmit", args=[project.pk])
    # The community's staff manage the project, but this button is not theirs.
    staff_page = _as(client, world.staff).get(reverse("projects:manage", args=[project.pk]))
    assert 'data-testid="resubmit"' not in staff_page.content.decode()
    for user in (world.staff, world.neighbours[0], cast.community2, cast.other_district):
        assert _as(client, user).post(url).status_code == 404, user.username
    assert Project.objects.get(pk=project.pk).stage == Stage.RETURNED


# ---------------------------------------------------------------------------
# Closing funding early


def test_the_initiator_closes_funding_early_after_a_confirm_page(client, world):
    project = closable(world)
    fund_before = ledger.balance(world.fund.account_id)
    c = _as(client, world.initiator)
    manage = c.get(reverse("projects:manage", args=[project.pk])).content.decode()
    assert 'data-testid="close-funding"' in manage and "¥120.00" in manage
    url = reverse("projects:close_funding", args=[project.pk])
    page = c.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # The match not drawn (¥100.00 reserved − ¥33.33 drawn) goes back to the fund.
    assert page.context["unused"] == 6_667 and "¥66.67" in html
    assert 'data-testid="confirm-close"' in html and "¥100.00" in html
    assert _state(project)[0] == Stage.FUNDING  # the page alone changes nothing
    resp = c.post(url)
    assert resp.status_code == 302 and resp.url == reverse("projects:manage", args=[project.pk])
    project.refresh_from_db()
    assert project.stage == Stage.DELIVERY
    assert ledger.balance(project.reserve_id) == 0
    assert ledger.balance(world.fund.account_id) == fund_before + 6_667
    assert ledger.check().ok
    # Delivering now: no more payments, the button gone.
    manage = c.get(reverse("projects:manage", args=[project.pk])).content.decode()
    assert 'data-testid="close-funding"' not in manage
    assert 'data-testid="expense-form"' in manage


def test_closing_before_the_target_is_refused_and_changes_nothing(client, world):
    project = world.funding(target=100_000, allow_overfunding=True)
    world.pay(project, 1_000)
    c = _as(client, world.initiator)
    manage = c.get(reverse("projects:manage", args=[project.pk])).content.decode()
    assert 'data-testid="close-funding"' not in manage
    url = reverse("projects:close_funding", args=[project.pk])
    page = c.get(url).content.decode()
    assert 'data-testid="not-closable"' in page and 'data-testid="confirm-close"' not in page
    before = _state(project)
    resp = c.post(url)
    assert resp.status_code == 409
    assert 'data-testid="close-error"' in resp.content.decode()
    assert "项目尚未达到目标金额" in resp.content.decode()
    assert _state(project) == before
    # Closed already: refused the same way.
    done = closable(world)
    assert c.post(reverse("projects:close_funding", args=[done.pk])).status_code == 302
    before = _state(done)
    resp = c.post(reverse("projects:close_funding", args=[done.pk]))
    assert resp.status_code == 409 and "该项目不在众筹阶段" in resp.content.decode()
    assert _state(done) == before


def test_only_the_initiator_closes_funding(client, world, cast):
    project = closable(world)
    url = reverse("projects:close_funding", args=[project.pk])
    staff_page = _as(client, world.staff).get(reverse("projects:manage", args=[project.pk]))
    assert 'data-testid="close-funding"' not in staff_page.content.decode()
    for user in (world.staff, world.neighbours[0], cast.community2, cast.other_district):
        c = _as(client, user)
        assert c.get(url).status_code == 404, user.username
        assert c.post(url).status_code == 404, user.username
    assert _state(project)[0] == Stage.FUNDING
