"""Who may read which notifications: the one place the notifications app decides it.

A notification is its recipient's alone: each signed-in person reads, and marks
read, their own and nobody else's — whatever their roles, a superuser, staff and
the read-only roles (department staff, alliance viewers) included; anybody else's
answers 404, like one that does not exist. A visitor has none. Nobody writes a
notification by hand: the apps' steps and notices do (``core.notices``), and the
back office reads them all.

Actions (``obj``): ``view`` and ``mark_read`` (a notification).
"""

from __future__ import annotations

from django.db.models import Q

ACTIONS = ("view", "mark_read")


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (one of ``ACTIONS``) with the notification ``obj``?"""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on notifications")
    if user is None or not getattr(user, "is_authenticated", False) or obj is None:
        return False
    return obj.user_id == user.pk


def scope(user, action: str = "view") -> Q:
    """The notifications ``user`` may ``action``: their own (never no limit)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r} on notifications")
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(user=user)
