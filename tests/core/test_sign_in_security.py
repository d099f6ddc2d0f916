"""Sign-in security: lockout after repeated failures (django-axes), unlocking,
password rules, session cookie flags and CSRF on the sign-in form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token"
LIMIT = 5  # AXES_FAILURE_LIMIT
HERE = "127.0.0.1"  # the test client's REMOTE_ADDR
ELSEWHERE = "203.0.113.7"
LOCKOUT_MARK = 'id="locked-out"'


@pytest.fixture(autouse=True)
def _axes_on(settings):
    # These tests are about django-axes: on, whatever a shared fixture says.
    settings.AXES_ENABLED = True


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client: Client, username: str, times: int, **extra):
    """Sign in with a wrong password ``times`` times; returns the last response."""
    resp = None
    for _ in range(times):
        resp = sign_in(client, username, "not-the-password", **extra)
    return resp


def token(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def signed_in_as(client: Client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def age_attempts(**delta) -> None:
    """Move every recorded failure back in time (no clock library needed)."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(**delta))


# ---------- lockout on the sign-in page ----------


def test_failures_below_the_limit_show_the_form_again(client, alice):
    resp = fail(client, "alice", LIMIT - 1)
    assert resp.status_code == 200
    assert LOCKOUT_MARK not in resp.text
    assert 'name="password"' in resp.text
    assert AccessAttempt.objects.get(username="alice").failures_since_start == LIMIT - 1


def test_five_failures_lock_even_the_right_password(client, alice):
    fifth = fail(client, "alice", LIMIT)
    # The failure that reaches the limit already answers with the lockout page.
    assert fifth.status_code == 429
    assert LOCKOUT_MARK in fifth.text

    resp = sign_in(client, "alice")
    assert resp.status_code == 429
    assert LOCKOUT_MARK in resp.text
    assert not signed_in_as(client, alice)
    # Chinese by default; the page keeps the site frame and a way back.
    assert '<html lang="zh-hans">' in resp.text
    assert 'href="/accounts/login/"' in resp.text
    assert 'data-cooloff-seconds="1800"' in resp.text
    assert "alice" in resp.text


def test_lockout_page_in_english_says_what_to_do(client, alice):
    resp = fail(client, "alice", LIMIT, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 429
    assert '<html lang="en">' in resp.text
    assert "Sign-in locked" in resp.text
    assert "from this address is locked for 30 minutes" in resp.text
    assert "Wait, then sign in again" in resp.text
    assert "Ask an administrator to unlock the account." in resp.text
    assert "Account: alice" in resp.text


def test_without_a_cool_off_the_page_only_offers_an_administrator(client, alice, settings):
    settings.AXES_COOLOFF_TIME = None  # a permanent lock
    resp = fail(client, "alice", LIMIT, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 429
    assert "locked until an administrator unlocks it" in resp.text
    assert "Wait, then sign in again" not in resp.text
    assert 'data-cooloff-seconds=""' in resp.text
    api = token(client, "alice")
    assert api.status_code == 429
    assert "Retry-After" not in api


def test_lockout_page_escapes_the_typed_username(client):
    resp = fail(client, "<b>x</b>", LIMIT)
    assert resp.status_code == 429
    assert "<b>x</b>" not in resp.text
    assert "&lt;b&gt;x&lt;/b&gt;" in resp.text


def test_another_username_from_the_same_address_is_not_locked(client, alice, bob):
    fail(client, "alice", LIMIT)
    resp = sign_in(client, "bob")
    assert resp.status_code == 302
    assert signed_in_as(client, bob)


def test_the_same_username_from_another_address_is_not_locked(client, alice):
    fail(client, "alice", LIMIT)
    assert sign_in(client, "alice").status_code == 429
    resp = sign_in(client, "alice", REMOTE_ADDR=ELSEWHERE)
    assert resp.status_code == 302
    assert signed_in_as(client, alice)


def test_the_lock_lifts_after_the_cool_off(client, alice):
    fail(client, "alice", LIMIT)
    age_attempts(minutes=31)
    resp = sign_in(client, "alice")
    assert resp.status_code == 302
    assert signed_in_as(client, alice)
    # A success resets the count (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_the_lock_holds_within_the_cool_off_and_a_new_attempt_restarts_it(client, alice):
    fail(client, "alice", LIMIT)
    age_attempts(minutes=29)
    assert sign_in(client, "alice").status_code == 429
    # That refused attempt counted again, from now: the page says so ("starts the wait again").
    attempt = AccessAttempt.objects.get(username="alice")
    assert timezone.now() - attempt.attempt_time < timedelta(minutes=1)
    age_attempts(minutes=29)
    assert sign_in(client, "alice").status_code == 429


def test_a_success_before_the_limit_resets_the_count(client, alice):
    fail(client, "alice", LIMIT - 1)
    assert sign_in(client, "alice").status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()
    # Four more failures are four, not eight.
    assert fail(client, "alice", LIMIT - 1).status_code == 200
    assert fail(client, "alice", 1).status_code == 429


# ---------- the API token endpoint ----------


def test_api_token_endpoint_locks_the_same_way_with_json(client, alice):
    for _ in range(LIMIT - 1):
        resp = token(client, "alice", "not-the-password")
        assert resp.status_code == 401
    fifth = token(client, "alice", "not-the-password")
    assert fifth.status_code == 429
    assert fifth["Content-Type"].startswith("application/json")
    assert fifth.json()["code"] == "locked_out"

    resp = token(client, "alice", HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 429
    assert resp["Content-Type"].startswith("application/json")
    assert resp["Retry-After"] == "1800"
    body = resp.json()
    assert body["code"] == "locked_out"
    assert "locked" in body["detail"]
    assert "token" not in body
    # Another address still gets its token.
    assert token(client, "alice", REMOTE_ADDR=ELSEWHERE).status_code == 200


def test_an_api_success_resets_the_count_as_the_page_does(client, alice):
    for _ in range(LIMIT - 1):
        assert token(client, "alice", "not-the-password").status_code == 401
    assert token(client, "alice").status_code == 200
    assert not AccessAttempt.objects.filter(username="alice").exists()
    # One wrong password after the success is one failure, not the fifth.
    assert token(client, "alice", "not-the-password").status_code == 401
    assert token(client, "alice").status_code == 200
    # and the page's count is the same count
    fail(client, "alice", LIMIT - 1)
    assert token(client, "alice").status_code == 200
    assert fail(client, "alice", 1).status_code == 200


def test_page_and_api_failures_count_together(client, alice):
    fail(client, "alice", 3)
    assert token(client, "alice", "not-the-password").status_code == 401
    assert token(client, "alice", "not-the-password").status_code == 429
    assert sign_in(client, "alice").status_code == 429
    assert token(client, "alice").status_code == 429


def test_api_lockout_is_documented_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"][TOKEN]["post"]["responses"]
    assert "429" in responses


# ---------- unlocking ----------


def test_axes_reset_username_unlocks(client, alice, capsys):
    fail(client, "alice", LIMIT)
    assert sign_in(client, "alice").status_code == 429
    call_command("axes_reset_username", "alice")
    assert "attempts removed" in capsys.readouterr().out
    resp = sign_in(client, "alice")
    assert resp.status_code == 302
    assert signed_in_as(client, alice)


def test_axes_reset_ip_username_unlocks_one_pair(client, alice):
    fail(client, "alice", LIMIT)
    call_command("axes_reset_ip_username", HERE, "alice")
    assert sign_in(client, "alice").status_code == 302


def test_admin_can_see_and_delete_the_lock(client, alice):
    fail(client, "alice", LIMIT)
    attempt = AccessAttempt.objects.get(username="alice")

    admin = Client()
    admin.force_login(make_user("root", is_superuser=True, is_staff=True))
    listing = admin.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert "alice" in listing.text
    resp = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert sign_in(client, "alice").status_code == 302


# ---------- password rules ----------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt-pw", "password_too_short"),  # 8 < 10 characters
        ("password123", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
        ("2024061512345", "password_entirely_numeric"),
    ],
)
def test_password_rules_refuse_weak_passwords(password, code):
    with pytest.raises(ValidationError) as err:
        password_validation.validate_password(password)
    assert code in [e.code for e in err.value.error_list]


def test_password_rules_refuse_one_like_the_username(db):
    user = make_user("wangxiaoming")
    with pytest.raises(ValidationError) as err:
        password_validation.validate_password("wangxiaoming1", user=user)
    assert "password_too_similar" in [e.code for e in err.value.error_list]


def test_password_rules_accept_a_long_uncommon_one(alice):
    password_validation.validate_password(PASSWORD, user=alice)  # no error


# ---------- cookies and CSRF ----------


def test_session_cookie_is_httponly_and_samesite_lax(client, alice):
    resp = sign_in(client, "alice")
    assert resp.status_code == 302
    cookie = resp.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_login_post_requires_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    refused = sign_in(client, "alice")
    assert refused.status_code == 403
    assert not signed_in_as(client, alice)
    # A refused request never reached authenticate(): it does not count as a failure.
    assert not AccessAttempt.objects.exists()

    form = client.get(LOGIN)
    assert form.status_code == 200
    csrf = form.cookies["csrftoken"].value
    resp = client.post(
        LOGIN,
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
    )
    assert resp.status_code == 302
    assert signed_in_as(client, alice)
