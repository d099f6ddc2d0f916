"""The demo's emergency operations: one finished, with its after-action report, and one
running in a street.

- **Finished**: 10 days ago, a rainstorm warning: 大弯街道's street staff switched the
  first community (the one with households) into emergency mode and started a flood
  operation; its workers checked 96 % of the households over six hours (vulnerable ones
  first), the households in need became events, two workers reported in, the
  vulnerable households were handed a 安居包; stood down after eight hours, emergency
  mode ended an hour later. The community staff walked most of the need events through
  the workflow (register, dispatch to the community, accept, handle; the street staff
  verified and closed), within the day; a few are still being handled, so the report
  shows needs raised, closed and still open.
- **Running**: a cold wave since two hours ago over the whole street: a third of its
  households checked so far, vulnerable first.

Everything goes through the services (emergency mode through events', the operation's
steps through operations'), at the demo's own times, but for the checks that found no
need: those are written in bulk as ``record_check`` writes them (``_bulk``).
Deterministic and idempotent: nothing is written when the demo district or its
households are missing, or when an operation exists already.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from shezhi.areas.models import Area
from shezhi.core.lists import subtree_q
from shezhi.events import models as events_models
from shezhi.events import services as events
from shezhi.households.models import Household
from shezhi.operations import hooks, services
from shezhi.operations.models import CheckLine, GridTally, Operation

from .households import COMMUNITY_CODE

STREET_CODE = COMMUNITY_CODE[:9]
SEED = 2026
COUNTERS = ("reached", "absent", "refused", "needs_help")


def _lines(op) -> list[CheckLine]:
    return list(
        CheckLine.objects.filter(operation=op)
        .select_related("operation", "micro_grid")
        .order_by("rank", "area_path", "id")
    )


def _checker(line, users) -> object:
    # The micro-grid's own worker where the demo has one, else the community's staff, and
    # the street's staff in the street's other communities.
    if line.micro_grid.code == users["mg_worker"].demo_area:
        return users["mg_worker"]
    if line.area_path.startswith(users["community_staff"].demo_path):
        return users["community_staff"]
    return users["dawan_staff"]


def _check(lines, share, start, hours, users, rng, *, key) -> int:
    """Check the first ``share`` of ``lines`` (vulnerable households first) over ``hours``.

    A household found in need goes through ``services.record_check``, as a worker's tap
    does (its event raised through operations' hook, its tally, its points). The rest,
    nineteen in twenty, are written in bulk the way that service writes them (``_bulk``):
    a district's street is ten thousand checks, and one service call each cost most of
    the demo's budget.
    """
    count = int(len(lines) * share)
    plain, needy = [], []
    for i, line in enumerate(lines[:count]):
        roll = rng.random()
        outcome, needs = "reached", ()
        if roll < 0.05:
            outcome = "needs_help"
            needs = (rng.choice(("medical", "food", "transport", "shelter", "elderly_care")),)
        elif roll < 0.13:
            outcome = "absent"
        elif roll < 0.15:
            outcome = "refused"
        at = start + timedelta(seconds=hours * 3600 * (i + 1) / (count + 1))
        row = (line, outcome, needs, _checker(line, users), at, f"{key}-{line.pk}")
        (needy if needs else plain).append(row)
    _bulk(plain)
    for line, outcome, needs, checker, at, request_key in needy:
        services.record_check(
            actor=checker, line=line, outcome=outcome, needs=needs, notes="演示记录",
            request_key=request_key, at=at,
        )  # fmt: skip
    return count


def _bulk(checks) -> None:
    """Record checks that found no need, as ``services.record_check`` records them, in
    one transaction: each line's outcome (only where it is still blank: a line checked
    already keeps its first answer), the micro-grids' tallies counted again from the
    lines, and the checks' tasks published at once through ``operations.hooks.tasks_done``,
    so their points go through the ledger's bulk path, once per line (the demo's checkers are the
    micro-grid's own worker or the community's or street's staff: in scope)."""
    if not checks:
        return
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(CheckLine._meta.db_table)
    sql = (
        f"UPDATE {table} SET outcome = %s, needs = '', notes = %s, checked_at = %s,"  # noqa: S608
        " first_checked_at = %s, checked_by_id = %s, request_key = %s, version = version + 1"
        " WHERE id = %s AND outcome = ''"
    )
    operation = checks[0][0].operation
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (outcome, "" if outcome == "reached" else "演示记录", adapt(at), adapt(at),
                     checker.pk, request_key, line.pk)
                    for line, outcome, _needs, checker, at, request_key in checks
                ],
            )  # fmt: skip
        _recount(operation)
        tasks = []
        for line, outcome, _needs, checker, at, request_key in checks:
            line.outcome, line.checked_by, line.checked_at = outcome, checker, at
            line.first_checked_at, line.request_key, line.version = at, request_key, 1
            tasks.append(
                hooks.TaskDone(operation, "check", f"line:{line.pk}", checker,
                               line.micro_grid, at, line)
            )  # fmt: skip
        # All at once: the ledger's bulk path books the same rows as one award each.
        hooks.tasks_done(tasks)


def _recount(operation) -> None:
    """The operation's micro-grid tallies, counted from its lines."""
    counted = (
        CheckLine.objects.filter(operation=operation)
        .exclude(outcome="")
        .values("micro_grid_id")
        .annotate(
            checked=Count("id"),
            vulnerable_checked=Count("id", filter=Q(rank=0)),
            **{name: Count("id", filter=Q(outcome=name)) for name in COUNTERS},
        )
    )
    tallies = {t.micro_grid_id: t for t in GridTally.objects.filter(operation=operation)}
    for row in counted:
        tally = tallies[row.pop("micro_grid_id")]
        for name, value in row.items():
            setattr(tally, name, value)
    GridTally.objects.bulk_update(
        tallies.values(), ["checked", "vulnerable_checked", *COUNTERS], batch_size=500
    )


# What the community did for a household in need, by need (the handling's result).
HELP_GIVEN = {
    "medical": "联系社区卫生服务中心上门问诊，已送医。",
    "food": "送去米面油和饮用水，够三天。",
    "transport": "安排社区车辆转移至安置点。",
    "shelter": "安排至社区安置点临时居住。",
    "elderly_care": "志愿者上门照料，已联系家属。",
}
CLOSED_SHARE = 0.8


def _close_needs(lines, users, rng) -> int:
    """Walk most of the operation's need events through the workflow, each step through
    ``events.services.perform`` at the demo's times, as the demo's events step does: the
    community staff register, dispatch to the community, accept and handle; the street
    staff verify and close. The rest stay accepted (still being handled)."""
    staff, street = users["community_staff"], users["dawan_staff"]
    closed = 0
    for line in lines:
        if line.need_event_id is None:
            continue
        event = events_models.Event.objects.get(pk=line.need_event_id)
        t = event.created_at
        steps = [
            (staff, "register", {}),
            (staff, "dispatch", {"target": "community"}),
            (staff, "accept", {}),
        ]
        if rng.random() < CLOSED_SHARE:
            result = "；".join(HELP_GIVEN.get(n, "已上门帮扶。") for n in line.need_list)
            steps += [(staff, "handle", {"result": result}), (street, "verify_pass", {})]
        minutes = {"register": (5, 30), "dispatch": (3, 15), "accept": (5, 30)}
        for actor, action, data in steps:
            lo, hi = minutes.get(action, (60, 300))
            t += timedelta(minutes=rng.uniform(lo, hi))
            event = events.perform(actor=actor, event=event, action=action, data=data, at=t)
        closed += event.state == events_models.Event.State.CLOSED
    return closed


def build_demo_operations(seed: int = SEED) -> dict[str, int] | None:
    community = Area.objects.filter(code=COMMUNITY_CODE).defer("boundary").first()
    street = Area.objects.filter(code=STREET_CODE).defer("boundary").first()
    if community is None or street is None or Operation.objects.exists():
        return None
    if not Household.objects.filter(subtree_q("area_path", community.path)).exists():
        return None
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(
        username__in=("dawan_staff", "community_staff", "grid_worker", "mg_worker"))}  # fmt: skip
    if len(users) < 4:
        return None
    users["mg_worker"].demo_area = f"{COMMUNITY_CODE}001001"
    users["community_staff"].demo_path = community.path
    rng = random.Random(seed)
    now = timezone.now().replace(second=0, microsecond=0)
    staff = users["dawan_staff"]

    # The finished operation, ten days ago.
    t0 = now - timedelta(days=10)
    period = events.start_emergency(actor=staff, area=community, reason="暴雨红色预警", at=t0)
    done = services.start_operation(
        actor=staff, area=community, kind="flood", title="暴雨红色预警防汛扫楼",
        instructions="逐户敲门确认安全，独居、高龄老人优先；低洼楼栋一楼住户劝导转移。",
        at=t0 + timedelta(minutes=5),
    )  # fmt: skip
    for name in ("mg_worker", "grid_worker"):
        services.report_roll_call(
            actor=users[name], operation=done, status="on_duty", lng=community.centroid_lng,
            lat=community.centroid_lat, at=t0 + timedelta(minutes=20),
        )  # fmt: skip
    lines = _lines(done)
    checked = _check(lines, 0.96, t0 + timedelta(minutes=30), 6, users, rng, key="flood")
    for line in [x for x in lines if x.rank == 0]:
        services.hand_out(
            actor=_checker(line, users), line=line, item="安居包", quantity=1,
            signed_by="户主", request_key=f"pack-{line.pk}", at=t0 + timedelta(hours=3),
        )  # fmt: skip
    closed = _close_needs(_lines(done), users, rng)
    services.stand_down(actor=staff, operation=done, at=t0 + timedelta(hours=8))
    events.end_emergency(actor=staff, period=period, at=t0 + timedelta(hours=9))

    # The running one, over the whole street since two hours ago.
    t1 = now - timedelta(hours=2)
    if not events.in_emergency(street, t1):
        events.start_emergency(actor=staff, area=street, reason="寒潮蓝色预警", at=t1)
    running = services.start_operation(
        actor=staff, area=street, kind="cold_wave", title="寒潮入户排查",
        instructions="重点排查独居、高龄老人取暖和用电安全。", at=t1 + timedelta(minutes=5),
    )  # fmt: skip
    services.report_roll_call(
        actor=users["mg_worker"], operation=running, status="on_duty",
        lng=community.centroid_lng, lat=community.centroid_lat, at=t1 + timedelta(minutes=10),
    )  # fmt: skip
    now_checked = _check(
        _lines(running), 0.35, t1 + timedelta(minutes=15), 1.5, users, rng, key="cold"
    )
    return {
        "operations": 2,
        "households checked (finished)": checked,
        "needs closed (finished)": closed,
        "households checked (running)": now_checked,
    }
