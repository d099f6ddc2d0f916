"""The demo's sign-ins: every one opens with the password the demo prints."""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model

from shezhi.demo.users import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users


def test_every_demo_sign_in_opens_with_the_printed_password_and_no_other(db):
    ensure_demo_users()
    users = get_user_model().objects.filter(username__in=[d.username for d in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    for user in users:
        assert authenticate(username=user.username, password=DEMO_PASSWORD) == user
        assert authenticate(username=user.username, password=DEMO_PASSWORD + "x") is None
        assert user.has_usable_password()


def test_running_it_again_changes_no_password(db):
    ensure_demo_users()
    before = dict(get_user_model().objects.values_list("username", "password"))
    ensure_demo_users()
    assert dict(get_user_model().objects.values_list("username", "password")) == before
