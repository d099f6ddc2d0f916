"""What the accounts app tells others: a one-time code to deliver.

Accounts does not know how a text reaches a phone: the notifications app registers a
listener here (``on_code_issued``, in its ``AppConfig.ready()``) and delivers it on the
configured channel (the SMS gateway in production, the console in development). The
code is handed over in memory only: it is never written to a table, a task or a log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeMessage:
    """A code to send: the normalised mobile number, the code and the text to send."""

    phone: str
    code: str
    text: str

    def __repr__(self) -> str:  # never the number or the code in a traceback or a log
        return "CodeMessage(<hidden>)"


# A listener returns True when it sent the message on its way.
Listener = Callable[[CodeMessage], bool]
_listeners: list[Listener] = []


def on_code_issued(listener: Listener) -> None:
    """Register ``listener`` (once; registering it again is a no-op)."""
    if listener not in _listeners:
        _listeners.append(listener)


def code_issued(message: CodeMessage) -> bool:
    """Hand ``message`` to the listeners; True when one of them sent it."""
    sent = False
    for listener in list(_listeners):
        sent = bool(listener(message)) or sent
    return sent
