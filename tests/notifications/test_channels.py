"""The delivery channels against a real local HTTP server, and the delivery task."""

from __future__ import annotations

import datetime as dt
import json
import logging
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from shezhi.notifications import channels, services
from shezhi.notifications.checks import check_channels
from shezhi.notifications.models import Delivery, Notification
from shezhi.notifications.tasks import deliver_notifications

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def with_phone(territory, people):
    """alice has a person record with a phone; bob has none."""
    from shezhi.people.models import Person
    from shezhi.people.services import set_personal_fields

    person = Person(
        area=territory["micro1"],
        name="张伟",
        category="micro_grid_worker",
        force_type="part_time",
        user=people["alice"],
    )
    set_personal_fields(person, phone=PHONE, id_number="")
    person.save()
    return person


def notification_for(user, **fields) -> Notification:
    data = {"kind": "event.dispatched", "title": "事件已派遣", "body": "请尽快处理"} | fields
    return Notification.objects.create(user=user, **data)


def delivery(notification, channel) -> Delivery:
    return Delivery.objects.get(notification=notification, channel=channel)


# ---------- the channels themselves ----------


def test_console_writes_one_line(people, caplog):
    n = notification_for(people["alice"], title="两行\n标题")
    with caplog.at_level(logging.INFO, logger="shezhi.notifications"):
        channels.ConsoleChannel().deliver(n)
    lines = [r.getMessage() for r in caplog.records if r.name == "shezhi.notifications"]
    assert lines == [f"notification {n.pk} to alice [event.dispatched]: 两行 标题"]


def test_sms_posts_phone_and_text_with_the_token(settings, gateway, people, with_phone):
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url + "/sms/send"
    settings.SHEZHI_SMS_GATEWAY_TOKEN = "s3cret-token"
    channels.SmsChannel().deliver(notification_for(people["alice"]))
    (request,) = gateway.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {"phone": PHONE, "text": "事件已派遣\n请尽快处理"}
    assert request["headers"]["authorization"] == "Bearer s3cret-token"
    assert request["headers"]["content-type"].startswith("application/json")


def test_sms_without_a_token_sends_no_authorization(settings, gateway, people, with_phone):
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    settings.SHEZHI_SMS_GATEWAY_TOKEN = ""
    channels.SmsChannel().deliver(notification_for(people["alice"], body=""))
    (request,) = gateway.requests
    assert "authorization" not in request["headers"]
    assert request["json"]["text"] == "事件已派遣"


def test_sms_skips_a_user_without_a_phone(settings, gateway, people):
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    with pytest.raises(channels.Skip):
        channels.SmsChannel().deliver(notification_for(people["bob"]))
    assert gateway.requests == []


def test_wecom_posts_a_text_message(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url + "/cgi-bin/webhook/send?key=KEY-123"
    channels.WeComChannel().deliver(notification_for(people["bob"]))
    (request,) = gateway.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=KEY-123"
    assert request["json"] == {"msgtype": "text", "text": {"content": "事件已派遣\n请尽快处理"}}


def test_wecom_refusal_in_a_200_is_a_failure(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url + "/send?key=KEY-123"
    gateway.answer(200, json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}).encode())
    with pytest.raises(channels.DeliveryError, match="errcode 93000"):
        channels.WeComChannel().deliver(notification_for(people["bob"]))


def test_wecom_content_is_cut_to_the_robot_limit(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url
    channels.WeComChannel().deliver(notification_for(people["bob"], body="长" * 2000))
    content = gateway.requests[0]["json"]["text"]["content"]
    assert len(content.encode()) <= 2048 and content.startswith("事件已派遣\n长")


def test_missing_addresses_are_clear_failures(settings, people):
    settings.SHEZHI_SMS_GATEWAY_URL = ""
    settings.SHEZHI_WECOM_WEBHOOK_URL = ""
    n = notification_for(people["alice"])
    with pytest.raises(channels.DeliveryError, match="SHEZHI_SMS_GATEWAY_URL is not set"):
        channels.SmsChannel().deliver(n)
    with pytest.raises(channels.DeliveryError, match="SHEZHI_WECOM_WEBHOOK_URL is not set"):
        channels.WeComChannel().deliver(n)


def test_only_http_addresses_are_posted_to(settings, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = "file:///etc/passwd"
    with pytest.raises(channels.DeliveryError, match=r"not an http\(s\) URL"):
        channels.WeComChannel().deliver(notification_for(people["alice"]))


def test_errors_never_carry_the_webhook_key(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url + "/send?key=KEY-SECRET"
    gateway.answer(500, b"internal error")
    with pytest.raises(channels.DeliveryError) as err:
        channels.WeComChannel().deliver(notification_for(people["alice"]))
    assert "HTTP 500" in str(err.value) and "internal error" in str(err.value)
    assert "KEY-SECRET" not in str(err.value)


def test_errors_never_carry_the_phone(settings, gateway, people, with_phone):
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    gateway.answer(400, f'{{"error": "blocked number {PHONE}"}}'.encode())
    with pytest.raises(channels.DeliveryError) as err:
        channels.SmsChannel().deliver(notification_for(people["alice"]))
    assert PHONE not in str(err.value) and "*******5678" in str(err.value)


def test_a_slow_gateway_times_out(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url
    settings.SHEZHI_NOTIFICATION_TIMEOUT = 0.2
    gateway.answer(200, b"{}", delay=1.0)
    with pytest.raises(channels.DeliveryError, match=r"127\.0\.0\.1.*timed out"):
        channels.WeComChannel().deliver(notification_for(people["alice"]))


def test_an_unreachable_gateway_fails(settings, gateway, people):
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url
    gateway.server.shutdown()
    gateway.server.server_close()
    with pytest.raises(channels.DeliveryError, match="unreachable"):
        channels.WeComChannel().deliver(notification_for(people["alice"]))


# ---------- configuration ----------


def test_channels_from_the_setting(settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = " sms, wecom ,sms,"
    assert list(channels.configured_channels()) == ["sms", "wecom"]
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console", "tests.notifications.test_channels.Pigeon"]
    found = channels.configured_channels()
    assert isinstance(found["tests.notifications.test_channels.Pigeon"], Pigeon)
    del settings.SHEZHI_NOTIFICATION_CHANNELS
    assert list(channels.configured_channels()) == ["console"]


def test_unknown_channels_are_refused_and_reported_by_check(settings):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["fax"]
    with pytest.raises(ImproperlyConfigured, match="Unknown notification channel 'fax'"):
        channels.configured_channels()
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["tests.nowhere.Fax"]
    with pytest.raises(ImproperlyConfigured, match="Cannot import"):
        channels.configured_channels()
    assert [p.id for p in check_channels()] == ["notifications.E001"]
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["sms", "wecom"]
    settings.SHEZHI_SMS_GATEWAY_URL = ""
    settings.SHEZHI_WECOM_WEBHOOK_URL = ""
    assert [p.id for p in check_channels()] == ["notifications.W001", "notifications.W001"]
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console"]
    assert check_channels() == []


class Pigeon(channels.Channel):
    """A channel of a test's own: records, or fails when told to."""

    name = "pigeon"
    sent: list[int] = []
    fail = False

    def deliver(self, notification):
        if Pigeon.fail:
            raise RuntimeError("pigeon lost")
        Pigeon.sent.append(notification.pk)


# ---------- the delivery task ----------


@pytest.fixture
def all_channels(settings, gateway):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console", "sms", "wecom"]
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url + "/sms"
    settings.SHEZHI_WECOM_WEBHOOK_URL = gateway.url + "/wecom?key=K"
    return gateway


def test_notify_delivers_on_every_channel_once(
    all_channels, people, with_phone, django_capture_on_commit_callbacks
):
    gateway = all_channels
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([people["alice"], people["bob"]], kind="k", title="通知", body="正文")
    alice_n = Notification.objects.get(user=people["alice"])
    bob_n = Notification.objects.get(user=people["bob"])
    sms = [r for r in gateway.requests if r["path"] == "/sms"]
    wecom = [r for r in gateway.requests if r["path"].startswith("/wecom")]
    assert [r["json"] for r in sms] == [{"phone": PHONE, "text": "通知\n正文"}]
    assert len(wecom) == 2
    assert delivery(alice_n, "sms").status == "sent"
    bob_sms = delivery(bob_n, "sms")
    assert bob_sms.status == "skipped" and "no phone" in bob_sms.error
    for n in (alice_n, bob_n):
        for name in ("console", "wecom"):
            d = delivery(n, name)
            assert (d.status, d.attempts, d.error) == ("sent", 1, "")
            assert d.sent_at is not None


def test_a_task_run_twice_sends_once(all_channels, people, with_phone):
    gateway = all_channels
    n = notification_for(people["alice"])
    first = deliver_notifications.enqueue([n.pk])
    second = deliver_notifications.enqueue([n.pk])
    assert first.return_value == {"sent": 3}
    assert second.return_value == {"unchanged": 3}
    assert len(gateway.requests) == 2  # one SMS, one WeCom message
    assert Delivery.objects.filter(notification=n).count() == 3


def test_a_failing_gateway_is_recorded_then_retried_up_to_three_times(
    settings, gateway, people, with_phone
):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["sms"]
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    n = notification_for(people["alice"])
    for _ in range(5):
        gateway.answer(500, b"gateway exploded")
    assert services.deliver([n.pk]) == {"failed": 1}
    d = delivery(n, "sms")
    assert d.status == "failed" and d.attempts == 1 and d.sent_at is None
    assert "HTTP 500" in d.error and "gateway exploded" in d.error
    assert PHONE not in d.error
    services.deliver([n.pk])
    services.deliver([n.pk])
    assert delivery(n, "sms").attempts == 3
    assert services.deliver([n.pk]) == {"unchanged": 1}  # given up after three tries
    assert len(gateway.requests) == 3


def test_a_retry_that_succeeds_is_sent_and_never_again(settings, gateway, people, with_phone):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["sms"]
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    n = notification_for(people["alice"])
    gateway.answer(503, b"busy")
    services.deliver([n.pk])
    assert services.deliver([n.pk]) == {"sent": 1}
    d = delivery(n, "sms")
    assert (d.status, d.attempts, d.error) == ("sent", 2, "")
    assert services.deliver([n.pk]) == {"unchanged": 1}
    assert len(gateway.requests) == 2


def test_one_failing_channel_does_not_stop_the_others(settings, people):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["tests.notifications.test_channels.Pigeon", "console"]
    Pigeon.sent, Pigeon.fail = [], True
    n = notification_for(people["alice"])
    try:
        assert services.deliver([n.pk]) == {"failed": 1, "sent": 1}
        d = delivery(n, "tests.notifications.test_channels.Pigeon")
        assert d.error == "RuntimeError: pigeon lost"
        Pigeon.fail = False
        assert services.deliver([n.pk]) == {"sent": 1, "unchanged": 1}
        assert Pigeon.sent == [n.pk]
    finally:
        Pigeon.fail = False


def test_a_delivery_being_sent_elsewhere_is_left_alone(settings, people):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console"]
    n = notification_for(people["alice"])
    Delivery.objects.create(notification=n, channel="console", status="sending", attempts=1)
    assert services.deliver([n.pk]) == {"unchanged": 1}


def test_no_channels_no_deliveries(settings, people):
    settings.SHEZHI_NOTIFICATION_CHANNELS = []
    n = notification_for(people["alice"])
    assert services.deliver([n.pk]) == {}
    assert not Delivery.objects.exists()


def test_the_timer_command_delivers_what_was_missed(settings, gateway, people, with_phone):
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["sms"]
    settings.SHEZHI_SMS_GATEWAY_URL = gateway.url
    notification_for(people["alice"])  # never tried: as if the enqueue had been lost
    failed = notification_for(people["alice"], title="再试")
    Delivery.objects.create(notification=failed, channel="sms", status="failed", attempts=1)
    given_up = notification_for(people["alice"], title="放弃")
    Delivery.objects.create(notification=given_up, channel="sms", status="failed", attempts=3)
    old = notification_for(people["alice"], title="旧")
    Notification.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=5))
    out = StringIO()
    call_command("deliver_notifications", stdout=out)
    assert out.getvalue().strip() == "sent 2"
    assert sorted(r["json"]["text"].split("\n")[0] for r in gateway.requests) == [
        "事件已派遣",
        "再试",
    ]
    out = StringIO()
    call_command("deliver_notifications", stdout=out)
    assert out.getvalue().strip() == "nothing to do"
    with pytest.raises(Exception, match="--hours"):
        call_command("deliver_notifications", hours=0)
