"""The money ledger's writes and its check (see ``models`` for the design).

Callers (``services``) lock what they change first: the project row (which stands for
the project's account and its match reserve) or the fund's account, with ``lock``
(``SELECT … FOR UPDATE``, always in ascending id order, so two requests never
deadlock), then ``transfer`` writes the legs and moves the stored balances of the
holding accounts in the same transaction. The database refuses a negative holding
(``money_balance_never_negative``) and a second transfer for the same cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from shezhi.core import rows
from shezhi.core.ledger_rows import check_balanced

from .models import MoneyAccount, MoneyEntry, MoneyTransfer, Payment, Project

Kind = MoneyAccount.Kind
BOUNDARY = (Kind.PAYMENTS_IN, Kind.REFUNDS_OUT, Kind.EXPENSES_OUT, Kind.ALLOCATIONS_IN)

_boundary_ids: dict[tuple[int, str], int] = {}


def boundary_account(district_id: int, kind: str) -> int:
    """The id of the district's boundary account of ``kind`` (opened on first use).

    Ids are cached per process once the transaction that saw them has committed (a
    rolled-back opening must not leave a dangling id behind)."""
    if kind not in BOUNDARY:
        raise ValueError(f"not a boundary account kind: {kind!r}")
    key = (district_id, kind)
    found = _boundary_ids.get(key)
    if found is not None:
        return found
    account, _created = MoneyAccount.objects.get_or_create(area_id=district_id, kind=kind)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _boundary_ids.__setitem__(key, account.pk))
    else:
        _boundary_ids[key] = account.pk
    return account.pk


def forget_cached_accounts() -> None:
    _boundary_ids.clear()


def open_holding(kind: str, area) -> MoneyAccount:
    if kind not in MoneyAccount.HOLDING:
        raise ValueError(f"not a holding account kind: {kind!r}")
    return MoneyAccount.objects.create(kind=kind, area=area)


def lock(*account_ids: int) -> dict[int, int]:
    """Lock holding accounts (ascending ids); returns id → balance."""
    ids = sorted({pk for pk in account_ids if pk is not None})
    return dict(
        MoneyAccount.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "balance")
    )


def _change_balance(account_id: int, delta: int) -> None:
    table = MoneyAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = balance + %s WHERE id = %s",  # noqa: S608
            [delta, account_id],
        )


def planned(
    *,
    kind: str,
    legs: list[tuple[int, int]],
    cause_type: str,
    cause_id,
    at: datetime,
    project: Project | None = None,
    actor=None,
    memo: str = "",
    stream: str | None = None,
    reverses: MoneyTransfer | None = None,
    cause_key=None,
    pk: int | None = None,
) -> tuple[MoneyTransfer, list[tuple[int, int]]]:
    """The transfer row (unsaved) and its non-zero legs, after the checks every transfer
    passes (balanced, integer fen): for ``transfer`` and for writers that put the rows
    in one statement (``services.payment_sql``). ``cause_id``/``cause_key`` may be
    ``rows.Raw`` SQL there."""
    if not legs:
        raise ValueError("a transfer's legs must sum to zero")
    check_balanced((amount for _a, amount in legs), whole=True)
    legs = [(account, amount) for account, amount in legs if amount]
    moved = sum(amount for _a, amount in legs if amount > 0)
    if isinstance(cause_id, rows.Raw) and not isinstance(cause_key, rows.Raw):
        raise ValueError("a cause id given as SQL needs its cause key as SQL too")
    if not isinstance(cause_id, rows.Raw):
        cause_id = str(cause_id)
    row = MoneyTransfer(
        pk=pk,
        kind=kind,
        stream=stream or kind,
        project=project,
        amount=moved,
        cause_type=cause_type,
        cause_id=cause_id,
        cause_key=cause_key or f"{kind}:{cause_type}:{cause_id}",
        reverses=reverses,
        memo=memo[:200],
        at=at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return row, legs


def transfer(
    *,
    kind: str,
    legs: list[tuple[int, int]],
    holding: set[int],
    cause_type: str,
    cause_id: str,
    at: datetime,
    project: Project | None = None,
    actor=None,
    memo: str = "",
    stream: str | None = None,
    reverses: MoneyTransfer | None = None,
    cause_key: str | None = None,
) -> MoneyTransfer:
    """Write one balanced transfer: ``legs`` are (account id, fen gained); the accounts
    in ``holding`` (locked by the caller) have their stored balance moved too."""
    row, legs = planned(
        kind=kind,
        legs=legs,
        cause_type=cause_type,
        cause_id=cause_id,
        at=at,
        project=project,
        actor=actor,
        memo=memo,
        stream=stream,
        reverses=reverses,
        cause_key=cause_key,
    )
    rows.insert(row)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MoneyEntry._meta.db_table} (transfer_id, account_id, amount) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s)"] * len(legs)),
            [value for account, amount in legs for value in (row.pk, account, amount)],
        )
    for account, amount in legs:
        if account in holding:
            _change_balance(account, amount)
    return row


def reverse(
    original: MoneyTransfer, *, at: datetime, actor=None, memo: str = "", project=None
) -> MoneyTransfer:
    """The opposite legs of ``original``, citing it (the caller has locked its
    holding accounts). A transfer is reversed at most once (``reverses`` is one-to-one)."""
    legs = list(
        MoneyEntry.objects.filter(transfer=original).values_list(
            "account_id", "amount", "account__kind"
        )
    )
    holding = {pk for pk, _a, kind in legs if kind in MoneyAccount.HOLDING}
    return transfer(
        kind=MoneyTransfer.Kind.REVERSAL,
        stream=original.stream,
        legs=[(pk, -amount) for pk, amount, _k in legs],
        holding=holding,
        cause_type="reversal",
        cause_id=str(original.pk),
        at=at,
        project=project or original.project,
        actor=actor,
        memo=memo,
        reverses=original,
        cause_key=f"reversal:{original.pk}",
    )


def balance(account_id: int) -> int:
    """A holding account's balance: one row, whatever its history."""
    return MoneyAccount.objects.values_list("balance", flat=True).get(pk=account_id)


def entries_sum(account_id: int) -> int:
    return MoneyEntry.objects.filter(account_id=account_id).aggregate(s=Sum("amount"))["s"] or 0


def stream_sum(project: Project, *streams: str) -> int:
    """Net fen the project's account gained from transfers of ``streams`` (reversals
    count in the stream of what they reverse)."""
    return (
        MoneyEntry.objects.filter(
            account_id=project.account_id, transfer__stream__in=streams
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )


# ---------------------------------------------------------------------------
# The check


@dataclass
class MoneyCheck:
    """What ``money_check`` proves; every list holds the ids where an invariant breaks."""

    entries_sum: int = 0
    unbalanced_transfers: list[int] = field(default_factory=list)
    drifted_accounts: list[int] = field(default_factory=list)
    negative_accounts: list[int] = field(default_factory=list)
    counters_drifted: list[int] = field(default_factory=list)
    match_above_ratio: list[int] = field(default_factory=list)
    refunds_unequal: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.entries_sum == 0 and not any(
            (
                self.unbalanced_transfers,
                self.drifted_accounts,
                self.negative_accounts,
                self.counters_drifted,
                self.match_above_ratio,
                self.refunds_unequal,
            )
        )

    def lines(self) -> list[str]:
        return [
            f"all entries sum to: {self.entries_sum} fen",
            f"unbalanced transfers: {self.unbalanced_transfers}",
            f"balances differing from their entries: {self.drifted_accounts}",
            f"negative balances: {self.negative_accounts}",
            f"projects whose paid/matched totals differ from the ledger: {self.counters_drifted}",
            f"projects matched above their ratio or cap: {self.match_above_ratio}",
            f"refunds not equal to their payments: {self.refunds_unequal}",
        ]


def check() -> MoneyCheck:
    """Read the whole ledger and prove its invariants:

    1. all entries sum to zero, and every transfer's legs sum to zero;
    2. every holding account's stored balance equals the sum of its entries, none negative;
    3. each project's ``paid_in`` (residents' net money) and ``matched`` (the community's
       net match) equal the sums of its account's entries in those streams;
    4. matched ≤ ⌊paid_in × ratio / 10000⌋ and matched ≤ the project's match cap;
    5. every refund is for exactly what its payment was, a refunded payment has exactly
       one refund, and a project that missed its target holds nothing, all its payments
       refunded or reversed.
    """
    out = MoneyCheck()
    out.entries_sum = MoneyEntry.objects.aggregate(s=Sum("amount"))["s"] or 0
    out.unbalanced_transfers = sorted(
        MoneyEntry.objects.values("transfer_id")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .values_list("transfer_id", flat=True)
    )
    sums = dict(
        MoneyEntry.objects.values("account_id")
        .annotate(s=Sum("amount"))
        .values_list("account_id", "s")
    )
    for pk, kind, stored in MoneyAccount.objects.values_list("pk", "kind", "balance"):
        if kind in MoneyAccount.HOLDING:
            if sums.get(pk, 0) != stored:
                out.drifted_accounts.append(pk)
            if stored < 0 or sums.get(pk, 0) < 0:
                out.negative_accounts.append(pk)
        elif stored != 0:
            out.drifted_accounts.append(pk)
    streams: dict[tuple[int, str], int] = {}
    for account, stream, s in (
        MoneyEntry.objects.filter(account__kind=Kind.PROJECT)
        .values("account_id", "transfer__stream")
        .annotate(s=Sum("amount"))
        .values_list("account_id", "transfer__stream", "s")
    ):
        streams[(account, stream)] = s
    T = MoneyTransfer.Kind
    for p in Project.objects.exclude(account=None).only(
        "pk", "account_id", "paid_in", "matched", "match_ratio_bp", "match_cap", "stage"
    ):
        paid = streams.get((p.account_id, T.PAYMENT), 0) + streams.get((p.account_id, T.REFUND), 0)
        matched = streams.get((p.account_id, T.MATCH), 0) + streams.get(
            (p.account_id, T.MATCH_RETURN), 0
        )
        if paid != p.paid_in or matched != p.matched:
            out.counters_drifted.append(p.pk)
        if matched > paid * p.match_ratio_bp // 10000 or matched > p.match_cap:
            out.match_above_ratio.append(p.pk)
        if p.stage == Project.Stage.EXPIRED and (
            paid != 0
            or sums.get(p.account_id, 0) != 0
            or p.payments.filter(status=Payment.Status.PAID).exists()
        ):
            out.refunds_unequal.append(p.pk)
    refunds = MoneyTransfer.objects.filter(kind=T.REFUND)
    refunded_ids = [int(c) for c in refunds.values_list("cause_id", flat=True)]
    paid_amounts = dict(Payment.objects.filter(pk__in=refunded_ids).values_list("pk", "amount"))
    for project_id, cause_id, amount in refunds.values_list("project_id", "cause_id", "amount"):
        if paid_amounts.get(int(cause_id)) != amount:
            out.refunds_unequal.append(project_id)
    counts = dict(refunds.values("cause_id").annotate(n=Count("pk")).values_list("cause_id", "n"))
    for pk, project_id in Payment.objects.filter(status=Payment.Status.REFUNDED).values_list(
        "pk", "project_id"
    ):
        if counts.get(str(pk), 0) != 1:
            out.refunds_unequal.append(project_id)
    # A payment refunded is no longer paid: no refund for one still counted as paid.
    for project_id in Payment.objects.filter(
        ~Q(status=Payment.Status.REFUNDED), pk__in=[int(c) for c in counts]
    ).values_list("project_id", flat=True):
        out.refunds_unequal.append(project_id)
    out.refunds_unequal = sorted(set(out.refunds_unequal))
    return out
