"""``set_actor``: who the audit log's entries name, nestable.

django-auditlog's own ``set_actor`` sets its context variable without keeping a token:
when a service's ``set_actor`` ends inside another context (the request's, set by
``AuditlogMiddleware``, or a service calling another), the variable still holds the
finished inner context and the outer one's receiver no longer recognises it, so every
entry written after it, to the end of the request, names no actor and no address. This
one gives the outer context back when it ends, and keeps the request's address and port
for the entries written inside it.
"""

from __future__ import annotations

from contextlib import contextmanager

from auditlog.context import auditlog_value
from auditlog.context import set_actor as auditlog_set_actor
from django.db.models.signals import pre_save


@contextmanager
def set_actor(actor, remote_addr=None, remote_port=None):
    """Entries written inside name ``actor`` (and the request's address when inside one);
    those written after it, the outer context's actor again."""
    outer = _live_context()
    if outer is not None:
        remote_addr = remote_addr if remote_addr is not None else outer.get("remote_addr")
        remote_port = remote_port if remote_port is not None else outer.get("remote_port")
    try:
        with auditlog_set_actor(actor, remote_addr=remote_addr, remote_port=remote_port):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def _live_context() -> dict | None:
    """The context an enclosing ``set_actor`` or request holds now, or None. auditlog
    never clears its variable: one left from an earlier request (a worker thread serves
    many) still holds that request's actor and address, but its receiver is gone."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return None
    duid = context.get("signal_duid")
    if any(key[0] == duid for key, *_ in pre_save.receivers):
        return context
    return None
