"""One-time codes: hashed, expiring, tried a few times, rate-limited per number and per
address, never in a log; sign-up and sign-in by code or by password."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from shezhi.accounts import hooks, services
from shezhi.accounts.models import OneTimeCode, PhoneAccount
from shezhi.core import personal_data as pd
from shezhi.core.errors import BadInput

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def test_a_code_is_sent_on_the_console_and_only_its_keyed_hash_is_stored(console):
    services.request_code(phone=PHONE, client="10.0.0.1")
    code = console.code(PHONE)
    assert len(code) == 6 and code.isdigit()
    row = OneTimeCode.objects.get()
    assert row.phone_index == pd.blind_index("phone", PHONE)
    assert code not in row.code_hash and PHONE not in row.phone_index
    assert row.expires_at - row.created_at == timedelta(minutes=5)
    # Nowhere in the table, in any column.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_onetimecode")
        raw = repr(cursor.fetchall())
    assert code not in raw and PHONE not in raw and "10.0.0.1" not in raw


def test_no_log_line_holds_the_code_or_the_number(console, caplog):
    caplog.set_level(logging.DEBUG)
    services.request_code(phone=PHONE, client="10.0.0.1")
    code = console.code(PHONE)
    services.sign_in_with_code(phone=PHONE, code=code, name="王小明", password="")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and PHONE not in logged


def test_the_sms_channel_gets_the_code_and_a_gateway_error_names_neither(
    settings, monkeypatch, caplog
):
    from shezhi.notifications import channels

    settings.SHEZHI_NOTIFICATION_CHANNELS = ["wecom", "sms"]
    settings.SHEZHI_SMS_GATEWAY_URL = "https://sms.example.test/send"
    sent = []
    monkeypatch.setattr(channels, "post_json", lambda url, payload, **kw: sent.append(payload))
    services.request_code(phone=PHONE, client="1.2.3.4")
    assert sent[0]["phone"] == PHONE and len(sent) == 1  # never the WeCom group robot

    def broken(url, payload, **kw):
        raise channels.DeliveryError(f"bad number {payload['phone']}: {payload['text']}")

    monkeypatch.setattr(channels, "post_json", broken)
    caplog.set_level(logging.DEBUG)
    later = time_machine.travel(timezone.now() + timedelta(minutes=2))
    with later, pytest.raises(services.NotSent):
        services.request_code(phone=PHONE, client="1.2.3.4")
    assert PHONE not in caplog.text and "code is" not in caplog.text


def test_a_code_signs_up_a_new_number_and_signs_in_a_known_one(console):
    services.request_code(phone=PHONE, client="a")
    made = services.sign_in_with_code(phone=PHONE, code=console.code(PHONE), name="王小明")
    assert made.created and made.user.first_name == "王小明"
    assert not made.user.has_usable_password()
    account = PhoneAccount.objects.get(user=made.user)
    assert account.phone == PHONE and account.phone_last4 == "5678"
    assert PHONE not in made.user.username
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.request_code(phone="+86 139-1234-5678", client="a")  # the same number
        again = services.sign_in_with_code(phone=PHONE, code=console.code(PHONE))
    assert not again.created and again.user.pk == made.user.pk


def test_a_code_is_used_once_and_expires(console):
    services.request_code(phone=PHONE, client="a")
    code = console.code(PHONE)
    services.sign_in_with_code(phone=PHONE, code=code)
    with pytest.raises(BadInput) as used:
        services.sign_in_with_code(phone=PHONE, code=code)
    assert used.value.field == "code"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.request_code(phone=PHONE, client="a")
        code = console.code(PHONE)
    later = time_machine.travel(timezone.now() + timedelta(minutes=8))
    with later, pytest.raises(BadInput) as expired:
        services.sign_in_with_code(phone=PHONE, code=code)
    assert expired.value.message == used.value.message  # one message for every case


def test_five_wrong_tries_spend_the_code(console):
    services.request_code(phone=PHONE, client="a")
    code = console.code(PHONE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(BadInput):
            services.sign_in_with_code(phone=PHONE, code=wrong)
    assert OneTimeCode.objects.get().attempts == 5
    with pytest.raises(BadInput):
        services.sign_in_with_code(phone=PHONE, code=code)  # the right one, too late
    assert not PhoneAccount.objects.exists()


def test_codes_are_compared_in_constant_time(console, monkeypatch):
    import hmac as hmac_module

    calls = []
    real = hmac_module.compare_digest
    monkeypatch.setattr(services.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    services.request_code(phone=PHONE, client="a")
    services.sign_in_with_code(phone=PHONE, code=console.code(PHONE))
    assert calls == [1]


def test_codes_are_limited_per_number(console):
    start = timezone.now()
    services.request_code(phone=PHONE, client="a")
    with pytest.raises(services.TooMany) as soon:
        services.request_code(phone=PHONE, client="b")
    assert soon.value.status == 429 and soon.value.field == "phone"
    for minute in range(1, 5):
        with time_machine.travel(start + timedelta(minutes=minute * 2)):
            services.request_code(phone=PHONE, client="a")
    later = time_machine.travel(start + timedelta(minutes=11))
    with later, pytest.raises(services.TooMany):
        services.request_code(phone=PHONE, client="c")  # six in an hour
    with time_machine.travel(start + timedelta(minutes=62)):
        services.request_code(phone=PHONE, client="c")  # the hour has moved on
    assert OneTimeCode.objects.count() == 6


def test_codes_are_limited_per_client_address(console, settings):
    settings.SHEZHI_CODE_LIMITS = {"client_hour": 3}
    for n in range(3):
        services.request_code(phone=f"1391234{n:04d}", client="10.9.9.9")
    with pytest.raises(services.TooMany) as many:
        services.request_code(phone="13912349999", client="10.9.9.9")
    assert many.value.status == 429
    services.request_code(phone="13912349999", client="10.9.9.8")  # another address


@pytest.mark.parametrize(
    "phone", ["", "12345", "1391234567", "139123456789", "02883331234", "abcdefghijk"]
)
def test_a_number_that_is_no_mobile_is_refused_naming_the_field(phone):
    with pytest.raises(BadInput) as bad:
        services.request_code(phone=phone, client="a")
    assert bad.value.field == "phone"
    assert not OneTimeCode.objects.exists()


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 56"])
def test_a_code_that_is_not_six_digits_is_refused_and_spends_no_try(console, code):
    services.request_code(phone=PHONE, client="a")
    with pytest.raises(BadInput) as bad:
        services.sign_in_with_code(phone=PHONE, code=code)
    assert bad.value.field == "code"
    assert OneTimeCode.objects.get().attempts == 0


def test_a_weak_password_is_refused_before_the_code_is_spent(console):
    services.request_code(phone=PHONE, client="a")
    code = console.code(PHONE)
    with pytest.raises(BadInput) as weak:
        services.sign_in_with_code(phone=PHONE, code=code, password="123")
    assert weak.value.field == "password"
    assert services.sign_in_with_code(phone=PHONE, code=code, password="青白江-harbor-9").created


def test_asking_for_a_code_answers_the_same_for_a_known_and_an_unknown_number(console):
    from tests.factories import PhoneAccountFactory

    PhoneAccountFactory(phone="13900000001")
    assert services.request_code(phone="13900000001", client="a") is None
    assert services.request_code(phone="13900000002", client="a") is None
    out = console.read()
    assert "0001]" in out and "0002]" in out


def test_without_a_channel_the_code_is_not_sent_and_says_so(monkeypatch):
    monkeypatch.setattr(hooks, "_listeners", [])
    with pytest.raises(services.NotSent) as failed:
        services.request_code(phone=PHONE, client="a")
    assert failed.value.status == 503


def test_the_code_message_hides_itself_in_a_traceback():
    assert "123456" not in repr(hooks.CodeMessage(phone=PHONE, code="123456", text="x"))


def _at_once(n: int, work) -> list:
    """Run ``work()`` in ``n`` threads released together; each one's result or error."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(n)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_codes_asked_for_at_once_count_one_after_the_other(console):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    outcomes = _at_once(4, lambda: services.request_code(phone=PHONE, client="a"))
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, services.TooMany) for o in outcomes if o is not None)
    assert OneTimeCode.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_code_spent_at_once_signs_in_once(console):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a server database; SQLite serialises writers anyway")
    services.request_code(phone=PHONE, client="a")
    code = console.code(PHONE)
    outcomes = _at_once(3, lambda: services.sign_in_with_code(phone=PHONE, code=code))
    assert sum(isinstance(o, services.SignedIn) for o in outcomes) == 1
    assert PhoneAccount.objects.count() == 1
