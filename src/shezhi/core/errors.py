"""The project's errors: what services raise; pages and the API turn each into one answer."""

from __future__ import annotations


class EventError(Exception):
    """Base: ``code`` is stable for API clients, the message is for people."""

    code = "event_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field


class BadInput(EventError):
    """Something in the request is wrong (unknown category, point outside, bad photo…)."""

    code = "bad_input"
    status = 400


class NotAllowed(EventError):
    """The action is not possible from the event's state."""

    code = "not_allowed"
    status = 409


class Forbidden(EventError):
    """The user may see the event but not do this to it."""

    code = "forbidden"
    status = 403


class Conflict(EventError):
    """Somebody else changed the event first."""

    code = "conflict"
    status = 409


class KeyReused(EventError):
    """An idempotency key sent again with a different request (as payment APIs answer)."""

    code = "idempotency_key_reused"
    status = 422
