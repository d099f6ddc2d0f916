"""The staff's refunds and reversals (/projects/staff/<id>/refunds/ and the confirm page
of each payment or expense taken back): what will happen shown first, a reason the
ledger keeps, the service's refusals on the page with nothing written; inside the
staff's community only (404 elsewhere); the public accounts show the lines taken back
and still reconcile."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shezhi.projects import ledger, services
from shezhi.projects.models import Expense, MoneyTransfer, Payment, Project
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _refund_url(payment, how="refund"):
    name = "projects:staff_refund_payment" if how == "refund" else "projects:staff_reverse_payment"
    return reverse(name, args=[payment.project_id, payment.pk])


def _expense_url(expense):
    return reverse("projects:staff_reverse_expense", args=[expense.project_id, expense.pk])


def _money(project) -> tuple:
    """Everything a refused refund or reversal must leave as it was."""
    project = Project.objects.get(pk=project.pk)
    return (
        project.paid_in,
        project.matched,
        project.stage,
        ledger.balance(project.account_id),
        ledger.balance(project.reserve_id),
        MoneyTransfer.objects.filter(project=project).count(),
        sorted(project.payments.values_list("pk", "status")),
        sorted(project.expenses.values_list("pk", "status")),
    )


def delivering(world):
    """A project being delivered (target reached: ¥66.67 + ¥33.33 match) with one expense."""
    project = world.funding(target=10_000)
    world.pay(project, 6_667)
    project.refresh_from_db()
    assert project.stage == Project.Stage.DELIVERY
    expense = services.record_expense(
        actor=world.initiator, project=project, payee="五金店", description="声控灯", amount=4_000
    )
    return project, expense


# ---------------------------------------------------------------------------
# The list


def test_the_list_shows_payments_and_expenses_with_what_may_be_taken_back(client, world):
    project = world.funding(target=100_000)
    a, b = world.pay(project, 10_000), world.pay(project, 2_345, named=True)
    c = _as(client, world.staff)
    resp = c.get(reverse("projects:staff_refunds", args=[project.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    for p in (a, b):
        assert f'data-testid="refund-{p.pk}"' in html and f'data-testid="reverse-{p.pk}"' in html
    assert "¥100.00" in html and "¥23.45" in html and "张三" in html
    # The payments page and the desk's list lead here.
    assert (
        'data-testid="refunds"'
        in c.get(reverse("projects:staff_payments", args=[project.pk])).content.decode()
    )
    assert (
        f'data-testid="refunds-{project.pk}"'
        in c.get(reverse("projects:staff_index")).content.decode()
    )
    # Delivering: the payments are past taking back, the expense may be reversed.
    spent, expense = delivering(world)
    html = c.get(reverse("projects:staff_refunds", args=[spent.pk])).content.decode()
    assert re.search(r'data-testid="(refund|reverse)-\d+"', html) is None
    assert f'data-testid="reverse-expense-{expense.pk}"' in html


def test_the_list_pages_and_a_foreign_cursor_is_a_400_showing_the_first_page(client, world):
    from shezhi.projects.views_staff import PAGE

    project = world.funding(target=10_000_000)
    paid = [world.pay(project, 100 + i) for i in range(PAGE + 1)]
    c = _as(client, world.staff)
    url = reverse("projects:staff_refunds", args=[project.pk])
    first = c.get(url)
    assert [p.pk for p in first.context["payments"]] == [p.pk for p in paid[::-1][:PAGE]]
    second = c.get(url, {"after": first.context["payments_next"]})
    assert [p.pk for p in second.context["payments"]] == [paid[0].pk]
    resp = c.get(url, {"after": "not-ours"})
    assert resp.status_code == 400 and 'data-testid="list-error"' in resp.content.decode()
    assert len(resp.context["payments"]) == PAGE


def test_a_street_staff_sees_payers_masked_unless_named(client, world, cast):
    project = world.funding(target=100_000)
    world.pay(project, 1_000)
    html = (
        _as(client, cast.street)
        .get(reverse("projects:staff_refunds", args=[project.pk]))
        .content.decode()
    )
    assert "张*" in html and "张三" not in html


# ---------------------------------------------------------------------------
# Refunds and reversals of payments


def test_a_refund_shows_what_will_happen_then_returns_exactly_what_was_paid(client, world):
    project = world.funding(target=100_000)
    payment = world.pay(project, 10_001)
    world.pay(project, 3_000)
    c = _as(client, world.staff)
    page = c.get(_refund_url(payment))
    assert page.status_code == 200
    html = page.content.decode()
    # ¥100.01 back to 张三; the match falls from ⌊13001 / 2⌋ = 6500 to 1500: ¥50.00 back.
    assert "¥100.01" in html and 'data-testid="match-back"' in html and "¥50.00" in html
    assert page.context["effect"].paid_in == 3_000 and page.context["effect"].matched == 1_500
    resp = c.post(_refund_url(payment), {"reason": "居民搬走，申请退款"})
    assert resp.status_code == 302
    assert resp.url == reverse("projects:staff_refunds", args=[project.pk])
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    refund = MoneyTransfer.objects.get(kind="refund", cause_id=str(payment.pk))
    assert refund.amount == 10_001 and refund.memo == "居民搬走，申请退款"
    assert refund.created_by == world.staff
    project.refresh_from_db()
    assert (project.paid_in, project.matched) == (3_000, 1_500)
    assert ledger.balance(project.account_id) == 4_500
    assert ledger.check().ok
    listing = c.get(resp.url).content.decode()
    assert f'data-testid="undo-{payment.pk}"' in listing and "居民搬走，申请退款" in listing
    assert f'data-testid="refund-{payment.pk}"' not in listing
    # Once refunded, its page says so and offers nothing more.
    again = c.get(_refund_url(payment)).content.decode()
    assert 'data-testid="closed"' in again and 'data-testid="undo-form"' not in again


def test_reversing_a_payment_recorded_in_error(client, world):
    project = world.funding(target=100_000)
    payment = world.pay(project, 8_000)
    c = _as(client, world.staff)
    assert "¥80.00" in c.get(_refund_url(payment, "reverse")).content.decode()
    resp = c.post(_refund_url(payment, "reverse"), {"reason": "重复登记"})
    assert resp.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REVERSED
    reversal = MoneyTransfer.objects.get(reverses=payment.transfer)
    assert reversal.memo == "重复登记" and reversal.amount == 8_000
    assert not MoneyTransfer.objects.filter(kind="refund").exists()
    project.refresh_from_db()
    assert (project.paid_in, project.matched) == (0, 0)
    assert ledger.check().ok


@pytest.mark.parametrize("how", ["refund", "reverse"])
@pytest.mark.parametrize("reason", ["", "   ", "很" * 201])
def test_a_missing_or_long_reason_is_named_and_nothing_is_written(client, world, how, reason):
    project = world.funding(target=100_000)
    payment = world.pay(project, 5_000)
    before = _money(project)
    resp = _as(client, world.staff).post(_refund_url(payment, how), {"reason": reason})
    assert resp.status_code == 400
    assert 'data-testid="error-reason"' in resp.content.decode()
    assert _money(project) == before


def test_a_payment_taken_back_already_is_refused_once_more(client, world):
    project = world.funding(target=100_000)
    payment = world.pay(project, 5_000)
    c = _as(client, world.staff)
    # Two desks opened the page; the first refunds it.
    assert c.post(_refund_url(payment), {"reason": "退出"}).status_code == 302
    before = _money(project)
    for how in ("refund", "reverse"):
        resp = c.post(_refund_url(payment, how), {"reason": "退出"})
        assert resp.status_code == 409
        html = resp.content.decode()
        assert 'data-testid="form-error"' in html and "该笔缴款已退款或已冲正" in html
    assert _money(project) == before
    assert MoneyTransfer.objects.filter(kind="refund").count() == 1


def test_payments_are_not_taken_back_once_funding_has_ended(client, world):
    project, _expense = delivering(world)
    payment = project.payments.get()
    before = _money(project)
    c = _as(client, world.staff)
    assert 'data-testid="closed"' in c.get(_refund_url(payment)).content.decode()
    resp = c.post(_refund_url(payment), {"reason": "退出"})
    assert resp.status_code == 409 and "只有众筹期间可以退款或冲正" in resp.content.decode()
    assert _money(project) == before


# ---------------------------------------------------------------------------
# Reversing an expense


def test_reversing_an_expense_puts_its_money_back_and_the_accounts_reconcile(client, world, cast):
    project, expense = delivering(world)
    c = _as(client, world.staff)
    page = c.get(_expense_url(expense))
    assert page.status_code == 200
    # ¥100.00 held − ¥40.00 spent = ¥60.00; reversing brings it back to ¥100.00.
    assert page.context["held_after"] == 10_000 and "¥40.00" in page.content.decode()
    resp = c.post(_expense_url(expense), {"reason": "金额录错"})
    assert resp.status_code == 302
    expense.refresh_from_db()
    assert expense.status == Expense.Status.REVERSED
    assert MoneyTransfer.objects.get(reverses=expense.transfer).memo == "金额录错"
    assert ledger.balance(project.account_id) == 10_000 and ledger.check().ok
    # The public accounts, as a resident reads them: the expense marked reversed, its
    # reversal a line of its own with the reason, the totals reconciled.
    resident = _as(client, cast.resident).get(reverse("projects:detail", args=[project.pk]))
    accounts = resident.context["accounts"]
    assert accounts.reconciles and accounts.spent == 0 and accounts.balance == 10_000
    kinds = [(line.kind, line.amount, line.undone != "") for line in accounts.lines]
    assert ("expense", -4_000, True) in kinds and ("reversal", 4_000, False) in kinds
    html = resident.content.decode()
    assert "金额录错" in html and 'data-testid="undone"' in html
    assert 'data-testid="reconciles"' in html


def test_an_expense_reversed_already_or_after_completion_is_refused(client, world):
    project, expense = delivering(world)
    c = _as(client, world.staff)
    assert c.post(_expense_url(expense), {"reason": "记错"}).status_code == 302
    before = _money(project)
    resp = c.post(_expense_url(expense), {"reason": "记错"})
    assert resp.status_code == 409 and "该笔支出已冲正" in resp.content.decode()
    assert _money(project) == before
    other = services.record_expense(
        actor=world.staff, project=project, payee="电工", description="安装", amount=1_000
    )
    services.complete(actor=world.staff, project=project, closing_note="完工")
    before = _money(project)
    assert 'data-testid="closed"' in c.get(_expense_url(other)).content.decode()
    resp = c.post(_expense_url(other), {"reason": "记错"})
    assert resp.status_code == 409 and "只有实施期间可以冲正支出" in resp.content.decode()
    assert _money(project) == before
    resp = c.post(_expense_url(other), {"reason": ""})
    assert resp.status_code == 400 and 'data-testid="error-reason"' in resp.content.decode()


# ---------------------------------------------------------------------------
# The public accounts after refunds and reversals


def test_the_public_accounts_show_refunds_and_reversals_and_reconcile(client, world, cast):
    project = world.funding(target=100_000)
    kept, refunded, reversed_ = (world.pay(project, a) for a in (10_000, 3_333, 2_001))
    c = _as(client, world.staff)
    assert c.post(_refund_url(refunded), {"reason": "退出"}).status_code == 302
    assert c.post(_refund_url(reversed_, "reverse"), {"reason": "记错"}).status_code == 302
    resp = _as(client, cast.resident).get(reverse("projects:detail", args=[project.pk]))
    accounts = resp.context["accounts"]
    assert accounts.reconciles
    assert accounts.residents == 10_000 and accounts.match == 5_000
    lines = [(line.kind, line.amount, line.memo) for line in accounts.lines]
    assert ("refund", -3_333, "退出") in lines and ("reversal", -2_001, "记错") in lines
    undone = [line.undone for line in accounts.lines if line.kind == "payment"]
    assert undone == ["", "已退款", "已冲正（录入错误）"]  # the page speaks Chinese
    html = resp.content.decode()
    assert html.count('data-testid="undone"') == 2 and 'data-testid="reconciles"' in html
    assert kept.status == Payment.Status.PAID


# ---------------------------------------------------------------------------
# Scope


def test_outside_the_staffs_community_every_page_is_a_404(client, world, cast):
    project = world.funding(target=100_000)
    payment = world.pay(project, 5_000)
    spent, expense = delivering(world)
    urls = [
        reverse("projects:staff_refunds", args=[project.pk]),
        _refund_url(payment),
        _refund_url(payment, "reverse"),
        _expense_url(expense),
    ]
    before = (_money(project), _money(spent))
    for user in (cast.community2, cast.other_district, cast.resident, cast.grid_worker):
        c = _as(client, user)
        for url in urls:
            assert c.get(url).status_code == 404, (user.username, url)
            if "/refunds/" not in url:  # the list is read only (a POST is a 405)
                assert c.post(url, {"reason": "退出"}).status_code == 404, (user.username, url)
    assert (_money(project), _money(spent)) == before


def test_a_payment_or_expense_named_under_another_project_is_a_404(client, world):
    project = world.funding(target=100_000)
    other = world.funding(target=100_000)
    payment = world.pay(other, 5_000)
    _spent, expense = delivering(world)
    c = _as(client, world.staff)
    for url in (
        reverse("projects:staff_refund_payment", args=[project.pk, payment.pk]),
        reverse("projects:staff_reverse_payment", args=[project.pk, payment.pk]),
        reverse("projects:staff_reverse_expense", args=[project.pk, expense.pk]),
        reverse("projects:staff_refund_payment", args=[project.pk, 10**9]),
    ):
        assert c.post(url, {"reason": "退出"}).status_code == 404
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PAID
    assert Expense.objects.get(pk=expense.pk).status == Expense.Status.SPENT
