"""How pages write moments and durations: one definition each, used everywhere.

- ``when``: a moment as a date and time, with the year only when it is not
  this year's (``03-05 14:05``, ``2025-11-30 09:10``), in local time;
- ``ago``: how long ago, for what just happened (``刚刚``, ``5 分钟前``,
  ``3 小时前``, ``2 天前``), then ``when`` once it is a week old;
- ``duration``: a span of minutes (``45 分钟``, ``3 小时 20 分钟``, ``2 天 4 小时``),
  the words of countdowns, and of ``ago``.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# ``ago`` turns to a date after this many days.
AGO_DAYS = 7


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """``m-d H:i`` this year, ``Y-m-d H:i`` any other year (local time); "" for None."""
    if moment is None:
        return ""
    local = _local(moment)
    this_year = _local(now or timezone.now()).year
    return local.strftime("%m-%d %H:%M" if local.year == this_year else "%Y-%m-%d %H:%M")


def when_date(moment, now: datetime | None = None) -> str:
    """A day: ``m-d`` this year, ``Y-m-d`` any other year."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = _local(moment)
    this_year = _local(now or timezone.now()).year
    return moment.strftime("%m-%d" if moment.year == this_year else "%Y-%m-%d")


def duration(minutes: int) -> str:
    """45 min · 3 h 20 min · 2 d 4 h."""
    minutes = max(int(minutes), 0)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, mins = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``moment`` was, in one wording everywhere; a date once it is old."""
    if moment is None:
        return ""
    now = now or timezone.now()
    seconds = (now - moment).total_seconds()
    if seconds < 60:  # a moment ago (or a clock a little ahead)
        return _("just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 24:
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    days = hours // 24
    if days < AGO_DAYS:
        return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    return when(moment, now)
