"""Every write to volunteer activities: publish, edit, cancel, sign up, check in and out.

Keyword-only functions, one transaction each, the actor's right checked in the
function. Exactly once, under any concurrency:

- a place is taken by a conditional UPDATE (``signed_up < slots``), which the
  database also guards with a check constraint, so parallel sign-ups never
  overbook;
- check-in and check-out are conditional UPDATEs on the sign-up row (``checked_in_at
  IS NULL`` / ``checked_out_at IS NULL``): two scans at once find one of them
  writing and the other seeing it done;
- the check-out is published (``hooks.checked_out``) in its transaction, where
  incentives awards the points, keyed on the sign-up, so the ledger holds one award
  per sign-up.

The check-in code at a post is a URL carrying a signed, timestamped token naming
the activity (``make_scan_token``); it expires after ``SHEZHI_VOLUNTEER_QR_SECONDS``
(10 minutes), and the display page fetches a fresh one every minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core.errors import BadInput, Forbidden, NotAllowed
from shezhi.core.notices import Notice, publish_notices
from shezhi.core.participation import Way, record_participation

from . import hooks, permissions
from .models import Signup, VolunteerActivity

A = VolunteerActivity.Status
TITLE_MAX = 100
SLOTS_MAX = 500
LONGEST = dt.timedelta(hours=24)
# A volunteer may check in this long before the start.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
SCAN_SALT = "shezhi.volunteering.scan"


# ---------------------------------------------------------------------------
# Specific refusals (a stable ``code`` for API clients)


class ActivityCancelled(NotAllowed):
    code = "activity_cancelled"


class ActivityEnded(NotAllowed):
    code = "activity_ended"


class ActivityStarted(NotAllowed):
    code = "activity_started"


class ActivityFull(NotAllowed):
    code = "activity_full"


class AlreadySignedUp(NotAllowed):
    code = "already_signed_up"


class NotSignedUp(NotAllowed):
    code = "not_signed_up"


class TooEarly(NotAllowed):
    code = "too_early"


class NotCheckedIn(NotAllowed):
    code = "not_checked_in"


class TokenExpired(BadInput):
    code = "token_expired"


class TokenInvalid(BadInput):
    code = "token_invalid"


# ---------------------------------------------------------------------------
# Who may manage a post's activities


def _require_manager(user, post) -> None:
    if not permissions.can(user, "manage", post):
        raise Forbidden(_("Only the post's staff may manage its volunteer activities."))


def _now(now) -> dt.datetime:
    return now or timezone.now()


# ---------------------------------------------------------------------------
# Publishing


def _clean_fields(*, title, description, starts_at, ends_at, slots, now) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise BadInput(_("Give the activity a title."), field="title")
    if len(title) > TITLE_MAX:
        raise BadInput(_("A title has at most %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    if starts_at is None:
        raise BadInput(_("Say when the activity starts."), field="starts_at")
    if ends_at is None:
        raise BadInput(_("Say when the activity ends."), field="ends_at")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise BadInput(_("Times need a time zone."), field="starts_at")
    if starts_at < now:
        raise BadInput(_("The activity cannot start in the past."), field="starts_at")
    if ends_at <= starts_at:
        raise BadInput(_("The activity must end after it starts."), field="ends_at")
    if ends_at - starts_at > LONGEST:
        raise BadInput(_("An activity lasts at most 24 hours."), field="ends_at")
    if slots is None or isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
        raise BadInput(_("An activity needs at least one place."), field="slots")
    if slots > SLOTS_MAX:
        raise BadInput(_("An activity has at most %(n)d places.") % {"n": SLOTS_MAX}, field="slots")
    return {
        "title": title,
        "description": (description or "").strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "slots": slots,
    }


@transaction.atomic
def publish_activity(
    *,
    actor,
    post,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    slots: int,
    description: str = "",
    now: dt.datetime | None = None,
) -> VolunteerActivity:
    _require_manager(actor, post)
    if not post.active:
        raise BadInput(_("The service post is closed."), field="post")
    fields = _clean_fields(
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        slots=slots,
        now=_now(now),
    )
    return VolunteerActivity.objects.create(
        post=post, area_id=post.area_id, area_path=post.area_path, created_by=actor, **fields
    )


@transaction.atomic
def edit_activity(
    *,
    actor,
    activity: VolunteerActivity,
    title: str | None = None,
    description: str | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    slots: int | None = None,
    now: dt.datetime | None = None,
) -> VolunteerActivity:
    """Change what is given; times only before the start, places never below the sign-ups."""
    now = _now(now)
    current = VolunteerActivity.objects.select_for_update().select_related("post__area")
    current = current.get(pk=activity.pk)
    _require_manager(actor, current.post)
    if current.status == A.CANCELLED:
        raise ActivityCancelled(_("This activity was cancelled."))
    if current.ends_at <= now:
        raise ActivityEnded(_("This activity has ended."))
    times_changed = (starts_at is not None and starts_at != current.starts_at) or (
        ends_at is not None and ends_at != current.ends_at
    )
    if times_changed and current.starts_at <= now:
        raise ActivityStarted(_("The times of an activity under way cannot change."))
    new_start = starts_at if starts_at is not None else current.starts_at
    fields = _clean_fields(
        title=current.title if title is None else title,
        description=current.description if description is None else description,
        starts_at=new_start,
        ends_at=ends_at if ends_at is not None else current.ends_at,
        slots=current.slots if slots is None else slots,
        # An unchanged start already passed is fine; a new one must be ahead.
        now=now if times_changed else min(now, new_start),
    )
    # Never below the places taken: the same condition as the database's constraint,
    # checked in the UPDATE so a sign-up at the same moment cannot slip past it.
    changed = VolunteerActivity.objects.filter(
        pk=current.pk, signed_up__lte=fields["slots"]
    ).update(updated_at=timezone.now(), **fields)
    if not changed:
        raise BadInput(
            _("%(n)d people have signed up: the places cannot go below that.")
            % {"n": current.signed_up},
            field="slots",
        )
    current.refresh_from_db()
    return current


@transaction.atomic
def cancel_activity(
    *, actor, activity: VolunteerActivity, reason: str = "", now: dt.datetime | None = None
) -> VolunteerActivity:
    now = _now(now)
    current = VolunteerActivity.objects.select_for_update().select_related("post__area")
    current = current.get(pk=activity.pk)
    _require_manager(actor, current.post)
    if current.status == A.CANCELLED:
        raise ActivityCancelled(_("This activity was already cancelled."))
    if current.ends_at <= now:
        raise ActivityEnded(_("An activity that has ended cannot be cancelled."))
    if current.signups.filter(checked_in_at__isnull=False).exists():
        raise ActivityStarted(
            _("Volunteers have already checked in: the activity cannot be cancelled.")
        )
    reason = " ".join((reason or "").split())[:200]
    VolunteerActivity.objects.filter(pk=current.pk).update(
        status=A.CANCELLED, cancelled_at=now, cancel_reason=reason, updated_at=now
    )
    current.refresh_from_db()
    volunteers = list(
        current.signups.filter(status=Signup.Status.SIGNED_UP).values_list("user_id", flat=True)
    )
    if volunteers:
        # Written in this transaction by whichever app delivers notices (notifications).
        publish_notices(
            [
                Notice(
                    recipients=set(volunteers),
                    kind="volunteer_activity_cancelled",
                    title=_("Volunteer activity cancelled: %(title)s") % {"title": current.title},
                    body=reason,
                    url=f"/volunteering/{current.pk}/",
                )
            ]
        )
    return current


# ---------------------------------------------------------------------------
# Signing up


def _current_signup(user, activity) -> Signup | None:
    return Signup.objects.filter(
        activity=activity, user=user, status=Signup.Status.SIGNED_UP
    ).first()


@transaction.atomic
def sign_up(*, user, activity: VolunteerActivity, now: dt.datetime | None = None) -> Signup:
    """Take one place; refused when full, cancelled, ended, or already signed up."""
    now = _now(now)
    if not permissions.can(user, "volunteer", activity):
        raise Forbidden(_("Sign in to sign up."))
    activity.refresh_from_db()
    if activity.status == A.CANCELLED:
        raise ActivityCancelled(_("This activity was cancelled."))
    if activity.ends_at <= now:
        raise ActivityEnded(_("This activity has ended."))
    if _current_signup(user, activity) is not None:
        raise AlreadySignedUp(_("You have already signed up for this activity."))
    taken = VolunteerActivity.objects.filter(
        pk=activity.pk, status=A.PUBLISHED, signed_up__lt=F("slots")
    ).update(signed_up=F("signed_up") + 1)
    if not taken:
        raise ActivityFull(_("All places are taken."))
    try:
        with transaction.atomic():
            signup = Signup.objects.create(activity=activity, user=user, signed_up_at=now)
    except IntegrityError:
        # Signed up in another tab at the same moment: the place taken above is
        # given back by this transaction's rollback.
        raise AlreadySignedUp(_("You have already signed up for this activity.")) from None
    activity.signed_up += 1
    return signup


@transaction.atomic
def cancel_signup(*, user, activity: VolunteerActivity, now: dt.datetime | None = None) -> Signup:
    """Give one's place back, before the activity starts."""
    now = _now(now)
    signup = _current_signup(user, activity)
    if signup is None:
        raise NotSignedUp(_("You have not signed up for this activity."))
    activity.refresh_from_db()
    if activity.starts_at <= now and activity.status == A.PUBLISHED:
        raise ActivityStarted(
            _("The activity has started: your place can no longer be given back.")
        )
    done = Signup.objects.filter(
        pk=signup.pk, status=Signup.Status.SIGNED_UP, checked_in_at__isnull=True
    ).update(status=Signup.Status.CANCELLED, cancelled_at=now)
    if not done:
        raise ActivityStarted(_("You have checked in: the sign-up cannot be cancelled."))
    VolunteerActivity.objects.filter(pk=activity.pk, signed_up__gt=0).update(
        signed_up=F("signed_up") - 1
    )
    signup.refresh_from_db()
    activity.refresh_from_db()
    return signup


# ---------------------------------------------------------------------------
# The code at the post


def token_seconds() -> int:
    return int(getattr(settings, "SHEZHI_VOLUNTEER_QR_SECONDS", 600))


def refresh_seconds() -> int:
    """How often the display page fetches a new code: well inside the token's life."""
    return max(5, min(60, token_seconds() // 4))


class _ScanSigner(signing.TimestampSigner):
    """A TimestampSigner whose clock can be given (tests, explicit times)."""

    def __init__(self, now: dt.datetime | None = None):
        super().__init__(salt=SCAN_SALT)
        self._at = now

    def timestamp(self):
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))

    def unsign_at(self, value: str, *, max_age: int, now: dt.datetime) -> str:
        # The signature first (Signer.unsign), then the age against ``now``.
        result = signing.Signer.unsign(self, value)
        value, stamp = result.rsplit(self.sep, 1)
        age = now.timestamp() - signing.b62_decode(stamp)
        if age > max_age:
            raise signing.SignatureExpired("token expired")
        if age < -60:  # issued in the future: not by this clock
            raise signing.BadSignature("token from the future")
        return value


def make_scan_token(activity: VolunteerActivity, *, now: dt.datetime | None = None) -> str:
    return _ScanSigner(now).sign(f"a{activity.pk}")


def read_scan_token(token: str, *, now: dt.datetime | None = None) -> int:
    """The activity id the token names; TokenExpired or TokenInvalid otherwise."""
    try:
        value = _ScanSigner().unsign_at(
            (token or "").strip(), max_age=token_seconds(), now=_now(now)
        )
    except signing.SignatureExpired:
        raise TokenExpired(
            _("This code has expired. Scan the code shown at the post now.")
        ) from None
    except (signing.BadSignature, ValueError):
        raise TokenInvalid(_("This is not a valid check-in code.")) from None
    if not value.startswith("a") or not value[1:].isdigit():
        raise TokenInvalid(_("This is not a valid check-in code."))
    return int(value[1:])


# ---------------------------------------------------------------------------
# Check-in and check-out


@dataclass
class ScanResult:
    activity: VolunteerActivity
    signup: Signup | None
    action: str  # "check_in" or "check_out": done now, or (already=True) done before
    already: bool = False


def credited_minutes(activity: VolunteerActivity, checked_in_at, checked_out_at) -> int:
    """min(out, end) − max(in, start), in whole minutes, never below zero."""
    start = max(checked_in_at, activity.starts_at)
    end = min(checked_out_at, activity.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _check_in_window(activity: VolunteerActivity, at: dt.datetime) -> None:
    if activity.status == A.CANCELLED:
        raise ActivityCancelled(_("This activity was cancelled."))
    opens = activity.starts_at - CHECK_IN_EARLY
    if at < opens:
        raise TooEarly(
            _("Check-in opens 30 minutes before the start, at %(time)s.")
            % {"time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")}
        )
    if at > activity.ends_at:
        raise ActivityEnded(_("This activity has ended."))


def _do_check_in(signup: Signup, *, at: dt.datetime, by) -> bool:
    """True when this call checked the volunteer in (False: it was already done)."""
    done = Signup.objects.filter(
        pk=signup.pk, status=Signup.Status.SIGNED_UP, checked_in_at__isnull=True
    ).update(checked_in_at=at, checked_in_by=by)
    signup.refresh_from_db()
    return bool(done)


def _do_check_out(signup: Signup, *, at: dt.datetime, by, method: str) -> bool:
    """Check out and award the points, once; False when somebody else did it first."""
    activity = signup.activity
    if signup.checked_in_at is None:
        raise NotCheckedIn(_("The volunteer has not checked in."))
    if at < signup.checked_in_at:
        raise BadInput(_("The check-out cannot be before the check-in."), field="at")
    minutes = credited_minutes(activity, signup.checked_in_at, at)
    done = Signup.objects.filter(
        pk=signup.pk, checked_in_at__isnull=False, checked_out_at__isnull=True
    ).update(checked_out_at=at, checked_out_by=by, check_out_method=method, minutes=minutes)
    if not done:
        signup.refresh_from_db()
        return False
    # Took part in an activity (residents taking part counts it), once per sign-up.
    record_participation(
        way=Way.ACTIVITY, area=activity.area_path, at=at, source=signup, user=signup.user
    )
    # The points for the hours (incentives listens), in this transaction: exactly once.
    transfer = hooks.checked_out(
        hooks.CheckedOut(signup=signup, activity=activity, minutes=minutes, at=at, by=by)
    )
    if transfer is not None:
        Signup.objects.filter(pk=signup.pk).update(transfer=transfer)
    signup.refresh_from_db()
    return True


def _activity_for_update(pk: int) -> VolunteerActivity:
    return VolunteerActivity.objects.select_related("post__area").get(pk=pk)


def preview_scan(*, user, token: str, at: dt.datetime | None = None) -> ScanResult:
    """What ``scan`` would do now, writing nothing; raises what ``scan`` would raise."""
    at = _now(at)
    activity_id = read_scan_token(token, now=at)
    activity = VolunteerActivity.objects.select_related("post").filter(pk=activity_id).first()
    if activity is None:
        raise TokenInvalid(_("This is not a valid check-in code."))
    signup = _current_signup(user, activity)
    if signup is None:
        raise NotSignedUp(_("You have not signed up for this activity."))
    if signup.checked_in_at is None:
        _check_in_window(activity, at)
        return ScanResult(activity, signup, "check_in")
    if signup.checked_out_at is None:
        return ScanResult(activity, signup, "check_out")
    return ScanResult(activity, signup, "check_out", already=True)


@transaction.atomic
def scan(
    *, user, token: str, expect: str | None = None, at: dt.datetime | None = None
) -> ScanResult:
    """The volunteer scanned the post's code: check in, or (checked in) check out.

    ``expect`` ("check_in"/"check_out") is what the volunteer confirmed: a second
    tap on "check in" finds the check-in done and does not check out. Scanning
    after the check-out answers the check-out already made (no second award).
    """
    at = _now(at)
    if expect not in (None, "", "check_in", "check_out"):
        raise BadInput(_("Unknown action."), field="action")
    if not permissions.can(user, "volunteer"):
        raise Forbidden(_("Sign in to check in."))
    activity_id = read_scan_token(token, now=at)
    try:
        activity = _activity_for_update(activity_id)
    except VolunteerActivity.DoesNotExist:
        raise TokenInvalid(_("This is not a valid check-in code.")) from None
    signup = _current_signup(user, activity)
    if signup is None:
        raise NotSignedUp(_("You have not signed up for this activity."))
    signup.activity = activity
    if signup.checked_in_at is None:
        if expect == "check_out":
            raise NotCheckedIn(_("You have not checked in yet."))
        _check_in_window(activity, at)
        if _do_check_in(signup, at=at, by=user):
            return ScanResult(activity, signup, "check_in")
        # Another scan checked in a moment ago: that is the answer to this one too.
        return ScanResult(activity, signup, "check_in", already=True)
    if signup.checked_out_at is None:
        if expect == "check_in":
            return ScanResult(activity, signup, "check_in", already=True)
        done = _do_check_out(signup, at=at, by=user, method=Signup.CheckOut.SCAN)
        return ScanResult(activity, signup, "check_out", already=not done)
    return ScanResult(activity, signup, "check_out", already=True)


def _staff_signup(actor, signup: Signup) -> Signup:
    signup = Signup.objects.select_related("activity__post__area", "user").get(pk=signup.pk)
    _require_manager(actor, signup.activity.post)
    if signup.status != Signup.Status.SIGNED_UP:
        raise NotSignedUp(_("This sign-up was cancelled."))
    return signup


@transaction.atomic
def staff_check_in(*, actor, signup: Signup, at: dt.datetime | None = None) -> Signup:
    """Staff check a volunteer in by hand (no phone at hand)."""
    at = _now(at)
    signup = _staff_signup(actor, signup)
    if signup.checked_in_at is not None:
        raise NotAllowed(_("The volunteer has already checked in."))
    _check_in_window(signup.activity, at)
    _do_check_in(signup, at=at, by=actor)
    return signup


@transaction.atomic
def staff_check_out(*, actor, signup: Signup, at: dt.datetime | None = None) -> Signup:
    """Staff check a volunteer out by hand; by default now, or the end if that is earlier."""
    signup = _staff_signup(actor, signup)
    if signup.checked_out_at is not None:
        raise NotAllowed(_("The volunteer has already checked out."))
    if at is None:
        at = min(timezone.now(), signup.activity.ends_at)
        if signup.checked_in_at is not None:
            at = max(at, signup.checked_in_at)
    if not _do_check_out(signup, at=at, by=actor, method=Signup.CheckOut.STAFF):
        raise NotAllowed(_("The volunteer has already checked out."))
    return signup


def sweep_finished(*, now: dt.datetime | None = None) -> int:
    """Check out, at the activity's end, everyone still checked in once it has ended.

    Each sign-up in its own transaction; safe to run twice at once (the
    conditional update lets one run do each). Returns how many it checked out.
    """
    now = _now(now)
    pending = (
        Signup.objects.filter(
            status=Signup.Status.SIGNED_UP,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
            activity__ends_at__lte=now,
        )
        .select_related("activity__post__area", "user")
        .order_by("pk")
    )
    done = 0
    for signup in pending.iterator(chunk_size=500):
        with transaction.atomic():
            at = max(signup.activity.ends_at, signup.checked_in_at)
            if _do_check_out(signup, at=at, by=None, method=Signup.CheckOut.SWEEP):
                done += 1
    return done
