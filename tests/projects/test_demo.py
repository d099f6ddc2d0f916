"""The demo's micro-projects: 56 in every stage, their money through the ledger (the
money check passes, public accounts reconcile), residents taking part once per project."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Sum

from shezhi.core.models import Participation
from shezhi.demo import projects as demo
from shezhi.projects import ledger
from shezhi.projects.models import (
    Backing,
    CommunityFund,
    Expense,
    MoneyTransfer,
    Payment,
    Project,
    Rating,
)
from tests.factories import CompoundFactory, HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def _residents(area, community, n):
    compound = CompoundFactory(community=community)
    for i in range(n):
        household = HouseholdFactory(
            building__compound=compound, building__micro_grid=area, building__area_path=area.path
        )
        ResidentFactory(household=household, name=f"居民{i}", relation="head")


def test_the_demo_builds_every_stage_with_its_money(territory, monkeypatch):
    monkeypatch.setattr(demo, "POOL", 40)
    _residents(territory["micro1"], territory["community"], 45)
    _residents(territory["community2"], territory["community2"], 45)
    ledger.forget_cached_accounts()
    made = demo.build_demo_projects()
    assert made["projects"] == Project.objects.count() == 56
    assert set(Project.objects.values_list("stage", flat=True)) == set(Project.Stage.values)
    stages = Counter(Project.objects.values_list("stage", flat=True))
    assert stages["expired"] == 4 and stages["completed"] == 14
    # The money: every invariant of `shezhi money_check`.
    check = ledger.check()
    assert check.ok, check.lines()
    assert CommunityFund.objects.count() == 2
    for p in Project.objects.exclude(account=None):
        assert ledger.balance(p.account_id) == ledger.entries_sum(p.account_id)
        net_paid = p.payments.filter(status="paid").aggregate(s=Sum("amount"))["s"] or 0
        assert p.paid_in == net_paid
        spent = p.expenses.aggregate(s=Sum("amount"))["s"] or 0
        assert ledger.balance(p.account_id) == p.paid_in + p.matched - spent
        if p.stage in ("delivery", "completed"):
            assert p.paid_in + p.matched >= p.target
            assert ledger.balance(p.reserve_id) == 0
        if p.stage == "completed":
            assert spent == p.target and p.ratings.exists() and p.closing_note
        if p.stage == "expired":
            assert p.payments.filter(status="refunded").count() == p.payments.count() > 0
    # Budgets from a few hundred to tens of thousands of yuan.
    targets = list(Project.objects.values_list("target", flat=True))
    assert min(targets) < 500_000 and max(targets) > 2_000_000
    # Payments carry a channel and a unique reference; expenses a payee.
    assert Payment.objects.exclude(reference="").count() == Payment.objects.count()
    assert not Expense.objects.filter(payee="").exists()
    assert MoneyTransfer.objects.filter(kind="refund").exists()
    # Below the threshold while collecting backings; at or above it once reviewed.
    for p in Project.objects.all():
        assert p.backings == Backing.objects.filter(project=p).count()
        assert (p.backings < 10) == (p.stage == "backing")
    # Who took part: once per project and resident, all residents' keys.
    rows = Participation.objects.filter(way="project")
    assert rows.count() == rows.values("source_id", "participant").distinct().count()
    assert made["residents taking part"] == rows.values("participant").distinct().count() >= 80
    assert all(k.startswith("r:") for k in rows.values_list("participant", flat=True))
    assert Rating.objects.filter(stars__gte=1).exists()
    assert demo.build_demo_projects() is None  # once


def test_no_household_base_no_projects(territory):
    assert demo.build_demo_projects() is None
    assert not Project.objects.exists()
