"""The demo's residents' micro-projects (社区亲治理 2.0, issue 17): 56 across the district,
in every stage, with their money through the money ledger.

- **Stages** (``PLAN``): proposed and collecting backings, in review, returned, refused,
  crowdfunding, missed their target and refunded every payment, being delivered, and
  completed and rated. Titles, problems, plans and budget lines from ``project_texts``
  (a few hundred to a few tens of thousands of yuan; the target is the lines' sum).
- **Who**: residents of the household base with a sign-in (the campaign gave heads of
  household one; more are given here where a community needs them, ``jm<resident id>``
  as the campaign names them), in the project's community: the initiator, backers
  (附议), payers and volunteers; more than a thousand distinct residents at the default
  scale. Each is recorded once per project as taking part (way ``project``).
- **Money**: the district's rules (10 backings, a 1:1 match capped at 20,000 yuan), a
  fund in every community with households (an allocation each), the match reserved on
  approval, each payment (channel and reference) drawing its match, the unused reserve
  released when funding ends, refunds of every payment of an expired project, expenses
  with payees for the budget lines. Written in bulk (``_Books``): the transfers and
  entries the services would write, balanced, each citing its cause once, the stored
  balances and the projects' ``paid_in``/``matched`` set from the same legs, so
  ``shezhi money_check`` passes on the demo (its test runs the check).

Deterministic (a fixed seed; communities and residents in id order) and idempotent
(nothing when the district has projects). No household base (``--households 0``): skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.utils import timezone

from shezhi.areas import constants as c
from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.core.participation import Way, record_many
from shezhi.households.models import Household, Resident
from shezhi.people.models import RoleAssignment
from shezhi.projects import ledger
from shezhi.projects.models import (
    Backing,
    BudgetLine,
    CommunityFund,
    DistrictProjectRules,
    Expense,
    Milestone,
    MoneyAccount,
    MoneyEntry,
    MoneyTransfer,
    Payment,
    Pledge,
    Project,
    Rating,
)
from shezhi.projects.services import match_target

from . import project_texts as words

DISTRICT_CODE = "510113"
SEED = 1756
S = Project.Stage
# (stage, how many): 56 in all, as the article counts them.
PLAN = [
    (S.BACKING, 8),
    (S.REVIEW, 5),
    (S.RETURNED, 3),
    (S.REFUSED, 3),
    (S.FUNDING, 8),
    (S.EXPIRED, 4),
    (S.DELIVERY, 11),
    (S.COMPLETED, 14),
]
THRESHOLD = 10
MATCH_RATIO_BP = 10_000
MATCH_CAP = 2_000_000
OVERFUNDING_PCT = 20
# Residents with a sign-in a community needs for its projects.
POOL = 90
UNUSABLE = UNUSABLE_PASSWORD_PREFIX + "demo"
T = MoneyTransfer.Kind
K = MoneyAccount.Kind
CHANNELS = (
    [Payment.Channel.WECHAT] * 5
    + [Payment.Channel.ALIPAY] * 2
    + [
        Payment.Channel.BANK,
        Payment.Channel.CASH,
        Payment.Channel.CASH,
    ]
)
APPROVED = (S.FUNDING, S.EXPIRED, S.DELIVERY, S.COMPLETED)
FUNDED = (S.DELIVERY, S.COMPLETED)


class _Books:
    """The ledger's transfers, built in memory and written in bulk: each transfer's legs
    sum to zero; the holding accounts' balances are the sums of their legs."""

    def __init__(self, boundary: set[int]) -> None:
        self.boundary = boundary
        self.transfers: list[MoneyTransfer] = []
        self.legs: list[tuple[MoneyTransfer, int, int]] = []
        self.held: dict[int, int] = defaultdict(int)

    def move(self, kind, legs, *, cause_type, cause_id, at, project=None, stream=None, by=None):
        assert sum(a for _acc, a in legs) == 0 and all(isinstance(a, int) for _x, a in legs)
        legs = [(acc, a) for acc, a in legs if a]
        row = MoneyTransfer(
            kind=kind,
            stream=stream or kind,
            project=project,
            amount=sum(a for _acc, a in legs if a > 0),
            cause_type=cause_type,
            cause_id=str(cause_id),
            cause_key=f"{kind}:{cause_type}:{cause_id}",
            at=at,
            created_by_id=by,
        )
        self.transfers.append(row)
        for acc, a in legs:
            self.legs.append((row, acc, a))
            self.held[acc] += a
            assert self.held[acc] >= 0 or acc in self.boundary
        return row

    def write(self, holding: set[int]) -> None:
        MoneyTransfer.objects.bulk_create(self.transfers, batch_size=2000)
        MoneyEntry.objects.bulk_create(
            [MoneyEntry(transfer=t, account_id=acc, amount=a) for t, acc, a in self.legs],
            batch_size=5000,
        )
        table = MoneyAccount._meta.db_table
        with connection.cursor() as cursor:
            for acc in sorted(holding):
                cursor.execute(
                    f"UPDATE {table} SET balance = %s WHERE id = %s",  # noqa: S608
                    [self.held.get(acc, 0), acc],
                )


def _staff(district: Area):
    User = get_user_model()
    found = (
        RoleAssignment.objects.filter(
            subtree_q("area__path", district.path), role="community_staff"
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found.user
    found = RoleAssignment.objects.filter(role="district_admin", area=district).first()
    return found.user if found else User.objects.filter(is_superuser=True).first()


def _pools(rng: random.Random, communities: list[Area]) -> dict[str, list[tuple]]:
    """Per community, residents with a sign-in: (resident, user, name, micro-grid id,
    household path, compound name, building number). Residents are given one (heads of
    household first) until the community has ``POOL``."""
    paths = [a.path for a in communities]
    step = Area.steplen
    bound = defaultdict(int)
    for path in (
        Resident.objects.filter(
            subtree_q("household__area_path", paths[0][:step]), user__isnull=False
        )
        .values_list("household__area_path", flat=True)
        .iterator(chunk_size=20_000)
    ):
        bound[path[: 3 * step]] += 1
    give: list[int] = []
    for path in paths:
        short = POOL - bound[path]
        if short <= 0:
            continue
        free = Resident.objects.filter(
            subtree_q("household__area_path", path), user__isnull=True, person__isnull=True
        ).order_by("pk")
        heads = list(free.filter(relation="head").values_list("pk", flat=True)[:short])
        if len(heads) < short:
            heads += free.exclude(relation="head").values_list("pk", flat=True)[
                : short - len(heads)
            ]
        give += heads
    if give:
        User = get_user_model()
        User.objects.bulk_create(
            [User(username=f"jm{pk}", password=UNUSABLE, is_active=True) for pk in give],
            batch_size=2000,
        )
        table, users = Resident._meta.db_table, User._meta.db_table
        with connection.cursor() as cursor:
            for i in range(0, len(give), 500):
                chunk = give[i : i + 500]
                cursor.execute(
                    f"UPDATE {table} SET user_id = (SELECT u.id FROM {users} u "  # noqa: S608
                    f"WHERE u.username = 'jm' || {table}.id) "
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
    pools: dict[str, list[tuple]] = defaultdict(list)
    for row in (
        Resident.objects.filter(
            subtree_q("household__area_path", paths[0][:step]), user__isnull=False
        )
        .order_by("pk")
        .values_list(
            "pk",
            "user_id",
            "name",
            "household__micro_grid_id",
            "household__area_path",
            "household__building__compound__name",
            "household__building__number",
        )
        .iterator(chunk_size=20_000)
    ):
        pools[row[4][: 3 * step]].append(row)
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def _budget(rng: random.Random, topic: dict) -> list[BudgetLine]:
    return [
        BudgetLine(kind=kind, description=text, amount=rng.randint(lo, hi) * 100)
        for kind, text, lo, hi in topic["lines"]
    ]


def _split(rng: random.Random, total: int, n: int) -> list[int]:
    """``total`` fen in ``n`` payments of whole yuan (the last takes the rest), each ≥ 1 yuan."""
    n = max(1, min(n, total // 100))
    weights = [rng.paretovariate(1.5) for _ in range(n)]
    s = sum(weights)
    parts = [max(100, int(total * w / s) // 1000 * 1000 or 100) for w in weights[:-1]]
    while sum(parts) >= total - 100 and parts:
        parts.pop()
    return [*parts, total - sum(parts)]


def _reference(rng: random.Random, channel: str, at: dt.datetime, n: int) -> str:
    day = at.strftime("%Y%m%d")
    if channel == Payment.Channel.WECHAT:
        return f"42000{rng.randint(10**4, 10**5 - 1)}{day}{n:09d}"
    if channel == Payment.Channel.ALIPAY:
        return f"{day}2200{rng.randint(10**5, 10**6 - 1)}{n:08d}"
    if channel == Payment.Channel.BANK:
        return f"QBJ{day}{n:08d}"
    return f"收据{day[2:]}-{n:05d}"


def build_demo_projects(seed: int = SEED) -> dict[str, int] | None:
    """Write the demo's projects, their money and who took part; the numbers, or None."""
    district = Area.objects.filter(code=DISTRICT_CODE).defer("boundary").first()
    if district is None or Project.objects.filter(district=district).exists():
        return None
    if not Household.objects.filter(subtree_q("area_path", district.path)).exists():
        return None
    rng = random.Random(seed)
    now = timezone.now()
    communities = list(
        Area.objects.filter(subtree_q("path", district.path), level=c.COMMUNITY)
        .defer("boundary")
        .order_by("path")
    )
    with_homes = {
        p[: 3 * Area.steplen]
        for p in Household.objects.filter(subtree_q("area_path", district.path))
        .values_list("area_path", flat=True)
        .distinct()
    }
    communities = [a for a in communities if a.path in with_homes]
    staff = _staff(district)
    with transaction.atomic():
        pools = _pools(rng, communities)
        communities = [a for a in communities if len(pools.get(a.path, ())) >= THRESHOLD + 2]
        if not communities:
            return None
        made = _build(rng, now, district, communities, pools, staff)
    return made


def _build(rng, now, district, communities, pools, staff) -> dict[str, int]:
    DistrictProjectRules.objects.update_or_create(
        district=district,
        defaults={
            "backing_threshold": THRESHOLD,
            "match_ratio_bp": MATCH_RATIO_BP,
            "match_cap": MATCH_CAP,
            "overfunding_pct": OVERFUNDING_PCT,
        },
    )
    staff_pk = staff.pk if staff is not None else None
    boundary = {k: ledger.boundary_account(district.pk, k) for k in ledger.BOUNDARY}
    books = _Books(set(boundary.values()))
    # A fund in every community with households, and its year's allocation.
    fund_accounts = MoneyAccount.objects.bulk_create(
        [MoneyAccount(kind=K.FUND, area=a) for a in communities]
    )
    funds = CommunityFund.objects.bulk_create(
        [
            CommunityFund(community=a, area_path=a.path, account=acc, name=f"{a.name}发展基金")
            for a, acc in zip(communities, fund_accounts, strict=True)
        ]
    )
    fund_of = {f.community_id: f for f in funds}
    year_start = now - dt.timedelta(days=340)
    for f in funds:
        amount = rng.randint(8, 30) * 1_000_000  # 80,000 to 300,000 yuan
        books.move(
            T.ALLOCATION,
            [(boundary[K.ALLOCATIONS_IN], -amount), (f.account_id, amount)],
            cause_type="allocation",
            cause_id=f"{f.pk}:青白江社治〔{now.year}〕{f.pk:03d}号",
            at=year_start,
            by=staff_pk,
        )

    # Where: distinct communities first (the first, where the demo's resident lives, twice).
    order = list(communities)
    rng.shuffle(order)
    first = communities[0]
    places = [first, first, *order]
    while len(places) < sum(n for _s, n in PLAN):
        places.append(rng.choice(communities))
    stages = [s for s, n in PLAN for _ in range(n)]
    # The demo's own resident backs the first project (collecting backings) and pays into
    # a completed one in the same community.
    demo_user = get_user_model().objects.filter(username="resident").first()
    demo_pk = demo_user.pk if demo_user else None
    first_stages = [S.BACKING, S.COMPLETED]
    for k, want in enumerate(first_stages):
        j = stages.index(want, k)
        stages[k], stages[j] = stages[j], stages[k]
    used_in: dict[str, int] = defaultdict(int)

    projects: list[Project] = []
    plans: list[dict] = []
    for i, stage in enumerate(stages):
        community = places[i]
        pool = pools[community.path]
        if demo_user is not None and community.pk == first.pk:
            mine = [r for r in pool if r[1] == demo_user.pk]
            pool[:] = mine + [r for r in pool if r[1] != demo_user.pk]
        topic = words.TOPICS[(i * 5 + rng.randrange(3)) % len(words.TOPICS)]
        # Each project of a community draws its own residents where it can.
        start = used_in[community.path]
        size = min(len(pool), rng.randint(18, 55))
        people = [pool[(start + k) % len(pool)] for k in range(size)]
        if demo_user is not None and community.pk == first.pk and i < 2:
            people = [pool[0], *[r for r in people if r is not pool[0]]][:size]
        used_in[community.path] = start + size
        initiator = people[-1] if i < 2 else people[0]
        place = f"{initiator[5] or community.name}{initiator[6] + '栋' if initiator[6] else ''}"
        lines = _budget(rng, topic)
        target = sum(li.amount for li in lines)
        late = {S.BACKING: (5, 40), S.REVIEW: (25, 60), S.RETURNED: (40, 90),
                S.REFUSED: (50, 120), S.FUNDING: (40, 110), S.EXPIRED: (120, 220),
                S.DELIVERY: (100, 200), S.COMPLETED: (170, 320)}[stage]  # fmt: skip
        created = now - dt.timedelta(days=rng.randint(*late), hours=rng.randrange(10))
        organisation = f"{community.name}居民议事会" if rng.random() < 0.25 else ""
        p = Project(
            title=topic["title"].replace("{p}", place)[:100],
            area_id=initiator[3],
            area_path=initiator[4],
            community=community,
            district=district,
            initiator_id=initiator[1],
            organisation=organisation,
            problem=topic["problem"],
            plan=topic["plan"],
            target=target,
            stage=stage,
            allow_overfunding=rng.random() < 0.2,
            created_at=created,
            deadline=created + dt.timedelta(days=60),
        )
        projects.append(p)
        plans.append({"lines": lines, "people": people, "initiator": initiator})
    Project.objects.bulk_create(projects)
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(project=p, kind=li.kind, description=li.description, amount=li.amount)
            for p, plan in zip(projects, plans, strict=True)
            for li in plan["lines"]
        ]
    )

    # Backings (附议), review, accounts.
    backings: list[Backing] = []
    took_part: dict[tuple[int, int], dt.datetime] = {}  # (project index, resident) → first at
    for i, (p, plan) in enumerate(zip(projects, plans, strict=True)):
        initiator = plan["initiator"]
        took_part[(i, initiator[0])] = p.created_at
        others = [r for r in plan["people"] if r is not initiator]
        if p.stage == S.BACKING:
            n = rng.choice([0, 1, 3, 5, 7, 9]) if i else 4
        else:
            n = min(len(others), THRESHOLD + rng.randint(0, 12))
        at = p.created_at
        for r in others[:n]:
            at += dt.timedelta(hours=rng.randint(1, 30))
            backings.append(Backing(project=p, resident_id=r[1], at=at))
            took_part[(i, r[0])] = min(took_part.get((i, r[0]), at), at)
        p.backings = n
        plan["backed_at"] = at
        plan["backers"] = others[:n]
        if p.stage not in (S.BACKING, S.REVIEW):
            p.reviewed_by, p.reviewed_at = staff, at + dt.timedelta(days=rng.randint(3, 9))
            if p.stage == S.RETURNED:
                p.review_reason = rng.choice(words.REVIEW_RETURNED)
            elif p.stage == S.REFUSED:
                p.review_reason = rng.choice(words.REVIEW_REFUSED)
    Backing.objects.bulk_create(backings, batch_size=2000)
    approved = [(i, p) for i, p in enumerate(projects) if p.stage in APPROVED]
    accounts = MoneyAccount.objects.bulk_create(
        [
            MoneyAccount(kind=kind, area=p.community)
            for _i, p in approved
            for kind in (K.PROJECT, K.RESERVE)
        ]
    )
    for n, (_i, p) in enumerate(approved):
        p.account, p.reserve = accounts[2 * n], accounts[2 * n + 1]
        p.fund = fund_of[p.community_id]
        p.match_ratio_bp = MATCH_RATIO_BP
        p.match_cap = min(MATCH_CAP, p.target)
        p.funding_cap = (
            p.target * (100 + OVERFUNDING_PCT) // 100 if p.allow_overfunding else p.target
        )
        # Crowdfunding opens on approval; the deadline is sixty days on.
        p.deadline = p.reviewed_at + dt.timedelta(days=60)
        if p.stage == S.FUNDING:
            p.deadline = max(p.deadline, now + dt.timedelta(days=rng.randint(7, 40)))
        books.move(
            T.RESERVE,
            [(p.fund.account_id, -p.match_cap), (p.reserve_id, p.match_cap)],
            cause_type="project",
            cause_id=p.pk,
            project=p,
            at=p.reviewed_at,
            by=staff_pk,
        )

    # Pledges and payments: residents' money in, each drawing its match.
    pledges: list[Pledge] = []
    payments: list[Payment] = []
    payment_plan: list[tuple[int, Project]] = []
    n_ref = 0
    for i, p in approved:
        plan = plans[i]
        # What residents pay for the project to reach its target, the match doing the rest.
        full = max(-(-p.target * 10_000 // (10_000 + p.match_ratio_bp)), p.target - p.match_cap)
        assert full + match_target(p, full) >= p.target
        partly = max(100, int(full * rng.uniform(0.15, 0.75)))
        total = full if p.stage in FUNDED else partly
        payers = list(plan["people"])
        rng.shuffle(payers)
        amounts = _split(rng, total, min(len(payers), rng.randint(8, 40)))
        at = p.reviewed_at
        room = max(1, int(((min(p.deadline, now) - at).total_seconds()) // len(amounts)))
        for r, amount in zip(payers, amounts, strict=False):
            at += dt.timedelta(seconds=rng.randint(room // 3, room))
            named = rng.random() < 0.3
            pledge = Pledge(project=p, resident_id=r[1], amount=amount, named=named,
                            at=at - dt.timedelta(hours=rng.randint(1, 48)))  # fmt: skip
            channel = rng.choice(CHANNELS)
            n_ref += 1
            pledges.append(pledge)
            by = staff_pk if channel == Payment.Channel.CASH else p.initiator_id
            ref = _reference(rng, channel, at, n_ref)
            payments.append(
                Payment(project=p, payer_id=r[1], payer_name=r[2], named=named, pledge=pledge,
                        amount=amount, channel=channel, reference=ref, recorded_by_id=by, at=at)
            )  # fmt: skip
            payment_plan.append((i, p))
            took_part[(i, r[0])] = min(took_part.get((i, r[0]), at), at)
        plan["paid_until"] = at
        # A few pledged and have not paid yet.
        if p.stage == S.FUNDING:
            for r in payers[len(amounts) : len(amounts) + rng.randint(0, 4)]:
                pledges.append(Pledge(project=p, resident_id=r[1], amount=rng.randint(1, 20) * 5000,
                                      at=now - dt.timedelta(days=rng.randint(1, 5))))  # fmt: skip
                took_part[(i, r[0])] = min(took_part.get((i, r[0]), now), now)
    Pledge.objects.bulk_create(pledges, batch_size=2000)
    for pay in payments:
        pay.pledge_id = pay.pledge.pk
    Payment.objects.bulk_create(payments, batch_size=1000)

    paid: dict[int, int] = defaultdict(int)
    matched: dict[int, int] = defaultdict(int)
    match_n: dict[int, int] = defaultdict(int)
    for pay, (_i, p) in zip(payments, payment_plan, strict=True):
        pay.transfer = books.move(
            T.PAYMENT,
            [(boundary[K.PAYMENTS_IN], -pay.amount), (p.account_id, pay.amount)],
            cause_type="payment",
            cause_id=pay.pk,
            project=p,
            at=pay.at,
            by=pay.recorded_by_id,
        )
        paid[p.pk] += pay.amount
        due = match_target(p, paid[p.pk]) - matched[p.pk]
        if due > 0:
            books.move(
                T.MATCH,
                [(p.reserve_id, -due), (p.account_id, due)],
                stream=T.MATCH,
                cause_type="project",
                cause_id=f"{p.pk}:{match_n[p.pk]}",
                project=p,
                at=pay.at,
            )
            match_n[p.pk] += 1
            matched[p.pk] += due

    # The end of funding: funded projects release the unused reserve; expired ones refund
    # every payment, give the match back, then release everything.
    for i, p in approved:
        if p.stage == S.FUNDING:
            continue
        end = p.deadline if p.stage == S.EXPIRED else plans[i]["paid_until"]
        if p.stage == S.EXPIRED:
            for pay in (x for x in payments if x.project_id == p.pk):
                books.move(
                    T.REFUND,
                    [(p.account_id, -pay.amount), (boundary[K.REFUNDS_OUT], pay.amount)],
                    stream=T.PAYMENT,
                    cause_type="payment",
                    cause_id=pay.pk,
                    project=p,
                    at=end,
                )
                pay.status = Payment.Status.REFUNDED
            if matched[p.pk]:
                books.move(
                    T.MATCH_RETURN,
                    [(p.account_id, -matched[p.pk]), (p.reserve_id, matched[p.pk])],
                    stream=T.MATCH,
                    cause_type="project",
                    cause_id=f"{p.pk}:{match_n[p.pk]}",
                    project=p,
                    at=end,
                )
            paid[p.pk] = matched[p.pk] = 0
        left = books.held[p.reserve_id]
        if left:
            books.move(
                T.RELEASE,
                [(p.reserve_id, -left), (p.fund.account_id, left)],
                cause_type="project",
                cause_id=p.pk,
                project=p,
                at=end,
            )
        p.delivery_from = end
    for _i, p in approved:
        p.paid_in, p.matched = paid[p.pk], matched[p.pk]

    # Delivery: milestones, expenses for the budget lines (never more than held), ratings.
    milestones: list[Milestone] = []
    expenses: list[Expense] = []
    ratings: list[Rating] = []
    lines_of = defaultdict(list)
    for li in BudgetLine.objects.filter(project__in=[p for _i, p in approved]).order_by("pk"):
        lines_of[li.project_id].append(li)
    for i, p in approved:
        if p.stage not in FUNDED:
            continue
        start = p.delivery_from
        done = len(words.MILESTONES) if p.stage == S.COMPLETED else rng.randint(1, 3)
        span = (now - start).days if p.stage == S.DELIVERY else rng.randint(40, 100)
        if p.stage == S.COMPLETED:
            span = min(span, (now - start).days - 8)
        days = sorted(rng.sample(range(3, max(8, span)), len(words.MILESTONES)))
        ms = []
        for k, title in enumerate(words.MILESTONES):
            due = start + dt.timedelta(days=days[k])
            m = Milestone(project=p, title=title, due=due.date(),
                          done_at=due if k < done and due < now else None,
                          note="已完成，照片已上传公示栏。" if k < done else "")  # fmt: skip
            ms.append(m)
        milestones += ms
        lines = lines_of[p.pk]
        spend = lines if p.stage == S.COMPLETED else lines[: rng.randint(0, len(lines) - 1)]
        spent = 0
        for li in spend:
            amount = min(li.amount, books.held[p.account_id] - spent)
            if amount <= 0:
                continue
            m = ms[2] if li.kind in ("labour", "services") else ms[1]
            at = max(start, dt.datetime.combine(m.due, dt.time(15), tzinfo=start.tzinfo))
            at = min(at, now - dt.timedelta(hours=1))
            e = Expense(project=p, milestone=m, payee=rng.choice(words.PAYEES[li.kind]),
                        description=li.description, amount=amount, recorded_by_id=p.initiator_id,
                        at=at)  # fmt: skip
            expenses.append(e)
            spent += amount
        if p.stage == S.COMPLETED:
            p.completed_at = min(now - dt.timedelta(days=1), start + dt.timedelta(days=span + 5))
            p.closing_note = rng.choice(words.CLOSING)
            raters = [r for r in plans[i]["people"] if (i, r[0]) in took_part]
            for r in raters:
                # The demo's own resident is left to rate it on the phone page.
                if r[1] != demo_pk and rng.random() < 0.55:
                    at = min(now, p.completed_at + dt.timedelta(days=rng.randint(1, 20)))
                    ratings.append(Rating(project=p, resident_id=r[1], stars=rng.choices(
                        [5, 4, 3, 2], [60, 30, 8, 2])[0], comment=rng.choice(words.COMMENTS),
                        at=at))  # fmt: skip
    Milestone.objects.bulk_create(milestones, batch_size=1000)
    for e in expenses:
        e.milestone_id = e.milestone.pk
    Expense.objects.bulk_create(expenses, batch_size=1000)
    for e in expenses:
        e.transfer = books.move(
            T.EXPENSE,
            [(e.project.account_id, -e.amount), (boundary[K.EXPENSES_OUT], e.amount)],
            cause_type="expense",
            cause_id=e.pk,
            project=e.project,
            at=e.at,
        )
    Rating.objects.bulk_create(ratings, batch_size=2000)

    holding = {f.account_id for f in funds}
    for _i, p in approved:
        holding |= {p.account_id, p.reserve_id}
    books.write(holding)
    Payment.objects.bulk_update(payments, ["transfer", "status"], batch_size=1000)
    Expense.objects.bulk_update(expenses, ["transfer"], batch_size=1000)
    Project.objects.bulk_update(
        projects,
        ["backings", "reviewed_by", "reviewed_at", "review_reason", "account", "reserve", "fund",
         "match_ratio_bp", "match_cap", "funding_cap", "deadline", "paid_in", "matched",
         "completed_at", "closing_note"],
        batch_size=500,
    )  # fmt: skip

    # Volunteers of delivered projects take part too (labour days, cleaning up).
    for i, p in approved:
        if p.stage in FUNDED:
            for r in plans[i]["people"][-rng.randint(3, 8) :]:
                took_part.setdefault((i, r[0]), p.delivery_from + dt.timedelta(days=10))
    record_many(
        {"way": Way.PROJECT, "area": projects[i].area_path, "at": at, "source": projects[i],
         "resident": resident}
        for (i, resident), at in sorted(took_part.items(), key=lambda x: x[0])
    )  # fmt: skip
    return {
        "projects": len(projects),
        "communities": len({p.community_id for p in projects}),
        "residents taking part": len({r for _i, r in took_part}),
        "payments": len(payments),
        "expenses": len(expenses),
        "community funds": len(funds),
        "transfers": len(books.transfers),
    }
