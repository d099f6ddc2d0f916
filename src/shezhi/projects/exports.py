"""Spreadsheets for the community's finance office (staff live in Excel): a project's
public accounts and a community fund's statement, each line in yuan with two decimals
(exact: ``Decimal`` of the integer fen, never a float), and totals that reconcile to the
ledger written under them (the stored balance and the sum of the account's entries).

Payers appear masked (张*) unless they chose to be named, except for those who read
names (``permissions.sees_payer_names``). Every export is written to the audit log
(an "access" entry on the project or the fund: who, when, which sheet, names or not).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from auditlog.models import LogEntry
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ledger
from .models import CommunityFund, Expense, MoneyEntry, MoneyTransfer, Payment, Project
from .services import masked_name

T = MoneyTransfer.Kind
YUAN_FORMAT = "#,##0.00"
HEADER_FILL = "DDE7F3"


def yuan(fen: int) -> Decimal:
    """Fen as an exact yuan amount for a cell: 123456 → Decimal("1234.56")."""
    return Decimal(fen).scaleb(-2)


@dataclass
class Line:
    at: datetime
    kind: str
    channel: str
    who: str
    reference: str
    amount: int  # + into the account, − out of it
    receipt: bool
    memo: str
    transfer: int


def project_lines(project: Project, *, names: bool) -> list[Line]:
    """Every movement of the project's own account, oldest first (what the public
    accounts list, with the reference and the transfer's number for the office)."""
    if project.account_id is None:
        return []
    payments = {p.pk: p for p in Payment.objects.filter(project=project)}
    by_transfer = {p.transfer_id: p for p in payments.values()}
    expenses = {e.pk: e for e in Expense.objects.filter(project=project)}
    expense_by_transfer = {e.transfer_id: e for e in expenses.values()}
    kinds = dict(T.choices)
    channels = dict(Payment.Channel.choices)
    lines = []
    rows = (
        MoneyEntry.objects.filter(account_id=project.account_id)
        .select_related("transfer")
        .order_by("transfer__at", "transfer__pk")
    )
    for entry in rows:
        t = entry.transfer
        line = Line(t.at, str(kinds.get(t.kind, t.kind)), "", "", "", entry.amount, False,
                    t.memo, t.pk)  # fmt: skip
        if t.stream == T.PAYMENT:
            payment = by_transfer.get(t.pk) or by_transfer.get(t.reverses_id)
            if t.kind == T.REFUND and t.cause_id.isdigit():
                payment = payments.get(int(t.cause_id))
            if payment is not None:
                line.channel = str(channels.get(payment.channel, payment.channel))
                line.who = (
                    payment.payer_name
                    if names or payment.named
                    else masked_name(payment.payer_name)
                )
                line.reference = payment.reference
                line.receipt = bool(payment.receipt)
        elif t.stream == T.EXPENSE:
            expense = expense_by_transfer.get(t.pk) or expense_by_transfer.get(t.reverses_id)
            if expense is not None:
                line.who, line.receipt = expense.payee, bool(expense.receipt)
                line.memo = line.memo or expense.description
        lines.append(line)
    return lines


def _sheet_head(ws, title: str, rows: list[str]) -> None:
    from openpyxl.styles import Font

    ws["A1"] = title
    ws["A1"].font = Font(size=14, bold=True)
    for i, text in enumerate(rows, start=2):
        ws.cell(row=i, column=1, value=text).font = Font(color="555555")
    ws.append([])


def _header(ws, names: list[str]) -> None:
    from openpyxl.styles import Font, PatternFill

    ws.append(names)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    # A coordinate, not ``ws.cell(...)``: making the cell would push the lines a row down.
    ws.freeze_panes = f"A{ws.max_row + 1}"


def _money_cells(ws, row: int, columns) -> None:
    for col in columns:
        ws.cell(row=row, column=col).number_format = YUAN_FORMAT


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def project_workbook(project: Project, *, names: bool, now: datetime | None = None) -> bytes:
    """A project's public accounts: a line per movement of its account, then the
    totals (residents' money, the community's match, spending), the balance they make,
    and the ledger's own balance and sum of entries, which must all agree."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    lines = project_lines(project, names=names)
    wb = Workbook()
    wb.properties.creator = _("Shezhi Harbor")
    ws = wb.active
    ws.title = _("Public accounts")[:31]
    _sheet_head(ws, _("Public accounts of %(title)s") % {"title": project.title}, [
        _("Community: %(name)s · project no. %(pk)s · stage: %(stage)s") % {
            "name": project.community.name, "pk": project.pk, "stage": project.get_stage_display()
        },
        _("Target: %(target)s yuan · amounts in yuan") % {"target": yuan(project.target)},
        _("Payers' names shown") if names else _("Payers masked unless they chose to be named"),
        _("Generated: %(at)s") % {"at": _when(now or timezone.now())},
    ])  # fmt: skip
    _header(ws, [
        _("Date"), _("Kind"), _("Channel"), _("Payer or payee"), _("Reference"),
        _("In (yuan)"), _("Out (yuan)"), _("Receipt"), _("Note"), _("Transfer no."),
    ])  # fmt: skip
    residents = match = spent = 0
    for line in lines:
        ws.append([
            _when(line.at), line.kind, line.channel, line.who, line.reference,
            yuan(line.amount) if line.amount > 0 else None,
            yuan(-line.amount) if line.amount < 0 else None,
            _("yes") if line.receipt else "", line.memo, line.transfer,
        ])  # fmt: skip
        _money_cells(ws, ws.max_row, (6, 7))
    rows = MoneyTransfer.objects.filter(project=project, entries__account_id=project.account_id)
    for stream, amount in rows.values_list("stream", "entries__amount"):
        if stream == T.PAYMENT:
            residents += amount
        elif stream == T.MATCH:
            match += amount
        elif stream == T.EXPENSE:
            spent -= amount
    balance = residents + match - spent
    stored = ledger.balance(project.account_id) if project.account_id else 0
    summed = ledger.entries_sum(project.account_id) if project.account_id else 0
    ws.append([])
    totals = [
        (_("Residents' money (net)"), residents),
        (_("Community match (net)"), match),
        (_("Spent (net)"), spent),
        (_("Balance: residents + match − spent"), balance),
        (_("Ledger balance"), stored),
        (_("Sum of the ledger's entries"), summed),
    ]
    for label, fen in totals:
        ws.append([label, None, None, None, None, yuan(fen)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        _money_cells(ws, ws.max_row, (6,))
    ok = balance == stored == summed == sum(line.amount for line in lines)
    ws.append([_("Reconciles"), None, None, None, None, _("yes") if ok else _("NO")])
    for col, width in zip("ABCDEFGHIJ", (17, 16, 12, 14, 20, 13, 13, 8, 28, 10), strict=True):
        ws.column_dimensions[col].width = width
    return _save(wb)


def fund_workbook(fund: CommunityFund, *, now: datetime | None = None) -> bytes:
    """A community fund's statement: every movement of its account (allocations in,
    matches reserved for projects, unused reserves back), a running balance, and the
    closing balance against the stored one and the sum of the entries."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    kinds = dict(T.choices)
    wb = Workbook()
    wb.properties.creator = _("Shezhi Harbor")
    ws = wb.active
    ws.title = _("Fund statement")[:31]
    _sheet_head(ws, _("Statement of %(name)s") % {"name": fund.name}, [
        _("Community: %(name)s · amounts in yuan") % {"name": fund.community.name},
        _("Generated: %(at)s") % {"at": _when(now or timezone.now())},
    ])  # fmt: skip
    _header(ws, [
        _("Date"), _("Kind"), _("Project"), _("Cause"), _("In (yuan)"), _("Out (yuan)"),
        _("Balance (yuan)"), _("Note"), _("Transfer no."),
    ])  # fmt: skip
    running = total_in = total_out = 0
    entries = (
        MoneyEntry.objects.filter(account_id=fund.account_id)
        .select_related("transfer", "transfer__project")
        .order_by("transfer__at", "transfer__pk")
    )
    for entry in entries:
        t = entry.transfer
        running += entry.amount
        if entry.amount > 0:
            total_in += entry.amount
        else:
            total_out -= entry.amount
        ws.append([
            _when(t.at), str(kinds.get(t.kind, t.kind)),
            t.project.title if t.project_id else "", f"{t.cause_type}:{t.cause_id}",
            yuan(entry.amount) if entry.amount > 0 else None,
            yuan(-entry.amount) if entry.amount < 0 else None,
            yuan(running), t.memo, t.pk,
        ])  # fmt: skip
        _money_cells(ws, ws.max_row, (5, 6, 7))
    stored = ledger.balance(fund.account_id)
    summed = ledger.entries_sum(fund.account_id)
    ws.append([])
    for label, fen in (
        (_("Total in"), total_in),
        (_("Total out"), total_out),
        (_("Closing balance: in − out"), total_in - total_out),
        (_("Ledger balance"), stored),
        (_("Sum of the ledger's entries"), summed),
    ):
        ws.append([label, None, None, None, yuan(fen)])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        _money_cells(ws, ws.max_row, (5,))
    ok = total_in - total_out == running == stored == summed
    ws.append([_("Reconciles"), None, None, None, _("yes") if ok else _("NO")])
    for col, width in zip("ABCDEFGHI", (17, 18, 20, 18, 13, 13, 14, 24, 10), strict=True):
        ws.column_dimensions[col].width = width
    return _save(wb)


def log_export(*, actor, obj, sheet: str, names: bool) -> LogEntry:
    """The audit log's record of an export: who took which sheet of what, and whether
    it showed payers' names."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        changes={"export": [None, sheet], "names": [None, "yes" if names else "no"]},
    )
