"""notify / mark_read / mark_all_read: cheap, after commit, own notifications only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks.signals import task_enqueued

from shezhi.notifications import selectors, services
from shezhi.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued():
    """Every task enqueued during the test, as (task name, args)."""
    seen = []

    def record(sender, task_result, **kwargs):
        seen.append((task_result.task.name, list(task_result.args)))

    task_enqueued.connect(record)
    yield seen
    task_enqueued.disconnect(record)


def test_notify_creates_one_per_distinct_active_user(people, django_assert_max_num_queries):
    alice, bob, gone = people["alice"], people["bob"], people["gone"]
    with django_assert_max_num_queries(3):  # the users, the insert (and a savepoint at most)
        n = services.notify(
            [alice, bob.pk, alice, alice.pk, gone, None],
            kind="event.dispatched",
            title="  事件已派遣  ",
            body="请在3个工作日内处理",
            url="/events/12/",
        )
    assert n == 2
    rows = Notification.objects.order_by("user__username")
    assert [r.user for r in rows] == [alice, bob]
    first = rows[0]
    assert (first.kind, first.title, first.body, first.url) == (
        "event.dispatched",
        "事件已派遣",
        "请在3个工作日内处理",
        "/events/12/",
    )
    assert first.read_at is None and first.subject is None


def test_notify_accepts_a_queryset_and_nobody(people):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["alice", "bob", "gone"])
    assert services.notify(users, kind="k", title="t") == 2
    assert services.notify([], kind="k", title="t") == 0
    assert services.notify([people["gone"]], kind="k", title="t") == 0
    assert services.notify([999_999], kind="k", title="t") == 0
    assert Notification.objects.count() == 2


def test_notify_enqueues_one_task_only_after_commit(
    people, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        services.notify([people["alice"], people["bob"]], kind="k", title="标题")
        assert enqueued == []  # nothing before the commit
    assert len(callbacks) == 1
    pks = sorted(Notification.objects.values_list("pk", flat=True))
    assert enqueued == [("deliver_notifications", [pks])]
    # Delivered on the default channel (console) by the (immediate) task.
    assert Delivery.objects.filter(status="sent", channel="console").count() == 2


def test_a_rolled_back_notify_enqueues_nothing(
    people, enqueued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify([people["alice"]], kind="k", title="标题")
        raise RuntimeError("the surrounding write failed")
    assert callbacks == [] and enqueued == []
    assert Notification.objects.count() == 0


def test_notify_for_nobody_enqueues_nothing(people, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.notify([people["gone"]], kind="k", title="t") == 0
    assert callbacks == [] and enqueued == []


def test_a_failed_enqueue_does_not_break_the_committed_request(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(ids):
        raise ConnectionError("task queue down")

    monkeypatch.setattr(services, "_enqueue_delivery", broken)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify([people["alice"]], kind="k", title="t") == 1
    assert "task queue down" in caplog.text
    assert Notification.objects.count() == 1  # still in the app; the timer delivers it later


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "", "title": "t"}, "kind"),
        ({"kind": "x" * 65, "title": "t"}, "kind"),
        ({"kind": "k", "title": "   "}, "title"),
        ({"kind": "k", "title": "t", "url": "https://evil.example/"}, "url"),
        ({"kind": "k", "title": "t", "url": "//evil.example/"}, "url"),
        ({"kind": "k", "title": "t", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "k", "title": "t", "url": "/\\evil.example"}, "url"),
    ],
)
def test_notify_refuses_bad_input_with_the_field_named(people, kwargs, field):
    with pytest.raises(ValidationError) as err:
        services.notify([people["alice"]], **kwargs)
    assert field in err.value.message_dict
    assert Notification.objects.count() == 0


def test_notify_refuses_recipients_that_are_not_users(people):
    with pytest.raises(TypeError, match="iterable of users"):
        services.notify(people["alice"], kind="k", title="t")
    with pytest.raises(TypeError, match="iterable of users"):
        services.notify(people["alice"].pk, kind="k", title="t")
    with pytest.raises(TypeError, match="not a user"):
        services.notify(["alice"], kind="k", title="t")
    with pytest.raises(TypeError, match="not a user"):
        services.notify([True], kind="k", title="t")


def test_a_long_title_is_cut_not_refused(people):
    services.notify([people["alice"]], kind="k", title="长" * 300)
    title = Notification.objects.get().title
    assert len(title) == 200 and title.endswith("…")


def test_notify_links_an_event_and_goes_with_it(people, territory):
    from shezhi.events.models import Category, Event

    micro = territory["micro1"]
    event = Event.objects.create(
        category=Category.objects.filter(parent__isnull=False).first(),
        source=Event.Source.values[0],
        description="路灯不亮",
        lng=104.02,
        lat=30.65,
        area=micro,
        area_path=micro.path,
        owner_area=micro,
        owner_path=micro.path,
        submitted_by=people["bob"],
        created_at=timezone.now(),
    )
    services.notify([people["alice"]], kind="event.reported", title="新事件", subject=event)
    about = Notification.objects.about(event)
    assert list(about.values_list("user__username", flat=True)) == ["alice"]
    event.delete()
    assert Notification.objects.count() == 0


def test_mark_read_own_only(people):
    alice, bob = people["alice"], people["bob"]
    services.notify([alice, bob], kind="k", title="t")
    mine = Notification.objects.get(user=alice)
    theirs = Notification.objects.get(user=bob)

    read = services.mark_read(user=alice, notification_id=mine.pk)
    assert read.pk == mine.pk and read.read_at is not None
    first_read = read.read_at
    # Reading again keeps the first time.
    assert services.mark_read(user=alice, notification_id=str(mine.pk)).read_at == first_read

    for bad in (theirs.pk, 999_999, "abc", None):
        with pytest.raises(Http404):
            services.mark_read(user=alice, notification_id=bad)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_refuses_a_visitor(people):
    from django.contrib.auth.models import AnonymousUser

    services.notify([people["alice"]], kind="k", title="t")
    with pytest.raises(Http404):
        services.mark_read(user=AnonymousUser(), notification_id=Notification.objects.get().pk)


def test_mark_all_read_touches_only_the_users_unread(people):
    alice, bob = people["alice"], people["bob"]
    for i in range(3):
        services.notify([alice, bob], kind="k", title=f"t{i}")
    services.mark_read(
        user=alice, notification_id=Notification.objects.filter(user=alice).first().pk
    )
    assert services.mark_all_read(user=alice) == 2
    assert services.mark_all_read(user=alice) == 0
    assert selectors.unread_count(alice) == 0
    assert selectors.unread_count(bob) == 3


def test_selectors_newest_first_and_filters(people):
    alice = people["alice"]
    for i in range(3):
        services.notify([alice], kind="k", title=f"t{i}")
    assert [n.title for n in selectors.notifications_for(alice)] == ["t2", "t1", "t0"]
    services.mark_read(user=alice, notification_id=selectors.notifications_for(alice)[0].pk)
    assert [n.title for n in selectors.notifications_for(alice, unread=True)] == ["t1", "t0"]
    assert [n.title for n in selectors.notifications_for(alice, unread=False)] == ["t2"]
    from django.contrib.auth.models import AnonymousUser

    assert selectors.unread_count(AnonymousUser()) == 0
    assert selectors.unread_count(alice) == 2
    assert selectors.unread_count(alice, cap=1) == 1


def test_notify_many_writes_what_notify_writes_for_many_messages(
    people, enqueued, django_capture_on_commit_callbacks
):
    alice, bob, gone = people["alice"], people["bob"], people["gone"]
    long_title = "长" * 300
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        n = services.notify_many(
            [
                services.Message(
                    {alice.pk, gone.pk}, "event.due_soon", "  即将到期 ", "b1", "/e/1/"
                ),
                services.Message({alice.pk, bob.pk}, "event.overdue", long_title, "b2", "/e/2/"),
                services.Message({gone.pk}, "event.overdue", "无人", "", ""),
            ]
        )
        assert enqueued == []  # delivery only after the commit
    assert n == 3
    rows = list(Notification.objects.order_by("pk").values_list("user__username", "kind", "title"))
    assert rows[0] == ("alice", "event.due_soon", "即将到期")
    assert {r[0] for r in rows[1:]} == {"alice", "bob"}
    assert all(len(r[2]) == 200 and r[2].endswith("…") for r in rows[1:])
    pks = sorted(Notification.objects.values_list("pk", flat=True))
    assert enqueued == [("deliver_notifications", [pks])]
    with pytest.raises(ValidationError):
        services.notify_many([services.Message({alice.pk}, "k", "t", url="http://evil")])
    assert Notification.objects.count() == 3
