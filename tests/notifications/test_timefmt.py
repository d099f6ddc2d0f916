"""One wording for moments and "x minutes ago" (shezhi.core.timefmt), used by every list."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from shezhi.core import timefmt
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "刚刚"),
        (timedelta(seconds=-30), "刚刚"),
        (timedelta(minutes=5), "5 分钟前"),
        (timedelta(hours=3, minutes=59), "3 小时前"),
        (timedelta(days=2, hours=1), "2 天前"),
        (timedelta(days=8), "11-28 10:00"),
        (timedelta(days=400), "2025-11-01 10:00"),
    ],
)
def test_ago(delta, text):
    with translation.override("zh-hans"):
        assert timefmt.ago(NOW - delta, NOW) == text


def test_when_shows_the_year_only_for_another_year():
    assert timefmt.when(datetime(2026, 3, 5, 14, 5, tzinfo=TZ), NOW) == "03-05 14:05"
    assert timefmt.when(datetime(2025, 12, 31, 23, 0, tzinfo=TZ), NOW) == "2025-12-31 23:00"
    assert timefmt.when(None) == ""
    assert timefmt.when_date(datetime(2025, 1, 2, tzinfo=TZ), NOW) == "2025-01-02"


def test_countdowns_and_ago_share_their_words():
    with translation.override("zh-hans"):
        assert timefmt.duration(45) == "45 分钟"
        assert timefmt.duration(200) == "3 小时 20 分钟"
        assert timefmt.ago(NOW - timedelta(minutes=45), NOW).startswith("45 分钟")


@pytest.mark.django_db
def test_the_notification_list_says_how_long_ago(people):
    notify([people["alice"]], kind="test.one", title="刚发生")
    notify([people["alice"]], kind="test.two", title="较早")
    Notification.objects.filter(kind="test.two").update(
        created_at=timezone.now() - timedelta(minutes=12)
    )
    c = Client()
    c.force_login(people["alice"])
    page = c.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "刚刚" in page and "12 分钟前" in page
