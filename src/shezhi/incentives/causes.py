"""Causes that only their own person may see: the points of an anonymous report.

An anonymous report hides its reporter from everybody else; its points must not
undo that. Such a transfer (``Transfer.private_cause``) stores no id, number or
link of its cause. In their place it keeps

- ``cause_id``: a keyed hash (HMAC-SHA256 under the platform's blind-index key,
  never stored with the data) of the cause's subject, e.g. the event's id. Only
  the server can compute it, and only from the id, so the row names nothing;
- ``cause_key``: the same kind of hash of the whole cause, so "exactly once per
  cause" holds as for every other transfer (the unique index still refuses a
  second award, and a reversal still finds the award it takes back);
- the place coarsened to the community and the time to the day (a registration at
  10:32:15 in one micro-grid would name the report as surely as its number).

The person themself still sees which of their reports earned the points: the app
that owns the cause registers a resolver (``register``) that lists the person's
own subjects; their tokens are computed and matched when the person reads their
own statement (``resolve``), never for anybody else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Under the blind-index key: dedicated, never SECRET_KEY, and stable across deployments
# of one installation (a token found today is found again after a restart or a rotation
# of the encryption keys).
from shezhi.core.personal_data import keyed_token


@dataclass(frozen=True)
class Shown:
    """What a person reads about one of their own private causes."""

    ref: str  # e.g. the event's number
    url: str
    subject_id: str


# cause type → resolver(user) → the user's own subjects as (subject id, ref, url)
Resolver = Callable[[object], Iterable[tuple[str, str, str]]]
_resolvers: dict[str, Resolver] = {}


def register(cause_type: str, resolver: Resolver) -> None:
    """The app owning ``cause_type`` tells how to list one person's own private subjects."""
    _resolvers[cause_type] = resolver


def token(cause_type: str, value: str) -> str:
    return keyed_token("points-cause", f"{cause_type}:{value}")[:40]


def subject_of(cause_id: str) -> str:
    """A cause id's subject: causes are "<subject>" or "<subject>:<detail>" (a rework's
    deduction is "<event>:<transition>")."""
    return str(cause_id).split(":", 1)[0]


def stored_id(cause_type: str, cause_id: str) -> str:
    """What a private transfer stores as its cause id."""
    return token(cause_type, subject_of(cause_id))


def key(kind: str, cause_type: str, cause_id: str) -> str:
    """The unique ``cause_key`` of a private cause (the plain one names the cause)."""
    return f"{kind}:{cause_type}:private:{token(cause_type, str(cause_id))}"


def neutral_text() -> str:
    """What everybody but the person reads as the cause."""
    return _("Anonymous report")


def resolve(user, transfers) -> dict[int, Shown]:
    """transfer id → what the person reads, for ``user``'s own private transfers among
    ``transfers`` (a reversal resolves as the transfer it reverses). Call it for the
    person's own statement only."""
    wanted: dict[str, list] = {}
    for t in transfers:
        source = t.reverses if t.reverses_id and t.reverses is not None else t
        if t.user_id != user.pk or not source.private_cause:
            continue
        wanted.setdefault(source.cause_type, []).append((t, source))
    found: dict[int, Shown] = {}
    for cause_type, pairs in wanted.items():
        resolver = _resolvers.get(cause_type)
        if resolver is None:
            continue
        by_token = {
            token(cause_type, str(subject)): Shown(ref, url, str(subject))
            for subject, ref, url in resolver(user)
        }
        for t, source in pairs:
            shown = by_token.get(source.cause_id)
            if shown is not None:
                found[t.pk] = shown
    return found
