"""The sign-up and sign-in pages and their API: phone first, refusals naming the field
with their own status, one answer for known and unknown numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from shezhi.accounts.models import OneTimeCode, PhoneAccount
from tests.factories import PhoneAccountFactory

pytestmark = pytest.mark.django_db

PHONE = "13955556666"


def test_sign_up_on_the_page_then_bind(client, console):
    page = client.get("/accounts/signup/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    sent = client.post("/accounts/signup/", {"phone": PHONE, "action": "send"})
    assert sent.status_code == 200 and 'id="code-sent"' in sent.content.decode()
    done = client.post(
        "/accounts/signup/",
        {
            "phone": PHONE,
            "code": console.code(PHONE),
            "name": "王小明",
            "password": "青白江-harbor-9",
            "action": "verify",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/households/bind/"
    account = PhoneAccount.objects.get()
    assert client.session["_auth_user_id"] == str(account.user_id)
    # And back in with the password.
    client.logout()
    again = client.post("/accounts/phone/", {"phone": PHONE, "password": "青白江-harbor-9"})
    assert again.status_code == 302 and client.session["_auth_user_id"] == str(account.user_id)


def test_page_refusals_name_the_field_with_their_status(client, console):
    bad = client.post("/accounts/code/", {"phone": "123", "action": "send"})
    assert bad.status_code == 400 and 'id="id_phone-error"' in bad.content.decode()
    client.post("/accounts/code/", {"phone": PHONE, "action": "send"})
    soon = client.post("/accounts/code/", {"phone": PHONE, "action": "send"})
    assert soon.status_code == 429
    wrong = client.post("/accounts/code/", {"phone": PHONE, "code": "abc", "action": "verify"})
    assert wrong.status_code == 400 and 'id="id_code-error"' in wrong.content.decode()
    assert not PhoneAccount.objects.exists()


def test_a_wrong_password_and_an_unknown_number_get_one_answer(client):
    PhoneAccountFactory(phone=PHONE)
    known = client.post("/accounts/phone/", {"phone": PHONE, "password": "nope-nope-1"})
    unknown = client.post("/accounts/phone/", {"phone": "13911110000", "password": "nope-nope-1"})
    assert known.status_code == unknown.status_code == 400
    for answer in (known, unknown):
        assert "手机号或密码错误。" in answer.content.decode()


def test_next_is_kept_only_on_this_site(client, console):
    client.post("/accounts/code/", {"phone": PHONE, "action": "send"})
    away = client.post(
        "/accounts/code/",
        {
            "phone": PHONE,
            "code": console.code(PHONE),
            "action": "verify",
            "next": "https://evil.example/",
        },
    )
    assert away["Location"] == "/households/bind/"


def test_the_api_signs_up_and_in(client, console):
    sent = client.post("/api/v1/accounts/codes", {"phone": PHONE}, content_type="application/json")
    assert sent.status_code == 202
    made = client.post(
        "/api/v1/accounts/signup",
        {
            "phone": PHONE,
            "code": console.code(PHONE),
            "name": "王小明",
            "password": "青白江-harbor-9",
        },
        content_type="application/json",
    ).json()
    assert made["created"] is True and made["token"].startswith("shz_")
    mine = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {made['token']}"})
    assert mine.status_code == 200
    signed = client.post(
        "/api/v1/accounts/signin/password",
        {"phone": PHONE, "password": "青白江-harbor-9"},
        content_type="application/json",
    ).json()
    assert signed["created"] is False
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.post("/api/v1/accounts/codes", {"phone": PHONE}, content_type="application/json")
        by_code = client.post(
            "/api/v1/accounts/signin/code",
            {"phone": PHONE, "code": console.code(PHONE)},
            content_type="application/json",
        )
    assert by_code.status_code == 200 and by_code.json()["created"] is False


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("codes", {"phone": "12"}, 400, "phone"),
        ("codes", {"phone": "1" * 21}, 422, "phone"),
        ("codes", {}, 422, "phone"),
        ("signup", {"phone": PHONE, "code": "x"}, 400, "code"),
        ("signup", {"phone": PHONE, "code": "123456", "name": "王" * 51}, 422, "name"),
        ("signin/code", {"phone": PHONE}, 422, "code"),
        ("signin/password", {"phone": PHONE, "password": ""}, 400, "password"),
    ],
)
def test_api_bad_input_names_the_field(client, path, body, status, field):
    answer = client.post(f"/api/v1/accounts/{path}", body, content_type="application/json")
    assert answer.status_code == status, answer.content
    assert answer.json()["field"] == field
    assert not OneTimeCode.objects.exists() and not PhoneAccount.objects.exists()


def test_api_wrong_password_is_401_and_too_many_codes_429(client, console):
    wrong = client.post(
        "/api/v1/accounts/signin/password",
        {"phone": PHONE, "password": "whatever-1"},
        content_type="application/json",
    )
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthorized"
    client.post("/api/v1/accounts/codes", {"phone": PHONE}, content_type="application/json")
    again = client.post("/api/v1/accounts/codes", {"phone": PHONE}, content_type="application/json")
    assert again.status_code == 429 and again.json()["code"] == "too_many_requests"


def test_repeated_wrong_passwords_lock_the_number_for_the_address(client, settings):
    settings.AXES_ENABLED = True
    PhoneAccountFactory(phone=PHONE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/accounts/signin/password",
            {"phone": PHONE, "password": "wrong-wrong-1"},
            content_type="application/json",
        )
    locked = client.post(
        "/api/v1/accounts/signin/password",
        {"phone": PHONE, "password": "wrong-wrong-1"},
        content_type="application/json",
    )
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
