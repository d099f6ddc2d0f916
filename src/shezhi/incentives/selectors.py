"""Every read of the points ledger: balances, statements, leaderboards, catalogues; scoped here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.lists import after_q, decode_cursor, encode_cursor, subtree_q
from shezhi.core.scope import top_areas
from shezhi.people.models import RoleAssignment

from . import causes, permissions
from .models import Account, Bucket, Entry, Redemption, Reward, Transfer

# What a line never shows of its area.
AREA_OUTLINE = ("area__boundary",)
# What a list of people by name never shows: their phone and ID number, encrypted at rest
# (loaded, each row's would be decrypted only to be thrown away).
PERSON_SECRETS = ("person__phone", "person__id_number")


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _subtree(path: str, field: str = "area_path") -> Q:
    # A range, not LIKE: both databases answer it from the (path, at) index.
    return subtree_q(field, path)


# ---------------------------------------------------------------------------
# One person's points


@dataclass(frozen=True)
class Balances:
    routine: int
    emergency: int
    other: int

    @property
    def total(self) -> int:
        return self.routine + self.emergency + self.other

    def as_dict(self) -> dict[str, int]:
        return {
            "routine": self.routine,
            "emergency": self.emergency,
            "other": self.other,
            "total": self.total,
        }


def balances(user) -> Balances:
    """The person's balance per bucket: at most three rows by their unique index,
    whatever the length of the history (the ledger keeps them with every entry)."""
    found = dict(
        Account.objects.filter(kind=Account.Kind.PERSON, user_id=user.pk).values_list(
            "bucket", "balance"
        )
    )
    return Balances(
        found.get(Bucket.ROUTINE, 0), found.get(Bucket.EMERGENCY, 0), found.get(Bucket.OTHER, 0)
    )


@dataclass
class StatementLine:
    transfer: Transfer | LeanTransfer
    balance: int  # the person's total after this line


@dataclass(frozen=True, slots=True)
class AreaCode:
    code: str


@dataclass(slots=True)
class LeanTransfer:
    """What the API's statement shows of a transfer (and ``causes.resolve`` reads), read
    as plain values: a long history's thousands of model instances were most of its time."""

    pk: int
    user_id: int
    at: datetime
    kind: str
    bucket: str
    points: int
    rule: str
    cause_type: str
    cause_id: str
    cause_ref: str
    private_cause: bool
    memo: str
    area: AreaCode
    reverses_id: int | None
    reverses: LeanTransfer | None = None


_LEAN = (
    "pk", "user_id", "at", "kind", "bucket", "points", "rule", "cause_type", "cause_id",
    "cause_ref", "private_cause", "memo", "area__code", "reverses_id",
    "reverses__cause_type", "reverses__cause_id", "reverses__private_cause",
)  # fmt: skip


def _lean(row: tuple) -> LeanTransfer:
    t = LeanTransfer(*row[:12], AreaCode(row[12]), row[13])
    if t.reverses_id is not None:
        # What a reversal's cause is read from: the transfer it reverses.
        t.reverses = LeanTransfer(
            t.reverses_id, t.user_id, t.at, "", "", 0, "", row[14], row[15], "", row[16],
            "", t.area, None,
        )  # fmt: skip
    return t


@dataclass
class Statement:
    user: object
    start: date | None
    end: date | None  # exclusive
    opening: int
    lines: list[StatementLine]
    closing: int
    balances: Balances


def statement(user, *, start: date | None = None, end: date | None = None) -> Statement:
    """Every transfer of the person in ``[start, end)`` (local dates; None: open), oldest
    first, each with its cause and the running total; the opening total is what the
    person held before ``start``. The pages' statement (a period's, which they ask more
    of than the API); the API reads ``statement_page``."""
    qs = Transfer.objects.filter(user_id=user.pk)
    opening = 0
    if start is not None:
        before = _local_start(start)
        opening = qs.filter(at__lt=before).aggregate(s=Sum("points"))["s"] or 0
        qs = qs.filter(at__gte=before)
    if end is not None:
        qs = qs.filter(at__lt=_local_start(end))
    lines, running = [], opening
    # Each line names its area: never with its outline (a GeoJSON polygon parsed per line
    # was most of a long statement's time).
    qs = qs.order_by("at", "pk").select_related("area", "reverses").defer(*AREA_OUTLINE)
    for t in qs:
        running += t.points
        lines.append(StatementLine(t, running))
    return Statement(user, start, end, opening, lines, running, balances(user))


# A statement read a page at a time (the API): oldest first, the order of the
# (user, at) index; the id breaks the tie of one moment.
STATEMENT_ORDER = ("at", "pk")


@dataclass
class StatementPage(Statement):
    """One page of a statement: ``opening`` and ``closing`` are the period's, each line's
    balance the person's total after it; ``next_cursor``: the ``after`` of the page
    after (None: the last)."""

    next_cursor: str | None = None


def statement_page(
    user,
    *,
    start: date | None = None,
    end: date | None = None,
    limit: int,
    after: str | None = None,
) -> StatementPage:
    """``limit`` lines of ``statement`` (lean), after the cursor ``after`` (a 400 naming
    ``after`` when this list did not give it out).

    Three queries whatever the history's length: the period's opening and closing
    totals and the total before the page (one statement of sums over the person's
    (user, at) index), the page's ``limit + 1`` lines in that index's order, and the
    balances. A long history no longer answers with thousands of lines at once."""
    bound = decode_cursor(after, len(STATEMENT_ORDER), field_name="after") if after else None
    mine = Transfer.objects.filter(user_id=user.pk)
    sums: dict[str, Sum] = {}
    if start is not None:
        sums["opening"] = Sum("points", filter=Q(at__lt=_local_start(start)), default=0)
    sums["closing"] = Sum(
        "points", filter=Q(at__lt=_local_start(end)) if end is not None else None, default=0
    )
    if bound is not None:
        # The total before the page: everything up to and including the cursor's line.
        sums["before"] = Sum("points", filter=~after_q(STATEMENT_ORDER, bound), default=0)
    totals = mine.aggregate(**sums)
    opening = totals.get("opening", 0)
    qs = mine
    if start is not None:
        qs = qs.filter(at__gte=_local_start(start))
    if end is not None:
        qs = qs.filter(at__lt=_local_start(end))
    if bound is not None:
        qs = qs.filter(after_q(STATEMENT_ORDER, bound))
    rows = [_lean(row) for row in qs.order_by(*STATEMENT_ORDER).values_list(*_LEAN)[: limit + 1]]
    more = len(rows) > limit
    rows = rows[:limit]
    running = opening if bound is None else totals["before"]
    lines = []
    for t in rows:
        running += t.points
        lines.append(StatementLine(t, running))
    next_cursor = encode_cursor([rows[-1].at, rows[-1].pk]) if rows and more else None
    return StatementPage(
        user, start, end, opening, lines, totals["closing"], balances(user), next_cursor
    )


def own_private_causes(person, statement: Statement) -> dict[int, causes.Shown]:
    """transfer id → which of ``person``'s anonymous reports a line of their statement
    cites. Only for the person reading their own statement: for anybody else the
    lines name no report (``causes``)."""
    return causes.resolve(person, [line.transfer for line in statement.lines])


# ---------------------------------------------------------------------------
# Whose points a member of staff may see


def people_in_scope(staff) -> QuerySet:
    """Users holding any role in the staff member's scope (their statements are open to them).

    ``EXISTS`` per user, not ``id IN (…)``: one person's lookup reads their own role
    rows, where the list of every holder in a district was read first (400 ms).
    """
    User = get_user_model()
    q = permissions.scope(staff, "manage", field="area__path")
    holdings = RoleAssignment.objects.filter(user=OuterRef("pk"))
    if q is not None:
        holdings = holdings.filter(q)
    return User.objects.filter(Exists(holdings))


def get_person(staff, user_id) -> object:
    """A user whose points the member of staff may read (themself included), else 404."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        raise Http404("No such person.") from None
    if user_id == staff.pk:
        return staff
    person = people_in_scope(staff).filter(pk=user_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def get_transfer(staff, pk) -> Transfer:
    """A transfer earned in the member of staff's scope (to reverse it), else 404."""
    q = permissions.scope(staff, "manage", field="area_path")
    qs = Transfer.objects.select_related("area", "user")
    if q is not None:
        qs = qs.filter(q)
    found = qs.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such transfer.")
    return found


# ---------------------------------------------------------------------------
# Leaderboards


@dataclass
class Ranked:
    rank: int
    user_id: int
    name: str
    points: int


def display_name(user) -> str:
    person = getattr(user, "person", None)  # a missing one raises an AttributeError
    if person is not None:
        return person.name
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()


def leaderboard(
    area: Area, *, start: date, end: date, bucket: str | None = None, limit: int = 10
) -> list[Ranked]:
    """People by points earned in ``area``'s subtree in ``[start, end)``: awards less
    deductions, net of reversals (redemptions spend points, they do not un-earn them).
    Ties share a rank and are listed by user id (who signed up first), a stable order."""
    qs = Transfer.objects.filter(
        _subtree(area.path), earning=True, at__gte=_local_start(start), at__lt=_local_start(end)
    )
    if bucket:
        qs = qs.filter(bucket=bucket)
    rows = list(
        qs.values("user_id")
        .annotate(points=Sum("points"))
        .filter(points__gt=0)
        .order_by("-points", "user_id")[:limit]
    )
    User = get_user_model()
    users = (
        User.objects.select_related("person")
        .defer(*PERSON_SECRETS)
        .in_bulk([r["user_id"] for r in rows])
    )
    ranked, rank, previous = [], 0, None
    for i, r in enumerate(rows, start=1):
        if r["points"] != previous:
            rank, previous = i, r["points"]
        user = users[r["user_id"]]
        ranked.append(Ranked(rank, user.pk, display_name(user), r["points"]))
    return ranked


def points_area(user, code: str) -> Area:
    """An area whose leaderboard the user may read (staff and grid workers in scope), else 404."""
    q = permissions.scope(user, "view_leaderboard", field="path")
    qs = Area.objects.defer("boundary")
    if q is not None:
        qs = qs.filter(q)
    area = qs.filter(code=code).first()
    if area is None:
        raise Http404("No such area.")
    return area


def rules_district(user, code: str) -> Area:
    """A district whose piece rates the user may read: anybody who holds a role in it
    (everyone should know what their work earns), else 404."""
    area = Area.objects.filter(code=code, depth=1).defer("boundary").first()
    if area is None or not permissions.can(user, "view_rules", area):
        raise Http404("No such district.")
    return area


def default_points_area(user) -> Area | None:
    held = permissions.scope_areas(user, "view_leaderboard")
    if held is None:
        return Area.objects.filter(depth=1).defer("boundary").order_by("path").first()
    return min(held, key=lambda a: a.path, default=None)


# ---------------------------------------------------------------------------
# Rewards and redemptions


def rewards_for(user) -> QuerySet[Reward]:
    """The catalogue a person may redeem from: rewards offered in any area above or at
    one of their own areas (a community's rewards reach its micro-grids' residents)."""
    qs = Reward.objects.filter(active=True).select_related("area")
    q = permissions.scope(user, "redeem", field="area_path")
    return qs if q is None else qs.filter(q)


def get_reward_for(user, pk) -> Reward:
    found = rewards_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such reward.")
    return found


def managed_rewards(staff) -> QuerySet[Reward]:
    """Rewards the member of staff manages: offered inside their scope."""
    q = permissions.scope(staff, "manage", field="area_path")
    qs = Reward.objects.select_related("area")
    return qs if q is None else qs.filter(q)


def get_managed_reward(staff, pk) -> Reward:
    found = managed_rewards(staff).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such reward.")
    return found


def my_redemptions(user) -> QuerySet[Redemption]:
    return Redemption.objects.filter(user_id=user.pk).select_related("reward")


def get_my_redemption(user, pk) -> Redemption:
    found = my_redemptions(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such redemption.")
    return found


def managed_redemptions(staff) -> QuerySet[Redemption]:
    q = permissions.scope(staff, "manage", field="reward__area_path")
    # The people's names come with them (display_name), not one query per row.
    qs = Redemption.objects.select_related("reward", "user__person", "reward__area")
    return qs if q is None else qs.filter(q)


def get_managed_redemption(staff, pk) -> Redemption:
    found = managed_redemptions(staff).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404("No such redemption.")
    return found


# ---------------------------------------------------------------------------
# The ledger's own checks


@dataclass(frozen=True)
class LedgerCheck:
    entries_sum: int
    unbalanced_transfers: int
    drifted_accounts: int
    negative_accounts: int

    @property
    def ok(self) -> bool:
        return not (
            self.entries_sum
            or self.unbalanced_transfers
            or self.drifted_accounts
            or self.negative_accounts
        )


def check_ledger() -> LedgerCheck:
    """The invariants, read from the database: all entries sum to zero, every transfer
    balances, every person account's stored balance equals the sum of its entries and
    none is negative."""
    total = Entry.objects.aggregate(s=Sum("amount"))["s"] or 0
    unbalanced = Entry.objects.values("transfer_id").annotate(s=Sum("amount")).exclude(s=0).count()
    sums = dict(
        Entry.objects.filter(account__kind=Account.Kind.PERSON)
        .values("account_id")
        .annotate(s=Sum("amount"))
        .values_list("account_id", "s")
    )
    drifted = negative = 0
    for pk, balance in Account.objects.filter(kind=Account.Kind.PERSON).values_list(
        "pk", "balance"
    ):
        drifted += int(sums.get(pk, 0) != balance)
        negative += int(balance < 0)
    return LedgerCheck(total, unbalanced, drifted, negative)


# ---------------------------------------------------------------------------
# For the pages (views.py): choices and lookups, scoped here like the rest


def reversed_ids(transfer_ids) -> set[int]:
    """Which of ``transfer_ids`` have been reversed already (one query)."""
    ids = [pk for pk in transfer_ids if pk is not None]
    if not ids:
        return set()
    return set(Transfer.objects.filter(reverses_id__in=ids).values_list("reverses_id", flat=True))


def search_people(staff, query: str, *, limit: int = 20) -> list:
    """People in the member of staff's scope whose username or name contains ``query``."""
    query = (query or "").strip()
    if not query:
        return []
    match = (
        Q(username__icontains=query)
        | Q(first_name__icontains=query)
        | Q(last_name__icontains=query)
        | Q(person__name__icontains=query)
    )
    return list(
        people_in_scope(staff)
        .filter(match)
        .select_related("person")
        .defer(*PERSON_SECRETS)
        .order_by("username")[:limit]
    )


# Rewards are offered by a district, a street or a community (and reach everything below).
REWARD_DEPTH = 3


def reward_areas(staff) -> QuerySet[Area]:
    """Areas where the member of staff may offer rewards: under an area where they hold a
    staff role, down to the communities."""
    qs = Area.objects.filter(depth__lte=REWARD_DEPTH).defer("boundary").order_by("path")
    held = permissions.scope_areas(staff, "manage")
    if held is None:
        return qs
    paths = {a.path for a in held}
    if not paths:
        return qs.none()
    q = Q()
    for path in paths:
        q |= _subtree(path, "path")
    return qs.filter(q)


def points_area_choices(user, current: Area | None) -> list[Area]:
    """Areas to offer on the leaderboard's picker: the user's own top areas, the current
    area's ancestors inside the user's scope, and its children."""
    held = permissions.scope_areas(user, "view_leaderboard")
    if held is None:
        tops = list(Area.objects.filter(depth=1).defer("boundary").order_by("path"))
    else:
        tops = top_areas(held)
    found = {a.path: a for a in tops}
    if current is not None:
        roots = [a.path for a in tops]
        above = [p for p in Area.lineage(current.path)[:-1] if any(p.startswith(r) for r in roots)]
        for a in Area.objects.filter(path__in=above).defer("boundary"):
            found[a.path] = a
        found[current.path] = current
        for a in Area.objects.filter(
            subtree_q("path", current.path), depth=current.depth + 1
        ).defer("boundary"):
            found[a.path] = a
    return [found[p] for p in sorted(found)]


def own_districts(user) -> list[Area]:
    """Districts the user holds any role in (every district for a superuser)."""
    qs = Area.objects.filter(depth=1).defer("boundary").order_by("path")
    q = permissions.scope(user, "view_rules", field="path")
    return list(qs if q is None else qs.filter(q))


# ---------------------------------------------------------------------------
# Filters of the long lists (the rewards page, /points/manage/)


def filter_rewards(
    qs: QuerySet[Reward],
    *,
    q: str = "",
    kind: str = "",
    offered: bool | None = None,
    max_cost: int | None = None,
) -> QuerySet[Reward]:
    """Rewards whose name contains ``q``, of ``kind``, offered or not, costing at most
    ``max_cost`` (what the person can redeem now)."""
    q = (q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if offered is not None:
        qs = qs.filter(active=offered)
    if max_cost is not None:
        qs = qs.filter(cost__lte=max_cost).exclude(stock=0)
    return qs


def filter_redemptions(qs: QuerySet[Redemption], *, q: str = "") -> QuerySet[Redemption]:
    """Redemptions whose person (name or username) or reward contains ``q``."""
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(
        Q(reward__name__icontains=q)
        | Q(user__username__icontains=q)
        | Q(user__person__name__icontains=q)
        | Q(user__first_name__icontains=q)
        | Q(user__last_name__icontains=q)
    )
