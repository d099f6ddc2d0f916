"""Sign-in codes on their way: the listener of ``accounts.hooks.on_code_issued``.

A code goes to the first configured channel that can send a text to a phone: ``sms``
(the gateway) when it is configured, else ``console`` (development: standard output);
the WeChat Work group robot is never one (a group would read the code). A channel
class named by its dotted path takes part when it has ``send_text(phone, text)``.

Unlike a notification, nothing is written: no notification row, no delivery row, no
task (a task's arguments are stored), no log line with the number or the code. A
failure is logged by its kind only.
"""

from __future__ import annotations

import logging

from shezhi.accounts.hooks import CodeMessage

from .channels import channel_names, get_channel

logger = logging.getLogger("shezhi.notifications")

NEVER_FOR_CODES = {"wecom"}


def text_channels() -> list:
    """The configured channels that can send a text to a phone, SMS first."""
    names = [n for n in channel_names() if n not in NEVER_FOR_CODES]
    names.sort(key=lambda n: n != "sms")
    channels = [get_channel(n) for n in names]
    return [c for c in channels if callable(getattr(c, "send_text", None))]


def deliver_code(message: CodeMessage) -> bool:
    """Send ``message`` on the first text channel that takes it; True when one did."""
    for channel in text_channels():
        try:
            channel.send_text(message.phone, message.text)
        except Exception as exc:
            logger.warning(
                "sign-in code not sent on %s: %s", channel.name or "channel", type(exc).__name__
            )
            continue
        return True
    return False
