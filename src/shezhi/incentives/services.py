"""Every write to the points ledger: awards, deductions, redemptions, reversals.

Each function runs in one transaction (a savepoint inside the caller's, so an
award is committed or rolled back with the work that earned it). A person's
account rows are locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite holds
its one write lock) before their balance is read or changed, always in the
same order (routine, emergency, other), so two requests never deadlock. The
balance is changed and its entries written in the same transaction, the
database refuses a negative balance (``person_balance_never_negative``) and a
second transfer for the same cause (``cause_key`` is unique).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.areas.models import Area
from shezhi.core import rows
from shezhi.core.errors import BadInput, Forbidden, NotAllowed
from shezhi.core.ledger_rows import check_balanced
from shezhi.core.snapshot import Snapshot

from . import causes, permissions, rules
from .models import (
    DEDUCTION_RULES,
    Account,
    Bucket,
    CauseType,
    Entry,
    PieceRateRule,
    Redemption,
    Reward,
    RuleKind,
    Transfer,
)

BUCKET_ORDER = [Bucket.ROUTINE, Bucket.EMERGENCY, Bucket.OTHER]
# A redemption spends routine points first, then other, and emergency points
# last: they are the scarcest and the proudest (the choice is documented in
# the README's points section).
SPEND_ORDER = [Bucket.ROUTINE, Bucket.OTHER, Bucket.EMERGENCY]


# ---------------------------------------------------------------------------
# Accounts


def _load_system_accounts() -> dict[tuple[int, str, str], int]:
    return {
        (a.district_id, a.kind, a.bucket): a.pk
        for a in Account.objects.exclude(kind=Account.Kind.PERSON).only(
            "pk", "district_id", "kind", "bucket"
        )
    }


_system_accounts = Snapshot(_load_system_accounts, "incentives.system_accounts")


def _load_districts() -> dict[str, int]:
    return dict(Area.objects.filter(depth=1).values_list("path", "pk"))


_districts = Snapshot(_load_districts, "incentives.districts")


def district_id_of(area: Area) -> int:
    path = area.path[: Area.steplen]
    found = _districts.get().get(path)
    if found is None:
        _districts.clear()
        found = _districts.get()[path]
    return found


def system_account(district_id: int, kind: str, bucket: str = "") -> int:
    """The id of a district's issuing account for ``bucket`` or its redemption account.

    Known ids come from a per-process snapshot. A transaction that opens an account
    reads past the snapshot until it ends: a reload inside it would cache a row
    that a rollback then takes away (and every later award of the district would
    fail on its foreign key). It has ended when the commit hook it left has run or
    has been dropped by a rollback (``_opening_pending``); until then every call
    asks the database, after it none does.
    """
    key = (district_id, kind, bucket)
    if not _opening_pending():
        found = _system_accounts.get().get(key)
        if found is not None:
            return found
    else:
        # Opened by this transaction, and still there if the commit hook its opening
        # left is (a rollback of the savepoint that opened it drops both).
        opened = getattr(connection, "_points_opened_here", {}).get(key)
        if opened is not None and _hook_pending(opened[1]):
            return opened[0]
    account, created = Account.objects.get_or_create(
        kind=kind, bucket=bucket, district_id=district_id
    )
    if created and connection.in_atomic_block:

        def opened_committed() -> None:
            connection._points_opened_account = None
            connection._points_opened_here = {}
            _system_accounts.clear()

        if not _opening_pending():
            connection._points_opened_account = opened_committed
            connection._points_opened_here = {}
        transaction.on_commit(opened_committed)
        connection._points_opened_here[key] = (account.pk, opened_committed)
    elif created:
        _system_accounts.clear()
    return account.pk


def _hook_pending(hook) -> bool:
    return connection.in_atomic_block and any(
        func is hook for _sids, func, _robust in connection.run_on_commit
    )


def _opening_pending() -> bool:
    """Whether a transaction that opened a system account is still open: its commit hook
    is still waiting (a commit runs it; a rollback of the transaction or of the savepoint
    that registered it drops it, and then the account is gone with it)."""
    hook = getattr(connection, "_points_opened_account", None)
    if hook is None:
        return False
    if _hook_pending(hook):
        return True
    connection._points_opened_account = None
    connection._points_opened_here = {}
    return False


def _person_accounts(user_id: int, buckets) -> dict[str, tuple[int, int]]:
    """bucket → (account id, balance) for ``buckets``, created when missing, locked."""
    wanted = sorted(set(buckets), key=BUCKET_ORDER.index)
    for _attempt in range(2):
        found = {
            a.bucket: (a.pk, a.balance)
            for a in Account.objects.select_for_update()
            .filter(kind=Account.Kind.PERSON, user_id=user_id, bucket__in=wanted)
            .order_by("pk")
        }
        missing = [b for b in wanted if b not in found]
        if not missing:
            return found
        for bucket in missing:
            try:
                with transaction.atomic():
                    Account.objects.create(kind=Account.Kind.PERSON, user_id=user_id, bucket=bucket)
            except IntegrityError:
                pass  # another request opened it first
    raise RuntimeError("could not open the person's points accounts")


def _change_balance(account_id: int, delta: int) -> int:
    """Add ``delta`` to a person account; returns the new balance (one statement)."""
    table = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = balance + %s WHERE id = %s RETURNING balance",  # noqa: S608
            [delta, account_id],
        )
        return cursor.fetchone()[0]


def _write(transfer: Transfer, legs: list[tuple[int, int, int | None]]) -> Transfer:
    """Insert ``transfer`` and its legs (account id, amount, balance after)."""
    check_balanced(amount for _a, amount, _b in legs)
    transfer.area_path = transfer.area_path or transfer.area.path
    rows.insert(transfer)
    legs = [leg for leg in legs if leg[1]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Entry._meta.db_table}"  # noqa: S608
            " (transfer_id, account_id, amount, balance_after) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(legs)),
            [
                value
                for account, amount, after in legs
                for value in (transfer.pk, account, amount, after)
            ],
        )
    return transfer


def _day_bounds(at: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(at)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


# ---------------------------------------------------------------------------
# Piece-rate awards


def award_piece(
    *,
    kind: str,
    user,
    area: Area,
    cause_type: str,
    cause_id: str,
    cause_ref: str = "",
    quantity: float = 1,
    bucket: str | None = None,
    at: datetime | None = None,
    actor=None,
    private: bool = False,
) -> Transfer | None:
    """Pay (or, for a deduction rule, take) the district's piece rate for one cause.

    Exactly once per (kind, cause): a second call for the same cause returns the
    first transfer and writes nothing. ``quantity`` multiplies the rate (hours of
    volunteering); points are rounded down. ``bucket`` overrides the rule's (an
    event in emergency mode earns emergency points). Returns None when nothing
    is due: the rule is switched off, the daily cap is reached, or a deduction
    finds no points left in the bucket (a balance never goes below zero).

    ``private``: the cause is the person's own secret (their anonymous report): the
    transfer names it to nobody else (``causes``: hashed id and key, no reference,
    the community for the area and the day for the time).
    """
    # The same reckoning as award_pieces: one definition of the key, the rate and the due.
    owed = _due(
        Piece(
            kind=kind,
            user=user,
            area=area,
            cause_type=cause_type,
            cause_id=cause_id,
            cause_ref=cause_ref,
            quantity=quantity,
            bucket=bucket,
            at=at,
            actor=actor,
            private=private,
        )
    )
    if owed is None:
        return None
    cause_key, cause_id, cause_ref = owed.cause_key, owed.cause_id, owed.cause_ref
    area, at, district_id, rate = owed.area, owed.at, owed.district_id, owed.rate
    due, bucket = owed.due, owed.bucket
    deduction = kind in DEDUCTION_RULES
    try:
        with transaction.atomic():
            if deduction:
                account_id, balance = _person_accounts(user.pk, [bucket])[bucket]
                due = min(due, balance, _cap_left(rate, user.pk, kind, at))
                if due <= 0:
                    raise _NothingDue
                delta = -due
                after = _change_balance(account_id, delta)
            else:
                # One statement finds, locks and credits the account (the hot path).
                account_id, after = _credit(user.pk, bucket, due)
                allowed = min(due, _cap_left(rate, user.pk, kind, at))
                if allowed <= 0:
                    raise _NothingDue
                if allowed < due:
                    after = _change_balance(account_id, allowed - due)
                delta = allowed
            transfer = Transfer(
                kind=Transfer.Kind.DEDUCTION if deduction else Transfer.Kind.AWARD,
                user_id=user.pk,
                district_id=district_id,
                area=area,
                area_path=area.path,
                bucket=bucket,
                points=delta,
                earning=True,
                rule=kind,
                cause_type=cause_type,
                cause_id=str(cause_id),
                cause_ref=cause_ref[:200],
                cause_key=cause_key,
                private_cause=private,
                at=at,
                created_by=actor,
            )
            issuing = system_account(district_id, Account.Kind.ISSUING, bucket)
            return _write(transfer, [(account_id, delta, after), (issuing, -delta, None)])
    except _NothingDue:
        # The cap is checked before the once-per-cause key meets the row: a cause paid
        # earlier that day answers with its first transfer, as promised, not None.
        return Transfer.objects.filter(cause_key=cause_key).first()
    except IntegrityError:
        existing = Transfer.objects.filter(cause_key=cause_key).first()
        if existing is None:
            raise
        return existing


@dataclass(frozen=True)
class Piece:
    """One piece of work for ``award_pieces``: ``award_piece``'s arguments."""

    kind: str
    user: Any
    area: Area
    cause_type: str
    cause_id: str
    cause_ref: str = ""
    quantity: float = 1
    bucket: str | None = None
    at: datetime | None = None
    actor: Any = None
    private: bool = False


@dataclass
class _Due:
    """A piece as ``award_piece`` would book it: key, district, rate, points due."""

    piece: Piece
    cause_key: str
    cause_id: str
    cause_ref: str
    area: Area
    at: datetime
    district_id: int
    rate: rules.Rate
    due: int
    bucket: str


def _due(piece: Piece) -> _Due | None:
    """What ``award_piece`` computes before it writes (None: the rule pays nothing)."""
    kind, cause_type = piece.kind, piece.cause_type
    if kind not in RuleKind.values:
        raise ValueError(f"unknown piece-rate rule {kind!r}")
    if cause_type not in CauseType.values:
        raise ValueError(f"unknown cause type {cause_type!r}")
    at, area, cause_id, cause_ref = (
        piece.at or timezone.now(),
        piece.area,
        piece.cause_id,
        piece.cause_ref,
    )
    if piece.private:
        cause_key = causes.key(kind, cause_type, str(cause_id))
        cause_id, cause_ref = causes.stored_id(cause_type, str(cause_id)), ""
        area, at = _coarse_area(area), _day_bounds(at)[0]
    else:
        cause_key = f"{kind}:{cause_type}:{cause_id}"
    district_id = district_id_of(area)
    rate = rules.rate(district_id, kind)
    due = math.floor(rate.points * piece.quantity + 1e-9) if rate.active else 0
    if due <= 0:
        return None
    return _Due(piece, cause_key, str(cause_id), cause_ref, area, at, district_id, rate, due,
                piece.bucket or rate.bucket)  # fmt: skip


def award_pieces(pieces: Sequence[Piece]) -> list[Transfer | None]:
    """``award_piece`` for each of ``pieces`` in their order, in a few statements: the same
    ledger rows (transfers, entries, balances after) as one call each, by the same rules.

    Exactly once per cause (a cause already booked, or earlier in the batch, answers its
    first transfer and writes nothing); daily caps counted over the day's booked transfers
    and the batch's earlier pieces; a deduction never takes a balance below zero; every
    transfer balanced against its district's issuing account. The people's accounts are
    locked (in id order) before their balances are read; one that would get nothing is
    not opened. Should another writer book one of the causes meanwhile (the unique key
    refuses the batch), the batch is undone and each piece goes through ``award_piece``.
    For many awards at once (an operation's thousands of checks); a single award is
    cheaper through ``award_piece``.
    """
    if not pieces:
        return []
    try:
        with transaction.atomic():
            return _award_pieces([_due(p) for p in pieces])
    except IntegrityError:
        return [award_piece(**vars(p)) for p in pieces]


def _award_pieces(dues: list[_Due | None]) -> list[Transfer | None]:
    wanted = [d for d in dues if d is not None]
    booked: dict[str, Transfer] = {}
    keys = sorted({d.cause_key for d in wanted})
    for i in range(0, len(keys), 500):
        booked.update(
            (t.cause_key, t) for t in Transfer.objects.filter(cause_key__in=keys[i : i + 500])
        )
    fresh = [d for d in wanted if d.cause_key not in booked]
    # The people's accounts, locked, in id order; a missing one has balance 0 until opened.
    user_ids = sorted({d.piece.user.pk for d in fresh})
    accounts: dict[tuple[int, str], list] = {}  # (user, bucket) → [account id, balance]
    for i in range(0, len(user_ids), 500):
        for a in (
            Account.objects.select_for_update()
            .filter(kind=Account.Kind.PERSON, user_id__in=user_ids[i : i + 500])
            .order_by("pk")
        ):
            accounts[(a.user_id, a.bucket)] = [a.pk, a.balance]
    used: dict[tuple[int, str, datetime], int] = {}  # the day's points per person and rule
    out: list[Transfer | None] = []
    legs: list[tuple[Transfer, tuple[int, str], int]] = []
    for d in dues:
        if d is None:
            out.append(None)
            continue
        if d.cause_key in booked:
            out.append(booked[d.cause_key])
            continue
        p, rate = d.piece, d.rate
        owner = (p.user.pk, d.bucket)
        balance = accounts.get(owner, [None, 0])[1]
        if rate.daily_cap is None:
            cap_left = rate.points * 1_000_000
        else:
            day = (p.user.pk, p.kind, _day_bounds(d.at)[0])
            if day not in used:
                used[day] = _cap_used(p.user.pk, p.kind, d.at)
            cap_left = rate.daily_cap - abs(used[day])
        deduction = p.kind in DEDUCTION_RULES
        delta = -min(d.due, balance, cap_left) if deduction else min(d.due, cap_left)
        if (-delta if deduction else delta) <= 0:
            out.append(None)
            continue
        if rate.daily_cap is not None:
            used[day] += delta
        accounts.setdefault(owner, [None, 0])[1] = balance + delta
        transfer = Transfer(
            kind=Transfer.Kind.DEDUCTION if deduction else Transfer.Kind.AWARD,
            user_id=p.user.pk,
            district_id=d.district_id,
            area=d.area,
            area_path=d.area.path,
            bucket=d.bucket,
            points=delta,
            earning=True,
            rule=p.kind,
            cause_type=p.cause_type,
            cause_id=d.cause_id,
            cause_ref=d.cause_ref[:200],
            cause_key=d.cause_key,
            private_cause=p.private,
            at=d.at,
            created_by=p.actor,
        )
        booked[d.cause_key] = transfer
        legs.append((transfer, owner, balance + delta))
        out.append(transfer)
    if legs:
        _write_many(legs, accounts)
    return out


def _cap_used(user_id: int, kind: str, at: datetime) -> int:
    """The points (signed) this person's ``kind`` awards or deductions moved on ``at``'s day."""
    start, end = _day_bounds(at)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(points), 0) FROM {Transfer._meta.db_table}"  # noqa: S608
            " WHERE user_id = %s AND rule = %s AND at >= %s AND at < %s AND kind IN (%s, %s)",
            [user_id, kind, adapt(start), adapt(end), Transfer.Kind.AWARD, Transfer.Kind.DEDUCTION],
        )
        return cursor.fetchone()[0]


def _write_many(legs: list[tuple[Transfer, tuple[int, str], int]], accounts: dict) -> None:
    """Open the accounts the batch pays into, insert its transfers and their entries, and
    move each account's balance by the batch's sum (checked against the running figures)."""
    for user_id, bucket in sorted({owner for _t, owner, _a in legs}):
        if accounts[(user_id, bucket)][0] is None:
            accounts[(user_id, bucket)][0] = _person_accounts(user_id, [bucket])[bucket][0]
    for transfer, _owner, _after in legs:
        transfer.area_path = transfer.area_path or transfer.area.path
        rows.insert(transfer)
    entries = []
    moved: dict[int, int] = {}
    for transfer, owner, after in legs:
        account_id = accounts[owner][0]
        issuing = system_account(transfer.district_id, Account.Kind.ISSUING, transfer.bucket)
        pair = [(account_id, transfer.points, after), (issuing, -transfer.points, None)]
        check_balanced(amount for _a, amount, _b in pair)
        entries += [(transfer.pk, a, amount, b) for a, amount, b in pair]
        moved[account_id] = moved.get(account_id, 0) + transfer.points
    with connection.cursor() as cursor:
        for i in range(0, len(entries), 200):
            chunk = entries[i : i + 200]
            cursor.execute(
                f"INSERT INTO {Entry._meta.db_table}"  # noqa: S608
                " (transfer_id, account_id, amount, balance_after) VALUES "
                + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )
    final = {accounts[owner][0]: accounts[owner][1] for owner in {o for _t, o, _a in legs}}
    for account_id, delta in sorted(moved.items()):
        if _change_balance(account_id, delta) != final[account_id]:
            raise RuntimeError("a points balance moved under the batch's lock")


# A private cause's place: the community (总网格), whose staff may still correct it and
# whose leaderboard still counts it; not the micro-grid, which would narrow it down.
PRIVATE_AREA_DEPTH = 3


def _coarse_area(area: Area) -> Area:
    if area.depth <= PRIVATE_AREA_DEPTH:
        return area
    return Area.objects.defer("boundary").get(path=area.path[: PRIVATE_AREA_DEPTH * Area.steplen])


class _NothingDue(Exception):
    """Rolls back an award's savepoint when the cap or the balance leaves nothing to move."""


def _credit(user_id: int, bucket: str, points: int) -> tuple[int, int]:
    """Add ``points`` to the person's ``bucket`` account, opening it first if need be;
    returns (account id, new balance). The UPDATE takes the row's lock."""
    table = Account._meta.db_table
    sql = (
        f"UPDATE {table} SET balance = balance + %s"  # noqa: S608
        " WHERE kind = 'person' AND user_id = %s AND bucket = %s RETURNING id, balance"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [points, user_id, bucket])
        row = cursor.fetchone()
        if row is None:
            # Opened by one prepared INSERT (a person's first points: the demo's year
            # opens some two thousand); a parallel opening is the unique key's refusal.
            try:
                with transaction.atomic():
                    rows.insert(Account(kind=Account.Kind.PERSON, user_id=user_id, bucket=bucket))
            except IntegrityError:
                pass  # another request opened it first
            cursor.execute(sql, [points, user_id, bucket])
            row = cursor.fetchone()
    return row[0], row[1]


def _cap_left(rate: rules.Rate, user_id: int, kind: str, at: datetime) -> int:
    """What the daily cap still allows this person from this rule on ``at``'s local day
    (read under the account's lock, so parallel awards cannot both pass it). Only the
    day's awards or deductions count: a correction is booked on the day it is made,
    which need not be the day of the work it corrects."""
    if rate.daily_cap is None:
        return rate.points * 1_000_000
    start, end = _day_bounds(at)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(points), 0) FROM {Transfer._meta.db_table}"  # noqa: S608
            " WHERE user_id = %s AND rule = %s AND at >= %s AND at < %s AND kind IN (%s, %s)",
            [user_id, kind, adapt(start), adapt(end), Transfer.Kind.AWARD, Transfer.Kind.DEDUCTION],
        )
        used = abs(cursor.fetchone()[0])
    return rate.daily_cap - used


# ---------------------------------------------------------------------------
# Reversals


def _reversal_legs(original: Transfer) -> tuple[list[tuple[int, int, int | None]], dict]:
    """Opposite legs of ``original``, person balances changed (and checked) under lock."""
    entries = list(original.entries.select_related("account"))
    person_buckets = [e.account.bucket for e in entries if e.account.kind == Account.Kind.PERSON]
    accounts = _person_accounts(original.user_id, person_buckets)
    for e in entries:
        if e.account.kind == Account.Kind.PERSON and accounts[e.account.bucket][1] < e.amount:
            raise NotAllowed(
                _(
                    "%(user)s has only %(balance)d %(bucket)s points left; the %(points)d"
                    " points cannot be taken back (cancel a redemption first)."
                )
                % {
                    "user": original.user,
                    "balance": accounts[e.account.bucket][1],
                    "bucket": e.account.get_bucket_display(),
                    "points": e.amount,
                }
            )
    legs = []
    for e in entries:
        after = None
        if e.account.kind == Account.Kind.PERSON:
            after = _change_balance(e.account_id, -e.amount)
        legs.append((e.account_id, -e.amount, after))
    return legs, {}


def _reverse(original: Transfer, *, reason: str, actor, at: datetime) -> Transfer:
    legs, _extra = _reversal_legs(original)
    if original.private_cause:
        # The time of a merge would point at the report as surely as its number.
        at = max(_day_bounds(at)[0], original.at)
    return _write(
        Transfer(
            kind=Transfer.Kind.REVERSAL,
            user_id=original.user_id,
            district_id=original.district_id,
            area_id=original.area_id,
            area_path=original.area_path,
            bucket=original.bucket,
            points=-original.points,
            earning=original.earning,
            rule=original.rule,
            cause_type=CauseType.TRANSFER,
            cause_id=str(original.pk),
            cause_ref=original.cause_ref,
            cause_key=f"reversal:{original.pk}",
            private_cause=original.private_cause,
            reverses=original,
            memo=reason[:200],
            at=at,
            created_by=actor,
        ),
        legs,
    )


def reverse_transfer(*, actor, transfer: Transfer, reason: str, at: datetime | None = None):
    """Put a mistaken award or deduction right: a new transfer with the opposite legs.

    Staff over the area where the points were earned may do it, once per
    transfer, with a reason. Redemptions are cancelled with ``cancel_redemption``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("Give a reason."), field="reason")
    if len(reason) > 200:
        raise BadInput(_("The reason is longer than 200 characters."), field="reason")
    if not permissions.can(actor, "manage", transfer.area):
        raise Forbidden(
            _("You cannot correct points earned in %(area)s.") % {"area": transfer.area}
        )
    if transfer.kind not in (Transfer.Kind.AWARD, Transfer.Kind.DEDUCTION):
        raise NotAllowed(_("Only awards and deductions are reversed; cancel a redemption instead."))
    already = NotAllowed(_("This transfer has already been reversed."))
    if Transfer.objects.filter(reverses=transfer).exists():
        raise already
    try:
        with transaction.atomic():
            return _reverse(transfer, reason=reason, actor=actor, at=at or timezone.now())
    except IntegrityError:
        raise already from None  # reversed meanwhile by somebody else


def reverse_cause(
    *,
    kind: str,
    cause_type: str,
    cause_id: str,
    reason: str,
    at=None,
    actor=None,
    private: bool = False,
):
    """Take back the award a cause earned, if any and not yet taken back (quality rules:
    a registered report later merged as a duplicate earns nothing). Returns the
    reversal, or None. Never fails for lack of points: what was already spent stays spent.
    ``private``: the award was made with ``private=True`` (its key is a hash)."""
    keys = [f"{kind}:{cause_type}:{cause_id}"]
    if private:
        keys.insert(0, causes.key(kind, cause_type, str(cause_id)))
    original = Transfer.objects.filter(cause_key__in=keys).order_by("pk").first()
    if original is None:
        return None
    if original.private_cause:
        reason = ""  # "merged as a duplicate" on a day would narrow the report down
    try:
        with transaction.atomic():
            return _reverse(original, reason=reason, actor=actor, at=at or timezone.now())
    except (IntegrityError, NotAllowed):
        return None


# ---------------------------------------------------------------------------
# Redemption


def redeem(*, user, reward: Reward, quantity: int = 1, at: datetime | None = None) -> Redemption:
    """Spend ``user``'s points on ``reward``: stock and balance checked and taken atomically.

    ``reward`` must be one the user may see (``selectors.rewards_for``); the caller
    fetches it through that selector so that any other answers 404.
    """
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise BadInput(_("The quantity is not a whole number."), field="quantity") from None
    if not 1 <= quantity <= 20:
        raise BadInput(_("Redeem between 1 and 20 at a time."), field="quantity")
    at = at or timezone.now()
    cost = reward.cost * quantity
    with transaction.atomic():
        # The stock first: one conditional UPDATE, so two redemptions of the last
        # item cannot both pass.
        unlimited = Reward.objects.filter(pk=reward.pk, active=True, stock__isnull=True)
        limited = Reward.objects.filter(pk=reward.pk, active=True, stock__gte=quantity)
        taken = unlimited.exists() or limited.update(stock=F("stock") - quantity) == 1
        if not taken:
            current = Reward.objects.filter(pk=reward.pk).values("active", "stock").first()
            if not current or not current["active"]:
                raise NotAllowed(_("%(reward)s is no longer offered.") % {"reward": reward.name})
            raise NotAllowed(
                _("Only %(stock)d of %(reward)s left.")
                % {"stock": current["stock"], "reward": reward.name}
            )
        accounts = _person_accounts(user.pk, BUCKET_ORDER)
        total = sum(balance for _id, balance in accounts.values())
        if total < cost:
            raise NotAllowed(
                _("%(reward)s costs %(cost)d points; you have %(total)d.")
                % {"reward": reward.name, "cost": cost, "total": total}
            )
        legs, left = [], cost
        for bucket in SPEND_ORDER:
            account_id, balance = accounts[bucket]
            take = min(balance, left)
            if take:
                legs.append((account_id, -take, _change_balance(account_id, -take)))
                left -= take
        district_id = district_id_of(reward.area)
        legs.append((system_account(district_id, Account.Kind.REDEMPTION), cost, None))
        redemption = Redemption.objects.create(
            reward=reward, user=user, quantity=quantity, points=cost, created_at=at
        )
        redemption.transfer = _write(
            Transfer(
                kind=Transfer.Kind.REDEMPTION,
                user_id=user.pk,
                district_id=district_id,
                area=reward.area,
                area_path=reward.area_path,
                bucket="",
                points=-cost,
                earning=False,
                cause_type=CauseType.REDEMPTION,
                cause_id=str(redemption.pk),
                cause_ref=f"{reward.name} × {quantity}",
                cause_key=f"redemption:{redemption.pk}",
                at=at,
                created_by=user,
            ),
            legs,
        )
        redemption.save(update_fields=["transfer"])
    return redemption


def cancel_redemption(*, actor, redemption: Redemption, reason: str, at=None) -> Redemption:
    """Give the points and the stock back; the person themself before hand-over, or staff."""
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise BadInput(_("The reason is longer than 200 characters."), field="reason")
    own = actor.pk == redemption.user_id
    if not own and not permissions.can(actor, "manage", redemption.reward.area):
        raise Forbidden(_("You cannot cancel this redemption."))
    if own and not reason:
        reason = _("Cancelled by the person")
    if not reason:
        raise BadInput(_("Give a reason."), field="reason")
    at = at or timezone.now()
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.status != Redemption.Status.REDEEMED:
            raise NotAllowed(
                _("This redemption is already “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        _reverse(locked.transfer, reason=reason, actor=actor, at=at)
        if locked.reward.stock is not None:
            Reward.objects.filter(pk=locked.reward_id).update(stock=F("stock") + locked.quantity)
        locked.status = Redemption.Status.CANCELLED
        locked.cancelled_at = at
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return locked


def hand_over(*, actor, redemption: Redemption, at=None) -> Redemption:
    """Staff record that the reward was handed to the person."""
    if not permissions.can(actor, "manage", redemption.reward.area):
        raise Forbidden(
            _("You cannot hand over rewards of %(area)s.") % {"area": redemption.reward.area}
        )
    with transaction.atomic():
        locked = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if locked.status != Redemption.Status.REDEEMED:
            raise NotAllowed(
                _("This redemption is already “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        locked.status = Redemption.Status.HANDED_OVER
        locked.handed_over_at = at or timezone.now()
        locked.handed_over_by = actor
        locked.save(update_fields=["status", "handed_over_at", "handed_over_by"])
    return locked


# ---------------------------------------------------------------------------
# Configuration: piece rates and the rewards catalogue


def set_rule(
    *,
    actor,
    district: Area,
    kind: str,
    bucket: str,
    points,
    daily_cap=None,
    active: bool = True,
) -> PieceRateRule:
    """A district admin sets what one kind of work pays from now on (past entries keep theirs)."""
    if district.depth != 1:
        raise BadInput(_("Piece rates are set per district."), field="district")
    if not permissions.can(actor, "set_rules", district):
        raise Forbidden(_("Only the district's administrators set its piece rates."))
    if kind not in RuleKind.values:
        raise BadInput(_("Unknown kind of work %(kind)s.") % {"kind": kind}, field="kind")
    if bucket not in Bucket.values:
        raise BadInput(_("The bucket is routine, emergency or other."), field="bucket")
    points = _whole(points, "points", low=0, high=1000)
    if daily_cap not in (None, ""):
        daily_cap = _whole(daily_cap, "daily_cap", low=1, high=100000)
    else:
        daily_cap = None
    with transaction.atomic():
        rule, _created = PieceRateRule.objects.select_for_update().get_or_create(
            district=district,
            kind=kind,
            defaults={"bucket": bucket, "points": points, "daily_cap": daily_cap},
        )
        rule.bucket, rule.points, rule.daily_cap = bucket, points, daily_cap
        rule.active = bool(active)
        rule.updated_by = actor
        rule.save()
    return rule


def _whole(value, field: str, *, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise BadInput(
            _("%(field)s is not a whole number.") % {"field": field}, field=field
        ) from None
    if not low <= number <= high:
        raise BadInput(
            _("%(field)s must be between %(low)d and %(high)d.")
            % {"field": field, "low": low, "high": high},
            field=field,
        )
    return number


def save_reward(
    *,
    actor,
    area: Area,
    name: str,
    kind: str,
    cost,
    stock=None,
    description: str = "",
    active: bool = True,
    reward: Reward | None = None,
) -> Reward:
    """Offer (or change) a reward in ``area``: staff holding the area (or above it)."""
    if not permissions.can(actor, "manage", area):
        raise Forbidden(_("You cannot offer rewards in %(area)s.") % {"area": area})
    name = (name or "").strip()
    if not name:
        raise BadInput(_("Name the reward."), field="name")
    if len(name) > 100:
        raise BadInput(_("The name is longer than 100 characters."), field="name")
    if kind not in Reward.Kind.values:
        raise BadInput(_("A reward is goods, a service or an honour."), field="kind")
    cost = _whole(cost, "cost", low=1, high=1_000_000)
    stock = None if stock in (None, "") else _whole(stock, "stock", low=0, high=1_000_000)
    reward = reward or Reward()
    reward.area, reward.area_path = area, area.path
    reward.name, reward.kind, reward.cost, reward.stock = name, kind, cost, stock
    reward.description = (description or "").strip()[:2000]
    reward.active = bool(active)
    with transaction.atomic():
        reward.save()
    return reward
