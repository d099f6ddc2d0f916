"""The finance office's spreadsheets, read back with openpyxl: a project's public accounts
(every line, totals that reconcile to the ledger, payers masked unless named for staff
who do not read names) and a community fund's statement; each export in the audit log."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from shezhi.projects import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _get(client, url):
    # The sheet's labels in English, as the assertions read them (the site's default is
    # Chinese).
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def _rows(resp):
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def _labelled(rows, label):
    return next(r for r in rows if r and r[0] == label)


def _d(value) -> Decimal:
    """A cell's number as the exact yuan it was written as (openpyxl reads a float)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def spent(world):
    """A delivered project: three payments (one named, one refunded while funding),
    the match, two expenses (one reversed)."""
    project = world.funding(target=10_000)
    a = world.pay(project, 2_000)
    services.refund_payment(actor=world.staff, payment=a, reason="退出")
    world.pay(project, 3_000, named=True)
    world.pay(project, 3_667)
    project.refresh_from_db()
    assert project.stage == "delivery"  # 66.67 + the match 33.33 reach the target
    services.record_expense(
        actor=world.staff, project=project, payee="五金店", description="灯", amount=4_000
    )
    e = services.record_expense(
        actor=world.staff, project=project, payee="电工", description="安装", amount=1_000
    )
    services.reverse_expense(actor=world.staff, expense=e, reason="记错")
    project.refresh_from_db()
    return project


def test_a_projects_accounts_list_every_line_and_reconcile(client, world, spent):
    rows = _rows(_get(_as(client, world.staff), reverse("projects:staff_export", args=[spent.pk])))
    header = next(i for i, r in enumerate(rows) if r[0] == "Date")
    lines = []
    for r in rows[header + 1 :]:
        if r[0] is None:
            break
        lines.append(r)
    # payments 3 + refund 1 + matches (one per payment and one back on the refund)
    # + 2 expenses + 1 reversal.
    ins = sum(_d(r[5] or 0) for r in lines)
    outs = sum(_d(r[6] or 0) for r in lines)
    balance = Decimal(spent.paid_in + spent.matched - 4_000).scaleb(-2)
    assert ins - outs == balance
    assert _d(_labelled(rows, "Residents' money (net)")[5]) == Decimal("66.67")
    assert _d(_labelled(rows, "Ledger balance")[5]) == balance
    assert _d(_labelled(rows, "Sum of the ledger's entries")[5]) == balance
    assert _labelled(rows, "Reconciles")[5] == "yes"
    kinds = [r[1] for r in lines]
    assert kinds.count("Resident's payment") == 3 and "Refund" in kinds and "Reversal" in kinds
    # The community's own staff read payers' names.
    assert {r[3] for r in lines if r[1] == "Resident's payment"} == {"张三"}


def test_payers_are_masked_unless_named_for_staff_who_do_not_read_names(client, world, spent):
    rows = _rows(
        _get(_as(client, world.cast.street), reverse("projects:staff_export", args=[spent.pk]))
    )
    payers = [r[3] for r in rows if r[1] == "Resident's payment"]
    # Two chose no name (masked), one chose to be named.
    assert sorted(payers) == ["张*", "张*", "张三"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(spent.pk)).get()
    assert entry.actor == world.cast.street
    assert entry.changes_dict["export"] == [None, "project_accounts"]
    assert entry.changes_dict["names"] == [None, "no"]


def test_the_export_is_the_staffs_over_the_community(client, world, spent, cast):
    url = reverse("projects:staff_export", args=[spent.pk])
    for user in (cast.community2, cast.other_district, cast.resident, cast.mg_worker):
        assert _as(client, user).get(url).status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_fund_statement_runs_to_its_balance(client, world, spent):
    c = _as(client, world.staff)
    rows = _rows(_get(c, reverse("projects:staff_fund_export", args=[world.fund.pk])))
    world.fund.account.refresh_from_db()
    balance = Decimal(world.fund.account.balance).scaleb(-2)
    header = next(i for i, r in enumerate(rows) if r[0] == "Date")
    movements = []
    for r in rows[header + 1 :]:
        if r[0] is None:
            break
        movements.append(r)
    # The allocation, the reserve for the project, the unused reserve back.
    assert [r[1] for r in movements] == [
        "Allocation to a fund",
        "Match reserved on approval",
        "Unused match back to the fund",
    ]
    assert _d(movements[-1][6]) == balance
    assert _d(_labelled(rows, "Closing balance: in − out")[4]) == balance
    assert _d(_labelled(rows, "Ledger balance")[4]) == balance
    assert _labelled(rows, "Reconciles")[4] == "yes"
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == world.staff and entry.object_pk == str(world.fund.pk)
