"""Operations' services: the fan-out, checks (idempotent, conflicts), needs becoming
events, points, roll-call, hand-outs, stand-down; bad input refused with the field named
and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.core.errors import BadInput, Conflict, Forbidden, NotAllowed
from shezhi.events.models import Event
from shezhi.incentives.models import Transfer
from shezhi.operations import selectors, services
from shezhi.operations.models import CheckLine, Distribution, GridTally, Operation, RollCall

pytestmark = pytest.mark.django_db


def line_of(op, household):
    return CheckLine.objects.select_related("operation", "micro_grid").get(
        operation=op, household=household
    )


# ---------------------------------------------------------------- fan-out


def test_start_fans_out_one_line_per_household_and_one_tally_per_micro_grid(op, world, territory):
    assert op.households == 3 and op.vulnerable == 1
    assert CheckLine.objects.filter(operation=op).count() == 3
    assert set(CheckLine.objects.filter(operation=op).values_list("household", flat=True)) == {
        world.h101.pk, world.h102.pk, world.h201.pk,
    }  # fmt: skip
    tallies = {t.micro_grid_id: t for t in GridTally.objects.filter(operation=op)}
    assert tallies[territory["micro1"].pk].households == 2
    assert tallies[territory["micro1"].pk].vulnerable == 1
    assert tallies[territory["micro2"].pk].households == 1
    # The elderly resident living alone puts h102 first on the list.
    assert line_of(op, world.h102).rank == 0 and line_of(op, world.h101).rank == 1
    assert op.period.area == territory["street1"]


def test_a_micro_grid_operation_fans_out_its_own_households_only(world, territory, cast):
    op = services.start_operation(
        actor=cast.street, area=territory["micro2"], kind="fire", title="火灾排查"
    )
    assert list(CheckLine.objects.filter(operation=op).values_list("household", flat=True)) == [
        world.h201.pk
    ]


def test_start_needs_emergency_mode(place, territory, cast):
    with pytest.raises(NotAllowed) as exc:
        services.start_operation(
            actor=cast.street, area=territory["community"], kind="flood", title="扫楼"
        )
    assert exc.value.field == "area"
    assert not Operation.objects.exists() and not CheckLine.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "earthquake"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"instructions": "x" * 4001}, "instructions"),
        ({"request_key": "k" * 65}, "request_key"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, territory, cast, fields, field):
    values = {"kind": "flood", "title": "扫楼", **fields}
    with pytest.raises(BadInput) as exc:
        services.start_operation(actor=cast.street, area=territory["community"], **values)
    assert exc.value.field == field
    assert not Operation.objects.exists() and not CheckLine.objects.exists()


def test_only_street_staff_and_district_admins_start(world, territory, cast):
    for actor in (cast.community, cast.mg_worker, cast.dept_cg, cast.alliance):
        with pytest.raises(Forbidden):
            services.start_operation(
                actor=actor, area=territory["community"], kind="flood", title="扫楼"
            )
    assert not Operation.objects.exists()


def test_a_retried_start_records_once_and_a_second_running_operation_is_refused(
    world, territory, cast
):
    one = services.start_operation(
        actor=cast.street, area=territory["community"], kind="flood", title="扫楼", request_key="a"
    )
    again = services.start_operation(
        actor=cast.street, area=territory["community"], kind="flood", title="扫楼", request_key="a"
    )
    assert again.pk == one.pk and CheckLine.objects.count() == 3
    with pytest.raises(NotAllowed):
        services.start_operation(
            actor=cast.district, area=territory["community"], kind="fire", title="二次"
        )


# ---------------------------------------------------------------- checks


def test_a_check_records_once_per_request_key(op, world, cast):
    line = line_of(op, world.h101)
    first = services.record_check(
        actor=cast.mg_worker, line=line, outcome="reached", request_key="tap-1"
    )
    assert first.created and first.line.outcome == "reached" and first.line.version == 1
    retried = services.record_check(
        actor=cast.mg_worker, line=line_of(op, world.h101), outcome="reached", request_key="tap-1"
    )
    assert not retried.created and retried.line.version == 1
    tally = GridTally.objects.get(operation=op, micro_grid=line.micro_grid)
    assert tally.checked == 1 and tally.reached == 1
    # One emergency-bucket award for the household, however often the tap was sent.
    awards = Transfer.objects.filter(user=cast.mg_worker, cause_type="emergency_task")
    assert awards.count() == 1 and awards.get().bucket == "emergency"


def test_a_second_worker_loses_with_a_conflict_naming_who_recorded(op, world, cast, territory):
    from tests.factories import make_user

    other = make_user("helper", role="micro_grid_worker", area=territory["micro1"])
    other.first_name = "李"
    other.save()
    line = line_of(op, world.h101)
    stale = line_of(op, world.h101)
    services.record_check(actor=other, line=line, outcome="absent", request_key="a")
    with pytest.raises(Conflict) as exc:
        services.record_check(actor=cast.mg_worker, line=stale, outcome="reached", request_key="b")
    assert exc.value.status == 409 and exc.value.field == "outcome"
    assert "李" in exc.value.message
    assert line_of(op, world.h101).outcome == "absent"
    assert GridTally.objects.get(operation=op, micro_grid=line.micro_grid).checked == 1


def test_a_re_check_at_the_version_seen_moves_the_tally(op, world, cast):
    line = line_of(op, world.h101)
    services.record_check(actor=cast.mg_worker, line=line, outcome="absent", request_key="a")
    again = line_of(op, world.h101)
    services.record_check(
        actor=cast.mg_worker, line=again, outcome="reached", request_key="b", version=1
    )
    tally = GridTally.objects.get(operation=op, micro_grid=line.micro_grid)
    assert (tally.checked, tally.absent, tally.reached) == (1, 0, 1)
    with pytest.raises(Conflict):  # an old version loses
        services.record_check(
            actor=cast.mg_worker, line=again, outcome="refused", request_key="c", version=1
        )
    # Re-checks pay nothing more.
    assert Transfer.objects.filter(user=cast.mg_worker, cause_type="emergency_task").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"outcome": "gone"}, "outcome"),
        ({"outcome": "needs_help"}, "needs"),
        ({"outcome": "reached", "needs": ["food"]}, "needs"),
        ({"outcome": "needs_help", "needs": ["money"]}, "needs"),
        ({"outcome": "reached", "notes": "x" * 501}, "notes"),
        ({"outcome": "reached", "request_key": ""}, "request_key"),
    ],
)
def test_a_bad_check_names_the_field_and_writes_nothing(op, world, cast, fields, field):
    values = {"request_key": "k", **fields}
    with pytest.raises(BadInput) as exc:
        services.record_check(actor=cast.mg_worker, line=line_of(op, world.h101), **values)
    assert exc.value.field == field
    assert line_of(op, world.h101).outcome == ""
    assert GridTally.objects.filter(operation=op, checked__gt=0).count() == 0


def test_a_worker_of_another_micro_grid_may_not_check(op, world, cast):
    with pytest.raises(Forbidden):
        services.record_check(
            actor=cast.mg_worker2, line=line_of(op, world.h101), outcome="reached", request_key="k"
        )


def test_needs_help_raises_an_emergency_event_at_the_building_once(op, world, cast, territory):
    line = line_of(op, world.h102)
    done = services.record_check(
        actor=cast.mg_worker, line=line, outcome="needs_help", needs=["medical", "food"],
        notes="老人发烧", request_key="n1",
    )  # fmt: skip
    event = done.line.need_event
    assert event is not None and event.source == Event.Source.OPERATION
    assert event.area == territory["micro1"] and event.category.code == "1601"
    assert (event.lng, event.lat) == (world.b1.lng, world.b1.lat)
    assert "防汛扫楼" in event.description and "老人发烧" in event.description
    assert event.submitted_by == cast.mg_worker
    services.record_check(
        actor=cast.mg_worker, line=line_of(op, world.h102), outcome="needs_help",
        needs=["medical", "food"], notes="老人发烧", request_key="n1",
    )  # fmt: skip
    assert Event.objects.filter(source="operation").count() == 1
    board = selectors.dashboard(cast.street, op)
    assert board.needs_raised == 1 and board.open_needs == 1
    Event.objects.filter(pk=event.pk).update(state="closed", closed_at=timezone.now())
    assert selectors.dashboard(cast.street, op).open_needs == 0


def test_an_event_gets_emergency_deadlines_when_dispatched(op, world, cast):
    from shezhi.events import services as events

    done = services.record_check(
        actor=cast.mg_worker, line=line_of(op, world.h102), outcome="needs_help",
        needs=["shelter"], request_key="n1",
    )  # fmt: skip
    event = done.line.need_event
    event = events.perform(actor=cast.community, event=event, action="register", data={})
    event = events.perform(
        actor=cast.community, event=event, action="dispatch",
        data={"target": "worker", "worker": cast.mg_worker.pk},
    )  # fmt: skip
    assert event.emergency


def test_a_stood_down_operation_takes_no_more_work(op, world, cast):
    services.stand_down(actor=cast.street, operation=op)
    with pytest.raises(NotAllowed):
        services.record_check(
            actor=cast.mg_worker, line=line_of(op, world.h101), outcome="reached", request_key="k"
        )
    with pytest.raises(NotAllowed):
        services.stand_down(actor=cast.street, operation=op)
    with pytest.raises(Forbidden):
        services.stand_down(actor=cast.community, operation=op)


# ---------------------------------------------------------------- roll-call, hand-outs


def test_roll_call_on_duty_with_location_paid_once(op, cast):
    with pytest.raises(BadInput) as exc:
        services.report_roll_call(actor=cast.mg_worker, operation=op, status="on_duty")
    assert exc.value.field == "lng" and not RollCall.objects.exists()
    services.report_roll_call(
        actor=cast.mg_worker, operation=op, status="on_duty", lng=104.02, lat=30.62
    )
    services.report_roll_call(actor=cast.mg_worker, operation=op, status="unavailable", note="病")
    services.report_roll_call(
        actor=cast.mg_worker, operation=op, status="on_duty", lng=104.02, lat=30.63
    )
    assert RollCall.objects.filter(operation=op).count() == 1
    assert Transfer.objects.filter(user=cast.mg_worker, cause_type="emergency_task").count() == 1
    services.report_roll_call(actor=cast.mg_worker2, operation=op, status="unavailable")
    board = selectors.dashboard(cast.street, op)
    assert (board.on_duty, board.unavailable) == (1, 1)
    with pytest.raises(Forbidden):
        services.report_roll_call(actor=cast.other_street, operation=op, status="unavailable")


def test_a_hand_out_records_once_per_request(op, world, cast):
    line = line_of(op, world.h101)
    one = services.hand_out(
        actor=cast.mg_worker, line=line, item="安居包", quantity=2, signed_by="张三",
        request_key="h1",
    )  # fmt: skip
    again = services.hand_out(
        actor=cast.mg_worker, line=line, item="安居包", quantity=2, signed_by="张三",
        request_key="h1",
    )  # fmt: skip
    assert one.pk == again.pk and Distribution.objects.count() == 1
    with pytest.raises(BadInput) as exc:
        services.hand_out(
            actor=cast.mg_worker, line=line, item="水", quantity=0, signed_by="张三",
            request_key="h2",
        )  # fmt: skip
    assert exc.value.field == "quantity" and Distribution.objects.count() == 1
    assert selectors.distributed(cast.street, op) == [
        {"item": "安居包", "households": 1, "quantity": 2}
    ]


def test_the_signers_name_is_stored_encrypted(op, world, cast):
    from django.db import connection

    services.hand_out(
        actor=cast.mg_worker, line=line_of(op, world.h101), item="安居包", quantity=1,
        signed_by="欧阳娜娜", request_key="enc",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT signed_by FROM operations_distribution")
        (raw,) = cursor.fetchone()
    assert "欧阳" not in raw and Distribution.objects.get().signed_by == "欧阳娜娜"


# ---------------------------------------------------------------- dashboard


def test_the_dashboard_counts_each_level_and_scope(op, world, cast, territory):
    services.record_check(
        actor=cast.mg_worker, line=line_of(op, world.h102), outcome="reached", request_key="a"
    )
    board = selectors.dashboard(cast.street, op)
    assert (board.total.households, board.total.checked) == (3, 1)
    assert (board.total.vulnerable, board.total.vulnerable_checked) == (1, 1)
    grids = {a.code: a.figures for a in board.levels["micro_grid"]}
    assert grids[territory["micro1"].code].checked == 1
    assert grids[territory["micro2"].code].households == 1
    assert [c.code for c in board.children] == [territory["grid"].code]
    # A micro-grid worker's dashboard is their micro-grid's.
    mine = selectors.dashboard(cast.mg_worker2, op)
    assert (mine.total.households, mine.total.checked) == (1, 0)
    # Read-only roles: the counts of their areas (here the whole operation).
    assert selectors.dashboard(cast.alliance, op).total.households == 3


def test_time_moves_with_the_clock(op, world, cast):
    later = timezone.now() + timedelta(hours=2)
    done = services.record_check(
        actor=cast.mg_worker, line=line_of(op, world.h101), outcome="reached", request_key="a",
        at=later,
    )  # fmt: skip
    assert done.line.first_checked_at == later == done.line.checked_at
