"""Publishing, signing up, the check-in code, check-in/out and the points they earn."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import signing
from django.db import connection

from shezhi.core.errors import BadInput, Forbidden
from shezhi.incentives.models import Transfer
from shezhi.notifications.models import Notification
from shezhi.volunteering import services
from shezhi.volunteering.models import Signup, VolunteerActivity
from tests.factories import make_user
from tests.volunteering.conftest import NOW, place, publish

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def awards():
    return Transfer.objects.filter(cause_type="activity")


# ---------------------------------------------------------------------------
# Publishing


@pytest.mark.parametrize("who", ["community", "street", "district", "responsible"])
def test_staff_over_the_post_and_its_responsible_person_publish(actors, posts, who):
    a = publish(getattr(actors, who), posts.post, title="  垃圾分类   引导 ", slots=8)
    assert a.title == "垃圾分类 引导"
    assert (a.area_id, a.area_path) == (posts.post.area_id, posts.post.area_path)
    assert a.status == "published" and a.signed_up == 0 and a.slots_left == 8
    assert a.created_by == getattr(actors, who)


@pytest.mark.parametrize("who", ["resident", "mg_worker", "community2", "other_district", "nobody"])
def test_others_cannot_publish_at_the_post(actors, posts, who):
    with pytest.raises(Forbidden):
        publish(getattr(actors, who), posts.post)
    assert VolunteerActivity.objects.count() == 0


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 101}, "title"),
        ({"hours": 0}, "ends_at"),
        ({"hours": -1}, "ends_at"),
        ({"hours": 25}, "ends_at"),
        ({"slots": 0}, "slots"),
        ({"slots": -3}, "slots"),
        ({"slots": 501}, "slots"),
        ({"start_in": -M}, "starts_at"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(actors, posts, kw, field):
    with pytest.raises(BadInput) as err:
        publish(actors.community, posts.post, **kw)
    assert err.value.field == field
    assert VolunteerActivity.objects.count() == 0


def test_a_closed_post_takes_no_activity(actors, posts):
    posts.post.active = False
    posts.post.save()
    with pytest.raises(BadInput) as err:
        publish(actors.community, posts.post)
    assert err.value.field == "post"


def test_edit_keeps_places_above_the_sign_ups_and_times_before_the_start(actors, posts, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    services.sign_up(user=actors.resident2, activity=activity, now=NOW)
    with pytest.raises(BadInput) as err:
        services.edit_activity(actor=actors.community, activity=activity, slots=1, now=NOW)
    assert err.value.field == "slots"
    activity.refresh_from_db()
    assert activity.slots == 5
    edited = services.edit_activity(
        actor=actors.community, activity=activity, slots=2, title="新标题", now=NOW
    )
    assert (edited.slots, edited.title, edited.slots_left) == (2, "新标题", 0)
    later = activity.starts_at + 2 * H
    with pytest.raises(BadInput) as err:
        services.edit_activity(
            actor=actors.community, activity=activity, ends_at=activity.starts_at, now=NOW
        )
    assert err.value.field == "ends_at"
    # Under way: the title may change, the times may not.
    during = activity.starts_at + M
    services.edit_activity(actor=actors.community, activity=activity, title="再改", now=during)
    with pytest.raises(services.ActivityStarted):
        services.edit_activity(actor=actors.community, activity=activity, ends_at=later, now=during)
    with pytest.raises(Forbidden):
        services.edit_activity(actor=actors.community2, activity=activity, title="x", now=NOW)


def test_cancelling_tells_the_volunteers_and_stops_sign_ups(actors, posts, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    with pytest.raises(Forbidden):
        services.cancel_activity(actor=actors.mg_worker, activity=activity, now=NOW)
    services.cancel_activity(actor=actors.community, activity=activity, reason="下雨", now=NOW)
    activity.refresh_from_db()
    assert activity.status == "cancelled" and activity.cancel_reason == "下雨"
    note = Notification.objects.get(user=actors.resident)
    assert (
        note.kind == "volunteer_activity_cancelled" and note.url == f"/volunteering/{activity.pk}/"
    )
    with pytest.raises(services.ActivityCancelled):
        services.sign_up(user=actors.resident2, activity=activity, now=NOW)
    with pytest.raises(services.ActivityCancelled):
        services.cancel_activity(actor=actors.community, activity=activity, now=NOW)
    token = services.make_scan_token(activity, now=activity.starts_at)
    with pytest.raises(services.ActivityCancelled):
        services.scan(user=actors.resident, token=token, at=activity.starts_at)


# ---------------------------------------------------------------------------
# Signing up


def test_sign_up_takes_a_place_and_refuses_when_full(actors, posts):
    activity = publish(actors.community, posts.post, slots=2)
    s = services.sign_up(user=actors.resident, activity=activity, now=NOW)
    assert s.status == "signed_up" and s.signed_up_at == NOW
    with pytest.raises(services.AlreadySignedUp):
        services.sign_up(user=actors.resident, activity=activity, now=NOW)
    services.sign_up(user=actors.resident2, activity=activity, now=NOW)
    with pytest.raises(services.ActivityFull):
        services.sign_up(user=actors.nobody, activity=activity, now=NOW)
    activity.refresh_from_db()
    assert activity.signed_up == 2 and activity.slots_left == 0
    assert Signup.objects.filter(activity=activity).count() == 2


def test_cancelling_a_sign_up_gives_the_place_back_before_the_start_only(actors, posts, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    services.cancel_signup(user=actors.resident, activity=activity, now=NOW)
    activity.refresh_from_db()
    assert activity.signed_up == 0
    with pytest.raises(services.NotSignedUp):
        services.cancel_signup(user=actors.resident, activity=activity, now=NOW)
    # Signing up again makes a new current sign-up; the cancelled one stays as history.
    again = services.sign_up(user=actors.resident, activity=activity, now=NOW)
    assert Signup.objects.filter(activity=activity, user=actors.resident).count() == 2
    with pytest.raises(services.ActivityStarted):
        services.cancel_signup(user=actors.resident, activity=activity, now=activity.starts_at)
    again.refresh_from_db()
    assert again.status == "signed_up"


def test_an_ended_activity_takes_no_sign_up(actors, posts):
    past = place(posts.post, starts_at=NOW - 5 * H)
    with pytest.raises(services.ActivityEnded):
        services.sign_up(user=actors.resident, activity=past, now=NOW)
    # Under way is still fine: people join late.
    running = place(posts.post, starts_at=NOW - H)
    assert services.sign_up(user=actors.resident, activity=running, now=NOW).pk


# ---------------------------------------------------------------------------
# The code at the post


def test_a_token_names_its_activity_and_expires(activity):
    token = services.make_scan_token(activity, now=NOW)
    assert services.read_scan_token(token, now=NOW + 9 * M) == activity.pk
    with pytest.raises(services.TokenExpired):
        services.read_scan_token(token, now=NOW + 11 * M)


@pytest.mark.parametrize(
    "forge",
    [
        lambda t, a: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t, a: t.replace(f"a{a.pk}:", f"a{a.pk + 1}:"),
        lambda t, a: signing.TimestampSigner(salt="other").sign(f"a{a.pk}"),
        lambda t, a: signing.TimestampSigner(salt=services.SCAN_SALT).sign("nonsense"),
        lambda t, a: "garbage",
        lambda t, a: "",
    ],
)
def test_a_forged_token_is_refused(actors, activity, forge):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    token = forge(services.make_scan_token(activity, now=activity.starts_at), activity)
    with pytest.raises(services.TokenInvalid):
        services.scan(user=actors.resident, token=token, at=activity.starts_at)
    assert not Signup.objects.filter(checked_in_at__isnull=False).exists()


def test_a_token_from_the_future_is_refused(activity):
    token = services.make_scan_token(activity, now=NOW + H)
    with pytest.raises(services.TokenInvalid):
        services.read_scan_token(token, now=NOW)


# ---------------------------------------------------------------------------
# Check-in and check-out


def _scan(user, activity, at, expect=None):
    token = services.make_scan_token(activity, now=at)
    return services.scan(user=user, token=token, at=at, expect=expect)


def test_check_in_opens_thirty_minutes_before_the_start_and_closes_at_the_end(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    with pytest.raises(services.TooEarly):
        _scan(actors.resident, activity, activity.starts_at - 31 * M)
    with pytest.raises(services.ActivityEnded):
        _scan(actors.resident, activity, activity.ends_at + M)
    result = _scan(actors.resident, activity, activity.starts_at - 30 * M)
    assert result.action == "check_in" and not result.already
    assert result.signup.checked_in_at == activity.starts_at - 30 * M


def test_only_those_signed_up_check_in(actors, activity):
    with pytest.raises(services.NotSignedUp):
        _scan(actors.resident2, activity, activity.starts_at)


def test_scan_in_then_out_credits_the_hours_inside_the_activity_and_awards_once(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    # In 20 minutes early, out 30 minutes late: the 3 hours of the activity count.
    _scan(actors.resident, activity, activity.starts_at - 20 * M)
    # A second tap on "check in" right after does not check out.
    again = _scan(actors.resident, activity, activity.starts_at - 19 * M, expect="check_in")
    assert again.action == "check_in" and again.already
    assert (
        services.preview_scan(
            user=actors.resident,
            token=services.make_scan_token(activity, now=activity.ends_at),
            at=activity.ends_at,
        ).action
        == "check_out"
    )
    out = _scan(actors.resident, activity, activity.ends_at + 30 * M)
    assert out.action == "check_out" and not out.already
    signup = out.signup
    assert signup.minutes == 180 and signup.check_out_method == "scan"
    assert signup.transfer is not None and signup.transfer.points == 30  # 10 per hour
    t = signup.transfer
    assert (t.cause_type, t.cause_id, t.cause_ref) == ("activity", str(signup.pk), activity.title)
    assert t.user == actors.resident and t.bucket == "other" and t.at == activity.ends_at + 30 * M
    # Scanning again, any number of times: the check-out already made, no second award.
    for expect in (None, "check_out", "check_in"):
        repeat = _scan(actors.resident, activity, activity.ends_at + 31 * M, expect=expect)
        assert repeat.already and repeat.action == "check_out"
    assert awards().count() == 1
    assert services.sweep_finished(now=activity.ends_at + 2 * H) == 0
    assert awards().count() == 1


def test_hours_are_those_inside_the_activity_rounded_down(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    _scan(actors.resident, activity, activity.starts_at + 30 * M)
    out = _scan(actors.resident, activity, activity.starts_at + 130 * M + dt.timedelta(seconds=59))
    assert out.signup.minutes == 100
    assert out.signup.transfer.points == 16  # floor(10 × 100/60)


def test_check_out_before_check_in_is_not_possible(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    with pytest.raises(services.NotCheckedIn):
        _scan(actors.resident, activity, activity.starts_at, expect="check_out")
    with pytest.raises(BadInput):
        _scan(actors.resident, activity, activity.starts_at, expect="dance")


def test_zero_minutes_earn_nothing(actors, activity):
    services.sign_up(user=actors.resident, activity=activity, now=NOW)
    _scan(actors.resident, activity, activity.starts_at - 10 * M)
    out = _scan(actors.resident, activity, activity.starts_at - 5 * M)
    assert out.signup.minutes == 0 and out.signup.transfer is None
    assert awards().count() == 0


def test_staff_check_in_and_out_by_hand_in_their_scope_only(actors, activity):
    s = services.sign_up(user=actors.resident, activity=activity, now=NOW)
    with pytest.raises(Forbidden):
        services.staff_check_in(actor=actors.community2, signup=s, at=activity.starts_at)
    with pytest.raises(services.TooEarly):
        services.staff_check_in(actor=actors.community, signup=s, at=NOW)
    s = services.staff_check_in(actor=actors.responsible, signup=s, at=activity.starts_at)
    assert s.checked_in_by == actors.responsible
    with pytest.raises(Forbidden):
        services.staff_check_out(actor=actors.mg_worker, signup=s, at=activity.ends_at)
    s = services.staff_check_out(actor=actors.street, signup=s, at=activity.starts_at + 2 * H)
    assert s.minutes == 120 and s.check_out_method == "staff" and s.transfer.points == 20
    with pytest.raises(services.NotAllowed):
        services.staff_check_out(actor=actors.street, signup=s, at=activity.ends_at)
    assert awards().count() == 1


def test_the_sweep_checks_out_at_the_end_once(actors, posts):
    activity = place(posts.post, starts_at=NOW - 4 * H, hours=3)
    stay = Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=NOW - 9 * H)
    gone = Signup.objects.create(activity=activity, user=actors.resident2, signed_up_at=NOW - 9 * H)
    absent = Signup.objects.create(activity=activity, user=actors.nobody, signed_up_at=NOW - 9 * H)
    Signup.objects.filter(pk__in=[stay.pk, gone.pk]).update(checked_in_at=activity.starts_at)
    Signup.objects.filter(pk=gone.pk).update(checked_out_at=activity.starts_at + H, minutes=60)
    running = place(posts.post, starts_at=NOW - H, hours=3)
    still = Signup.objects.create(activity=running, user=actors.resident, signed_up_at=NOW - 9 * H)
    Signup.objects.filter(pk=still.pk).update(checked_in_at=running.starts_at)

    assert services.sweep_finished(now=NOW) == 1
    assert services.sweep_finished(now=NOW) == 0
    stay.refresh_from_db()
    assert stay.checked_out_at == activity.ends_at and stay.check_out_method == "sweep"
    assert stay.minutes == 180 and stay.transfer.points == 30
    absent.refresh_from_db()
    still.refresh_from_db()
    assert absent.checked_in_at is None and still.checked_out_at is None
    assert awards().count() == 1


def test_the_sweep_command(actors, posts):
    from django.core.management import call_command

    activity = place(posts.post, starts_at=NOW - 4 * H, hours=2)
    s = Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=NOW - 9 * H)
    Signup.objects.filter(pk=s.pk).update(checked_in_at=activity.starts_at)
    from io import StringIO

    out = StringIO()
    call_command("volunteering_sweep", now=NOW.isoformat(), stdout=out)
    assert "checked out 1" in out.getvalue()
    s.refresh_from_db()
    assert s.minutes == 120 and s.transfer.points == 20
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("volunteering_sweep", now="yesterday")


def test_the_daily_cap_limits_a_long_day(actors, posts):
    # Rule: 10 points an hour, at most 80 a day (incentives.rules.DEFAULTS).
    a1 = place(posts.post, starts_at=NOW - 24 * H, hours=6, title="上午")
    a2 = place(posts.post, starts_at=NOW - 17 * H, hours=6, title="下午")
    for a in (a1, a2):
        s = Signup.objects.create(activity=a, user=actors.resident, signed_up_at=NOW - 30 * H)
        Signup.objects.filter(pk=s.pk).update(checked_in_at=a.starts_at)
    services.sweep_finished(now=NOW)
    points = sorted(awards().values_list("points", flat=True))
    assert sum(points) <= 80 and points[-1] == 60


# ---------------------------------------------------------------------------
# Under concurrency (PostgreSQL: SQLite serialises writers anyway)


@pytest.mark.django_db(transaction=True)
def test_parallel_sign_ups_never_exceed_the_places(actors, posts):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    from django.utils import timezone

    activity = publish(actors.community, posts.post, slots=5, now=timezone.now())
    people = [make_user(f"vol{i:02d}") for i in range(16)]
    barrier = threading.Barrier(len(people))
    outcomes, errors = [], []

    def attempt(user):
        from django.db import connections

        try:
            barrier.wait()
            services.sign_up(user=user, activity=VolunteerActivity.objects.get(pk=activity.pk))
            outcomes.append("ok")
        except services.ActivityFull:
            outcomes.append("full")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert outcomes.count("ok") == 5 and outcomes.count("full") == 11
    activity.refresh_from_db()
    assert activity.signed_up == 5
    assert Signup.objects.filter(activity=activity, status="signed_up").count() == 5


@pytest.mark.django_db(transaction=True)
def test_parallel_scans_check_out_and_award_once(actors, posts):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    from django.utils import timezone

    now = timezone.now()
    activity = place(posts.post, starts_at=now - 2 * H, hours=3)
    s = Signup.objects.create(activity=activity, user=actors.resident, signed_up_at=now - 5 * H)
    Signup.objects.filter(pk=s.pk).update(checked_in_at=activity.starts_at)
    token = services.make_scan_token(activity)
    barrier = threading.Barrier(6)
    outcomes, errors = [], []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            r = services.scan(user=actors.resident, token=token, expect="check_out")
            outcomes.append(r.already)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == [False] + [True] * 5
    assert awards().count() == 1
    s.refresh_from_db()
    assert s.transfer_id == awards().get().pk
