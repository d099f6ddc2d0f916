"""``core.audit_context.set_actor``: a service's actor inside the request's, then the
request's again."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor as auditlog_set_actor
from auditlog.context import set_extra_data
from auditlog.models import LogEntry

from shezhi.core.audit_context import set_actor
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def request_context(user):
    # What AuditlogMiddleware sets around every request.
    return set_extra_data({"actor": user, "remote_addr": "10.0.0.7", "remote_port": 51000})


def last_entry(obj) -> LogEntry:
    return LogEntry.objects.get_for_object(obj).latest("pk")


def test_after_a_service_the_requests_actor_and_address_name_the_entries_again():
    staff, service_actor = UserFactory(), UserFactory()
    with request_context(staff):
        with set_actor(service_actor):
            inside = DepartmentFactory()
        after = DepartmentFactory()
    entry = last_entry(inside)
    assert (entry.actor, entry.remote_addr, entry.remote_port) == (service_actor, "10.0.0.7", 51000)
    entry = last_entry(after)
    assert (entry.actor, entry.remote_addr, entry.remote_port) == (staff, "10.0.0.7", 51000)


def test_nested_services_each_name_their_own_actor_then_the_outer_one():
    a, b = UserFactory(), UserFactory()
    with set_actor(a):
        with set_actor(b):
            inner = DepartmentFactory()
        outer = DepartmentFactory()
    after = DepartmentFactory()
    assert last_entry(inner).actor == b
    assert last_entry(outer).actor == a
    assert last_entry(after).actor is None  # no context left


def test_auditlogs_own_set_actor_loses_the_outer_actor_which_is_why_ours_exists():
    # Should django-auditlog mend this upstream, this test fails: ours can then go.
    staff, service_actor = UserFactory(), UserFactory()
    with request_context(staff):
        with auditlog_set_actor(service_actor):
            DepartmentFactory()
        after = DepartmentFactory()
    assert last_entry(after).actor is None


def test_a_context_left_over_from_an_earlier_request_lends_nothing():
    # auditlog leaves its variable set after a request: a later service in the same
    # thread (a task, a command) must not take that request's address.
    earlier, worker = UserFactory(), UserFactory()
    with request_context(earlier):
        pass
    with set_actor(worker):
        made = DepartmentFactory()
    entry = last_entry(made)
    assert (entry.actor, entry.remote_addr, entry.remote_port) == (worker, None, None)
