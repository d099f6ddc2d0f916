"""Residents' own sign-ins: codes sent to a mobile number, sign-up, sign-in by code or
password. Every write here; pages and the API only parse and call.

How the rules hold:

- **Codes**: six digits from ``secrets``; only ``HMAC(blind-index key, number:code)`` is
  stored, compared with ``hmac.compare_digest``; a code lives ``SHEZHI_CODE_TTL_SECONDS``
  (300), allows ``SHEZHI_CODE_MAX_ATTEMPTS`` (5) wrong tries and one use; only the newest
  code of a number counts. The code travels to the notifications app in memory
  (``hooks.code_issued``) and appears in no log line, table or task.
- **Rate limits** (``SHEZHI_CODE_LIMITS``): per number one code a minute and five an
  hour, per client address twenty an hour, counted on the code rows themselves (so they
  hold across processes and app servers on either database).
- **Nothing revealed**: asking for a code answers the same for a registered number and a
  new one; a wrong, expired or used-up code is one message; a wrong password for a known
  number and any password for an unknown one are one message, after the same work.
- **Bad input** is a 400 naming the field (``phone``, ``code``, ``name``, ``password``),
  checked before anything is written or a code is spent.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shezhi.core import personal_data as pd
from shezhi.core.errors import BadInput, EventError

from . import hooks
from .models import OneTimeCode, PhoneAccount

CODE_DIGITS = 6
DEFAULT_TTL_SECONDS = 300
DEFAULT_MAX_ATTEMPTS = 5
# (what is counted, window in seconds, most codes in it)
DEFAULT_LIMITS = {
    "phone_minute": 60,  # at most one code per number in this many seconds
    "phone_hour": 5,
    "client_hour": 20,
}
MOBILE = re.compile(r"1[3-9]\d{9}")
_CODE = re.compile(r"\d{6}")


class TooMany(EventError):
    """Too many codes asked for: wait and ask again (429)."""

    code = "too_many_requests"
    status = 429


class NotSent(EventError):
    """No channel could send the code (503): nothing is wrong with the request."""

    code = "code_not_sent"
    status = 503


def ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "SHEZHI_CODE_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def ttl_minutes() -> int:
    return max(1, int(ttl().total_seconds() // 60))


def max_attempts() -> int:
    return int(getattr(settings, "SHEZHI_CODE_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def limits() -> dict[str, int]:
    return DEFAULT_LIMITS | dict(getattr(settings, "SHEZHI_CODE_LIMITS", {}))


def mobile_number(value: str) -> str:
    """The normalised mainland mobile number in ``value``, else a 400 on ``phone``."""
    number = pd.normalise(pd.PHONE, value or "")
    if not MOBILE.fullmatch(number):
        raise BadInput(_("Enter an 11-digit mainland mobile number."), field="phone")
    return number


def _code_hash(phone_index: str, code: str) -> str:
    return pd.keyed_token("one-time-code", f"{phone_index}:{code}")


def _client_hash(client: str) -> str:
    return pd.keyed_token("one-time-code-client", client or "unknown")


def _clean_code(value: str) -> str:
    code = unicodedata.normalize("NFKC", value or "").strip()
    if not _CODE.fullmatch(code):
        raise BadInput(_("Enter the 6-digit code from the text message."), field="code")
    return code


def _lock(*keys: str) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in keys:  # always in this order: phone, then address
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _check_limits(index: str, client_hash: str, now) -> None:
    rules = limits()
    recent = OneTimeCode.objects.filter(created_at__gt=now - timedelta(hours=1))
    wait = _("Too many codes were asked for. Wait a while and try again.")
    if recent.filter(
        phone_index=index, created_at__gt=now - timedelta(seconds=rules["phone_minute"])
    ).exists():
        raise TooMany(
            _("A code was sent a moment ago. Wait a minute before asking for another."),
            field="phone",
        )
    if recent.filter(phone_index=index).count() >= rules["phone_hour"]:
        raise TooMany(wait, field="phone")
    if recent.filter(client_hash=client_hash).count() >= rules["client_hour"]:
        raise TooMany(wait, field=None)


def request_code(*, phone: str, client: str) -> None:
    """Send a new code to ``phone`` (for a sign-up or a sign-in: the same either way)."""
    number = mobile_number(phone)
    index = pd.blind_index(pd.PHONE, number)
    client_hash = _client_hash(client)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    text = _(
        "Shezhi Harbor: your code is %(code)s, valid for %(minutes)s minutes. Do not tell"
        " anyone, not even staff."
    ) % {"code": code, "minutes": ttl_minutes()}
    with transaction.atomic():
        # Two requests at once for one number (or address) count one after the other:
        # SQLite's writers are serialised already; PostgreSQL takes a lock per key.
        _lock(index, client_hash)
        now = timezone.now()
        _check_limits(index, client_hash, now)
        OneTimeCode.objects.create(
            phone_index=index,
            code_hash=_code_hash(index, code),
            client_hash=client_hash,
            created_at=now,
            expires_at=now + ttl(),
        )
    # After the row is committed: a code that was sent can always be checked.
    if not hooks.code_issued(hooks.CodeMessage(phone=number, code=code, text=text)):
        raise NotSent(_("The code could not be sent just now. Try again in a minute."))


def _spend_code(index: str, code: str) -> None:
    """Check ``code`` against the number's newest live code and use it up; a 400 on
    ``code`` (one message for wrong, expired, used or tried too often)."""
    wrong = BadInput(_("The code is wrong or has expired. Ask for a new one."), field="code")
    now = timezone.now()
    with transaction.atomic():
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_index=index)
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            latest is None
            or latest.used_at is not None
            or latest.expires_at <= now
            or latest.attempts >= max_attempts()
        ):
            raise wrong
        if not hmac.compare_digest(latest.code_hash, _code_hash(index, code)):
            OneTimeCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
            wrong_now = wrong
        else:
            OneTimeCode.objects.filter(pk=latest.pk).update(used_at=now)
            return
    # Outside the block: the attempt is counted even though the answer is a refusal.
    raise wrong_now


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > 50:
        raise BadInput(_("A name has at most 50 characters."), field="name")
    return name


def _check_password(password: str, user=None) -> None:
    if not password:
        return
    if len(password) > 128:
        raise BadInput(_("A password has at most 128 characters."), field="password")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise BadInput(" ".join(exc.messages), field="password") from None


@dataclass(frozen=True)
class SignedIn:
    user: object
    created: bool  # a new account (a sign-up)


def sign_in_with_code(*, phone: str, code: str, name: str = "", password: str = "") -> SignedIn:
    """Spend a code sent to ``phone``: sign in its account, or make one (a sign-up).

    ``name`` and ``password`` (both optional) are set on the account; a password given
    here replaces the old one, the code having proved the number is theirs (this is
    also how a forgotten password is reset).
    """
    number = mobile_number(phone)
    code = _clean_code(code)
    name = _clean_name(name)
    _check_password(password)
    index = pd.blind_index(pd.PHONE, number)
    _spend_code(index, code)
    User = get_user_model()
    with transaction.atomic():
        account = PhoneAccount.objects.select_related("user").filter(phone_index=index).first()
        created = account is None
        if created:
            user = User(username=_new_username(), first_name=name)
            user.set_unusable_password()
            user.save()
            account = PhoneAccount.objects.create(
                user=user, phone=number, phone_index=index, phone_last4=number[-4:]
            )
        user = account.user
        changed = []
        if name and user.first_name != name:
            user.first_name = name
            changed.append("first_name")
        if password:
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
    if not user.is_active:
        raise BadInput(_("This account is switched off. Ask your community."), field="phone")
    return SignedIn(user=user, created=created)


def _new_username() -> str:
    # Random, so the username says nothing about the number.
    User = get_user_model()
    while True:
        username = "r_" + secrets.token_hex(6)
        if not User.objects.filter(username=username).exists():
            return username


def sign_in_with_password(*, request, phone: str, password: str):
    """The account of ``phone`` if ``password`` is its password, else None (one answer
    for an unknown number and a wrong password). Goes through ``authenticate``, so the
    lockout after repeated failures (django-axes) counts these sign-ins too."""
    number = mobile_number(phone)
    if not password:
        raise BadInput(_("Enter your password."), field="password")
    if len(password) > 4096:
        raise BadInput(_("A password has at most 4096 characters."), field="password")
    index = pd.blind_index(pd.PHONE, number)
    account = PhoneAccount.objects.select_related("user").filter(phone_index=index).first()
    # An unknown number still goes through authenticate (a dummy hash, and axes counts
    # it) under a name no user has, so it costs what a wrong password costs.
    username = account.user.get_username() if account else f"phone:{index[:16]}"
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    return user
