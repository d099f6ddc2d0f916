"""notifications.permissions: a notification is its recipient's alone, whatever their
roles; a visitor has none. The cast is tests/factories.Cast over build_territory().
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from shezhi.notifications import permissions
from shezhi.notifications.models import Notification
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

WHO = ["resident", "mg_worker", "community", "district", "dept_cg", "alliance", "root"]


@pytest.mark.parametrize("who", WHO)
def test_each_reads_and_marks_their_own_and_nobody_elses(cast, who):
    user = getattr(cast, who)
    mine = NotificationFactory(user=user)
    theirs = NotificationFactory(user=cast.nobody)
    for action in ("view", "mark_read"):
        assert permissions.can(user, action, mine)
        assert not permissions.can(user, action, theirs)
        assert set(Notification.objects.filter(permissions.scope(user, action))) == {mine}


def test_a_visitor_has_none(cast):
    note = NotificationFactory(user=cast.resident)
    for user in (AnonymousUser(), None):
        assert not permissions.can(user, "view", note)
        assert not Notification.objects.filter(permissions.scope(user)).exists()


def test_an_unknown_action_is_a_programming_error(cast):
    with pytest.raises(ValueError):
        permissions.can(cast.root, "send")
    with pytest.raises(ValueError):
        permissions.scope(cast.root, "send")
