"""The project's life through its services: proposal, backing, review, crowdfunding
with matching, idempotent payments, expiry with exact refunds, overfunding cap,
milestones, expenses refusing overspend, completion and rating; refusals name the field
and write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from shezhi.core.errors import BadInput, Forbidden, KeyReused, NotAllowed
from shezhi.projects import ledger, services
from shezhi.projects.models import (
    Backing,
    Expense,
    MoneyTransfer,
    Payment,
    Project,
)

from .conftest import photo

pytestmark = pytest.mark.django_db
Stage = Project.Stage


def fresh(project):
    return Project.objects.get(pk=project.pk)


def test_proposal_sums_its_budget_lines(world):
    project = world.propose(target=80_000)
    assert project.target == 80_000
    assert sorted(project.budget_lines.values_list("amount", flat=True)) == [20_000, 60_000]
    assert project.stage == Stage.BACKING
    assert project.community == world.community


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"budget": []}, "budget"),
        ({"budget": [{"kind": "gold", "description": "x", "amount": 1}]}, "budget.0.kind"),
        ({"budget": [{"kind": "labour", "description": "x", "amount": 1.5}]}, "budget.0.amount"),
        ({"budget": [{"kind": "labour", "description": "x", "amount": -5}]}, "budget.0.amount"),
        ({"budget": [{"kind": "labour", "description": "", "amount": 5}]}, "budget.0.description"),
        ({"deadline": "tomorrow"}, "deadline"),
        ({"allow_overfunding": "yes"}, "allow_overfunding"),
    ],
)
def test_bad_proposals_name_the_field_and_write_nothing(world, change, field):
    args = {
        "actor": world.initiator,
        "area": world.territory["micro1"],
        "title": "x",
        "problem": "p",
        "plan": "q",
        "budget": [{"kind": "labour", "description": "x", "amount": 100}],
        "deadline": timezone.now() + timedelta(days=3),
    }
    args.update(change)
    with pytest.raises(BadInput) as e:
        services.propose(**args)
    assert e.value.field == field
    assert not Project.objects.exists()


def test_outsiders_cannot_propose_or_back(world):
    with pytest.raises(Forbidden):
        services.propose(
            actor=world.cast.outsider_resident,
            area=world.territory["micro1"],
            title="x",
            problem="p",
            plan="q",
            budget=[{"kind": "labour", "description": "x", "amount": 100}],
            deadline=timezone.now() + timedelta(days=3),
        )
    project = world.propose()
    with pytest.raises(Forbidden):
        services.back(actor=world.cast.outsider_resident, project=project)


def test_one_backing_per_resident_and_the_threshold_sends_it_to_review(world):
    project = world.propose()
    n1, n2 = world.neighbours[:2]
    assert services.back(actor=n1, project=project) is True
    assert services.back(actor=n1, project=project) is False
    assert fresh(project).backings == 1 and fresh(project).stage == Stage.BACKING
    services.back(actor=n2, project=project)
    assert fresh(project).stage == Stage.REVIEW
    assert Backing.objects.filter(project=project).count() == 2
    with pytest.raises(NotAllowed):
        services.back(actor=world.neighbours[2], project=project)


def _in_review(world, **kw):
    project = world.propose(**kw)
    for n in world.neighbours[:2]:
        services.back(actor=n, project=project)
    return fresh(project)


def test_review_return_and_refuse_need_a_reason(world):
    project = _in_review(world)
    with pytest.raises(BadInput) as e:
        services.review(actor=world.staff, project=project, decision="return")
    assert e.value.field == "reason"
    with pytest.raises(BadInput) as e:
        services.review(actor=world.staff, project=project, decision="maybe")
    assert e.value.field == "decision"
    with pytest.raises(Forbidden):
        services.review(actor=world.cast.community2, project=project, decision="approve")
    services.review(actor=world.staff, project=project, decision="return", reason="预算不清")
    assert fresh(project).stage == Stage.RETURNED
    services.resubmit(actor=world.initiator, project=fresh(project))
    services.review(actor=world.staff, project=fresh(project), decision="refuse", reason="重复")
    assert fresh(project).stage == Stage.REFUSED
    assert LogEntry.objects.filter(object_pk=str(project.pk), actor=world.staff).exists()


def test_approval_fixes_the_match_and_reserves_it_from_the_fund(world):
    before = ledger.balance(world.fund.account_id)
    project = world.funding(target=100_000)
    project = fresh(project)
    assert project.stage == Stage.FUNDING
    assert (project.match_ratio_bp, project.match_cap, project.funding_cap) == (
        5000,
        50_000,
        100_000,
    )
    assert ledger.balance(project.reserve_id) == 50_000
    assert ledger.balance(world.fund.account_id) == before - 50_000


def test_approval_refused_when_the_fund_cannot_cover_the_match(world):
    world.rules(match_cap=5_000_000)
    project = _in_review(world, target=3_000_000)
    with pytest.raises(BadInput) as e:
        services.review(actor=world.staff, project=project, decision="approve")
    assert e.value.field == "fund"
    assert fresh(project).stage == Stage.REVIEW
    assert not MoneyTransfer.objects.filter(project=project).exists()


def test_matching_is_drawn_as_residents_money_arrives_never_above_the_ratio(world):
    project = world.funding(target=100_000)
    world.pay(project, 10_001)
    project = fresh(project)
    assert project.paid_in == 10_001 and project.matched == 5_000
    world.pay(project, 1)
    project = fresh(project)
    assert project.matched == 5_001
    assert ledger.balance(project.account_id) == 15_003
    assert ledger.check().ok


def test_payments_are_idempotent_on_the_gateway_reference(world):
    project = world.funding()
    first = services.record_payment(
        actor=world.staff,
        project=project,
        payer_name="李四",
        amount=3_000,
        channel="wechat",
        reference="wx-001",
    )
    again = services.record_payment(
        actor=world.staff,
        project=project,
        payer_name="李四",
        amount=3_000,
        channel="wechat",
        reference="wx-001",
    )
    assert first.created and not again.created and first.payment.pk == again.payment.pk
    assert Payment.objects.count() == 1 and fresh(project).paid_in == 3_000
    with pytest.raises(KeyReused):
        services.record_payment(
            actor=world.staff,
            project=project,
            payer_name="李四",
            amount=3_001,
            channel="wechat",
            reference="wx-001",
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "100"}, "amount"),
        ({"channel": "paypal"}, "channel"),
        ({"reference": ""}, "reference"),
        ({"payer_name": ""}, "payer_name"),
        ({"channel": "cash", "reference": ""}, "receipt"),
        ({"amount": 100_001}, "amount"),
    ],
)
def test_bad_payments_name_the_field_and_write_nothing(world, change, field):
    project = world.funding(target=100_000)
    args = {
        "actor": world.staff,
        "project": project,
        "payer_name": "王五",
        "amount": 100,
        "channel": "bank",
        "reference": "B1",
    }
    args.update(change)
    with pytest.raises(BadInput) as e:
        services.record_payment(**args)
    assert e.value.field == field
    assert not Payment.objects.exists()
    assert fresh(project).paid_in == 0


def test_cash_payment_with_receipt_and_the_payers_name_encrypted(world):
    project = world.funding()
    payment = services.record_payment(
        actor=world.initiator,
        project=project,
        payer_name="张三丰",
        amount=500,
        channel="cash",
        receipt=photo(),
    ).payment
    assert payment.receipt.name.endswith(".jpg")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT payer_name FROM projects_payment WHERE id = %s", [payment.pk])
        stored = cursor.fetchone()[0]
    assert "张" not in stored
    assert services.masked_name(Payment.objects.get(pk=payment.pk).payer_name) == "张*"
    # Who recorded it, in the audit log; the name never is.
    entry = LogEntry.objects.get(object_pk=str(payment.pk), content_type__model="payment")
    assert entry.actor == world.initiator and "payer_name" not in entry.changes


def test_outsiders_cannot_record_payments(world):
    project = world.funding()
    with pytest.raises(Forbidden):
        services.record_payment(
            actor=world.neighbours[0],
            project=project,
            payer_name="x",
            amount=1,
            channel="bank",
            reference="Z",
        )


def test_reaching_the_target_without_overfunding_moves_to_delivery_and_releases(world):
    project = world.funding(target=30_000)
    fund_before = ledger.balance(world.fund.account_id)
    world.pay(project, 20_000)  # + 10,000 match = 30,000
    project = fresh(project)
    assert project.stage == Stage.DELIVERY
    assert ledger.balance(project.reserve_id) == 0
    assert ledger.balance(world.fund.account_id) == fund_before + (30_000 - 10_000)
    assert ledger.check().ok


def test_overfunding_up_to_the_cap(world):
    project = world.funding(target=30_000, allow_overfunding=True)  # cap 36,000
    assert fresh(project).funding_cap == 36_000
    world.pay(project, 20_000)  # 30,000 raised: still open
    assert fresh(project).stage == Stage.FUNDING
    with pytest.raises(BadInput) as e:
        world.pay(project, 6_001)  # residents' 26,001 > 36,000 − 10,000 match
    assert e.value.field == "amount"
    world.pay(project, 6_000)  # match trimmed to fit the cap: 36,000 in all
    project = fresh(project)
    assert project.stage == Stage.DELIVERY
    assert project.paid_in + project.matched == 36_000
    assert ledger.check().ok


def test_close_funding_early_needs_the_target(world):
    project = world.funding(target=30_000, allow_overfunding=True)
    world.pay(project, 10_000)
    with pytest.raises(NotAllowed):
        services.close_funding(actor=world.initiator, project=project)
    world.pay(project, 10_000)
    services.close_funding(actor=world.initiator, project=project)
    assert fresh(project).stage == Stage.DELIVERY


def test_expiry_refunds_every_payment_exactly_and_returns_the_match(world):
    project = world.funding(target=100_000)
    fund_before = ledger.balance(world.fund.account_id) + 50_000  # before the reserve
    amounts = [1_234, 5_000, 77]
    payments = [world.pay(project, a) for a in amounts]
    services.reverse_payment(actor=world.staff, payment=payments[2], reason="记错")
    late = project.deadline + timedelta(minutes=1)
    with pytest.raises(NotAllowed):
        world.pay(project, 100, at=late)
    assert services.expire_due(now=late) == [project.pk]
    project = fresh(project)
    assert project.stage == Stage.EXPIRED
    assert ledger.balance(project.account_id) == 0 and ledger.balance(project.reserve_id) == 0
    assert ledger.balance(world.fund.account_id) == fund_before
    for payment, amount in zip(payments[:2], amounts, strict=False):
        refund = MoneyTransfer.objects.get(kind="refund", cause_id=str(payment.pk))
        assert refund.amount == amount
        assert Payment.objects.get(pk=payment.pk).status == "refunded"
    assert not MoneyTransfer.objects.filter(kind="refund", cause_id=str(payments[2].pk)).exists()
    assert ledger.check().ok
    assert services.expire_due(now=late) == []  # nothing twice


def test_expiry_of_a_project_that_reached_its_target_delivers_it(world):
    project = world.funding(target=30_000, allow_overfunding=True)
    world.pay(project, 20_000)
    services.expire_due(now=project.deadline + timedelta(seconds=1))
    assert fresh(project).stage == Stage.DELIVERY


def test_a_refund_gives_back_the_match_it_earned(world):
    project = world.funding(target=100_000)
    p1 = world.pay(project, 10_000)
    world.pay(project, 3_000)
    services.refund_payment(actor=world.staff, payment=p1, reason="居民搬走")
    project = fresh(project)
    assert (project.paid_in, project.matched) == (3_000, 1_500)
    with pytest.raises(NotAllowed):
        services.refund_payment(actor=world.staff, payment=p1, reason="again")
    with pytest.raises(Forbidden):
        services.refund_payment(actor=world.initiator, payment=p1, reason="again")
    assert ledger.check().ok


def _delivering(world):
    project = world.funding(target=30_000)
    world.pay(project, 20_000)
    return fresh(project)


def test_expenses_with_receipts_never_overspend(world):
    project = _delivering(world)
    milestone = services.add_milestone(
        actor=world.initiator, project=project, title="采购", due=date.today()
    )
    expense = services.record_expense(
        actor=world.initiator,
        project=project,
        payee="五金店",
        description="声控灯 20 个",
        amount=29_000,
        receipt=photo(),
        milestone=milestone,
    )
    assert expense.receipt.name and ledger.balance(project.account_id) == 1_000
    with pytest.raises(BadInput) as e:
        services.record_expense(
            actor=world.initiator,
            project=project,
            payee="电工",
            description="安装",
            amount=1_001,
        )
    assert e.value.field == "amount"
    assert Expense.objects.count() == 1
    services.reverse_expense(actor=world.staff, expense=expense, reason="发票作废")
    assert ledger.balance(project.account_id) == 30_000
    with pytest.raises(NotAllowed):
        services.reverse_expense(actor=world.staff, expense=expense, reason="again")
    services.complete_milestone(actor=world.initiator, milestone=milestone, note="买好了")
    assert ledger.check().ok


def test_no_expense_before_funding_ends(world):
    project = world.funding()
    with pytest.raises(NotAllowed):
        services.record_expense(
            actor=world.initiator, project=project, payee="x", description="y", amount=1
        )


def test_completion_and_rating_by_participants_once(world):
    project = _delivering(world)
    with pytest.raises(BadInput) as e:
        services.complete(actor=world.initiator, project=project, closing_note="")
    assert e.value.field == "closing_note"
    services.complete(actor=world.initiator, project=project, closing_note="灯都亮了")
    backer = world.neighbours[0]
    with pytest.raises(BadInput) as e:
        services.rate(actor=backer, project=project, stars=6)
    assert e.value.field == "stars"
    with pytest.raises(Forbidden):
        services.rate(actor=world.neighbours[2], project=fresh(project), stars=5)
    services.rate(actor=backer, project=fresh(project), stars=5, comment="好")
    with pytest.raises(NotAllowed):
        services.rate(actor=backer, project=fresh(project), stars=4)


def test_yuan_and_masks():
    assert services.yuan(123456) == "¥1,234.56"
    assert services.yuan(5) == "¥0.05"
    assert services.yuan(-100) == "-¥1.00"
    assert services.masked_name("欧阳娜娜") == "欧*"


def test_proposing_backing_and_paying_count_once_each_in_participation(world):
    from shezhi.core.participation import participants

    start = timezone.now() - timedelta(days=1)
    end = timezone.now() + timedelta(days=1)
    project = world.funding()  # the initiator proposed, two neighbours backed
    payer = world.neighbours[0]  # backed, and now pays: still one
    world.pay(project, 500, payer=payer)
    world.pay(project, 500, payer=world.neighbours[2])
    assert participants(world.community, start, end, ways=["project"]) == 4
    assert participants(world.territory["community2"], start, end) == 0
