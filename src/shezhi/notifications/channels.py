"""Where notifications go besides the notification centre: pluggable channels.

``SHEZHI_NOTIFICATION_CHANNELS`` names them, in order: the built-in ``console``
(the default: one log line per notification), ``sms`` and ``wecom``, or the
dotted path of any class shaped like ``Channel``. A channel's ``deliver``
returns when the notification is on its way and raises ``DeliveryError`` (or
anything else) when it is not; ``Skip`` says there is nothing to send on this
channel (a user without a phone gets no SMS).

Error texts are recorded on the delivery rows and shown in the back office, so
they never carry a phone number, a token or the secret key inside a webhook's
address.
"""

from __future__ import annotations

import json
import logging
import sys
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from shezhi.accounts import selectors as accounts
from shezhi.people.models import Person

from .models import Notification

logger = logging.getLogger("shezhi.notifications")

DEFAULT_CHANNELS = ["console"]
DEFAULT_TIMEOUT = 10.0  # seconds for one HTTP request to a gateway
SMS_MAX_CHARS = 500  # gateways split long texts into several messages, each billed
WECOM_MAX_BYTES = 2048  # the group robot's limit for a text message


class DeliveryError(Exception):
    """The channel could not deliver the notification; the message is recorded."""


class Skip(Exception):  # not an error: a reason to send nothing
    """Nothing to deliver on this channel for this notification; the reason is recorded."""


class Channel:
    """The shape of a channel: a name and ``deliver``."""

    name = ""

    def deliver(self, notification: Notification) -> None:
        raise NotImplementedError


def _one_line(text: str) -> str:
    return " ".join(text.split())


def message_text(notification: Notification) -> str:
    """Title, then the text on the next line when there is one."""
    if notification.body.strip():
        return f"{notification.title}\n{notification.body.strip()}"
    return notification.title


def _timeout() -> float:
    return float(getattr(settings, "SHEZHI_NOTIFICATION_TIMEOUT", DEFAULT_TIMEOUT))


def post_json(url: str, payload: dict, *, token: str = "", timeout: float | None = None) -> bytes:
    """POST ``payload`` as UTF-8 JSON; the response body, or ``DeliveryError``.

    Errors name the host only: a webhook's address carries its secret key.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("the gateway address is not an http(s) URL")
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = Request(  # noqa: S310  (the scheme is checked above)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers=headers,
        method="POST",
    )
    host = parts.hostname
    try:
        with urlopen(request, timeout=_timeout() if timeout is None else timeout) as response:  # noqa: S310
            return response.read(64 * 1024)
    except HTTPError as exc:
        detail = _one_line(exc.read(300).decode("utf-8", "replace")) if exc.fp else ""
        raise DeliveryError(
            f"{host} answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
        ) from exc
    except URLError as exc:
        raise DeliveryError(f"{host} unreachable: {exc.reason}") from exc
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(f"{host}: {exc.__class__.__name__}: {exc}") from exc


class ConsoleChannel(Channel):
    """One line per notification on the ``shezhi.notifications`` logger."""

    name = "console"

    def deliver(self, notification: Notification) -> None:
        logger.info(
            "notification %s to %s [%s]: %s",
            notification.pk,
            notification.user.get_username(),
            notification.kind,
            _one_line(notification.title),
        )

    def send_text(self, phone: str, text: str) -> None:
        """A text meant for a phone (a sign-in code), on the console for the developer:
        written to standard output, never to a logger (logs are kept and shipped)."""
        sys.stdout.write(f"[text message to {mask_phone(phone)}] {_one_line(text)}\n")
        sys.stdout.flush()


def mask_phone(phone: str) -> str:
    return "*" * 7 + phone[-4:]


def phone_of(user_id: int) -> str:
    """The phone on the user's linked person record (decrypted), else the mobile number
    a resident signed up with, or ''."""
    # Only the phone: loading the whole record would decrypt the ID number too.
    phones = Person.objects.filter(user_id=user_id).values_list("phone", flat=True)
    return (phones.first() or "").strip() or accounts.phone_of(user_id)


class SmsChannel(Channel):
    """A text message through an HTTP gateway: POST {"phone": …, "text": …}.

    ``SHEZHI_SMS_GATEWAY_URL`` is the gateway; ``SHEZHI_SMS_GATEWAY_TOKEN``, when
    set, goes as a bearer token. The phone is the one on the user's person record.
    """

    name = "sms"

    def deliver(self, notification: Notification) -> None:
        url = getattr(settings, "SHEZHI_SMS_GATEWAY_URL", "")
        if not url:
            raise DeliveryError("SHEZHI_SMS_GATEWAY_URL is not set")
        phone = phone_of(notification.user_id)
        if not phone:
            raise Skip("no phone on the user's person record")
        self.send_text(phone, message_text(notification))

    def send_text(self, phone: str, text: str) -> None:
        """POST one text to the gateway; ``DeliveryError`` naming neither the number nor
        the text (a sign-in code must not reach a delivery row or a log)."""
        url = getattr(settings, "SHEZHI_SMS_GATEWAY_URL", "")
        if not url:
            raise DeliveryError("SHEZHI_SMS_GATEWAY_URL is not set")
        text = text[:SMS_MAX_CHARS]
        try:
            post_json(
                url,
                {"phone": phone, "text": text},
                token=getattr(settings, "SHEZHI_SMS_GATEWAY_TOKEN", ""),
            )
        except DeliveryError as exc:
            # A gateway may echo the number or the text back in its error.
            message = str(exc).replace(phone, mask_phone(phone)).replace(text, "<text>")
            raise DeliveryError(message) from None


class WeComChannel(Channel):
    """A WeChat Work (企业微信) group robot: POST a text message to its webhook.

    ``SHEZHI_WECOM_WEBHOOK_URL`` is the robot's address (with its key). The robot
    answers 200 with ``{"errcode": 0}`` on success and a non-zero code otherwise.
    """

    name = "wecom"

    def deliver(self, notification: Notification) -> None:
        url = getattr(settings, "SHEZHI_WECOM_WEBHOOK_URL", "")
        if not url:
            raise DeliveryError("SHEZHI_WECOM_WEBHOOK_URL is not set")
        content = message_text(notification).encode()[:WECOM_MAX_BYTES]
        answer = post_json(
            url,
            {"msgtype": "text", "text": {"content": content.decode("utf-8", "ignore")}},
        )
        try:
            result = json.loads(answer or b"{}")
        except ValueError:
            return  # not the robot's usual JSON, but a 2xx: take it as delivered
        if isinstance(result, dict) and result.get("errcode", 0) != 0:
            raise DeliveryError(
                f"WeCom refused it: errcode {result.get('errcode')}: {result.get('errmsg', '')}"
            )


BUILT_IN: dict[str, type[Channel]] = {
    "console": ConsoleChannel,
    "sms": SmsChannel,
    "wecom": WeComChannel,
}


def channel_names() -> list[str]:
    """The configured channels' names (a list, or a comma-separated string from the environment)."""
    names = getattr(settings, "SHEZHI_NOTIFICATION_CHANNELS", DEFAULT_CHANNELS)
    if isinstance(names, str):
        names = names.split(",")
    seen: list[str] = []
    for name in names:
        name = name.strip()
        if name and name not in seen:
            seen.append(name)
    return seen


def get_channel(name: str) -> Channel:
    """A channel by its built-in name or the dotted path of its class."""
    cls = BUILT_IN.get(name)
    if cls is None:
        if "." not in name:
            raise ImproperlyConfigured(
                f"Unknown notification channel {name!r}: use one of "
                f"{', '.join(BUILT_IN)} or the dotted path of a channel class."
            )
        try:
            cls = import_string(name)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"Cannot import notification channel {name!r}: {exc}"
            ) from exc
    return cls()


def configured_channels() -> dict[str, Channel]:
    """Name → channel, for every configured channel, in order."""
    return {name: get_channel(name) for name in channel_names()}
