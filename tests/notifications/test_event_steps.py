"""What an event's steps tell people: one notification per person and change, in their words."""

from __future__ import annotations

import pytest

from shezhi.events import sla
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from tests.events.conftest import act, actors, report  # noqa: F401
from tests.events.test_sla import DUE, T0, WARN

pytestmark = pytest.mark.django_db


def titles(user, event) -> list[str]:
    return list(
        Notification.objects.about(event)
        .filter(user=user)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )


def test_a_resident_hears_each_meaningful_change_once_in_their_words(actors):  # noqa: F811
    event = report(actors.resident)
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    act(actors.grid_worker, event, "verify_pass")
    act(actors.resident, event, "rate", data={"rating": "satisfied"})

    mine = titles(actors.resident, event)
    # Taken on, handled (your turn to confirm), resolved: not the internal dispatch.
    assert [t.split("：", 1)[1] for t in mine] == ["已受理", "已处理，请您确认", "已解决"]
    assert not any("核查" in t or "已处置" in t or "已派遣" in t for t in mine)

    # The handler: dispatched to them, closed, then the rating — never two 已结案.
    handler = titles(actors.mg_worker, event)
    assert [t.split("：", 1)[1] for t in handler] == ["已派遣", "已结案", "上报人评价：满意"]
    assert sum("已结案" in t for t in handler) == 1


def test_a_me_too_follower_is_not_asked_to_confirm(actors):  # noqa: F811
    event = report(actors.resident)
    act(actors.resident2, event, "me_too")
    act(actors.community, event, "register")
    act(actors.community, event, "dispatch", data={"target": "worker"})
    act(actors.mg_worker, event, "accept")
    act(actors.mg_worker, event, "handle", data={"result": "已清运"})
    assert titles(actors.resident2, event)[-1].endswith("已处理，待上报人确认")
    assert titles(actors.resident, event)[-1].endswith("已处理，请您确认")


def test_an_escalation_says_it_was_escalated(actors):  # noqa: F811
    event = report(actors.resident)
    act(actors.grid_worker, event, "escalate", reason="网格无法解决")
    (title,) = titles(actors.community, event)
    assert title.endswith("已上报至凤凰社区"), title


def test_an_overdue_escalation_completes_the_overdue_notice(actors):  # noqa: F811
    """One scan, one deadline: the handler gets one notice that says overdue and
    escalated (not two); the holding level its overdue notice; the level above its own."""
    event = report(actors.resident, at=T0)
    act(actors.community, event, "register", at=T0)
    act(actors.community, event, "dispatch", data={"target": "worker"}, at=T0)
    sla.scan(now=WARN)
    before = titles(actors.mg_worker, event)
    sla.scan(now=DUE)
    after = titles(actors.mg_worker, event)
    assert len(after) == len(before) + 1
    assert after[-1].endswith("已超期，已上报至凤凰社区"), after
    grid = titles(actors.grid_worker, event)
    assert len(grid) == 1 and grid[0].endswith("已超期")
    (community,) = [t for t in titles(actors.community, event) if "超期" in t]
    assert community.endswith("已超期，已上报至凤凰社区")


def test_notify_merges_into_an_earlier_notice_of_the_same_change(people, territory):
    from tests.events.conftest import report as make_event

    alice, bob = people["alice"], people["bob"]
    event = make_event(alice)
    notify([alice], kind="event.overdue", title="overdue", subject=event)
    Notification.objects.filter(user=alice).update(read_at="2026-01-01T00:00:00Z")
    n = notify(
        [alice, bob],
        kind="event.escalate_overdue",
        title="overdue, escalated",
        subject=event,
        merge_into=("event.overdue",),
    )
    assert n == 2
    mine = Notification.objects.get(user=alice)
    assert (mine.kind, mine.title, mine.read_at) == ("event.overdue", "overdue, escalated", None)
    assert Notification.objects.get(user=bob).title == "overdue, escalated"
