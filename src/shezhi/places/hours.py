"""Weekly opening hours of a service post: validation and "is it open now".

The stored form is ``{"mon": [["08:30", "12:00"], ["14:00", "17:30"]], …}``:
keys ``mon``…``sun``, each a list of ``[start, end]`` intervals in local time
(``settings.TIME_ZONE``), ``HH:MM``, start before end, no two overlapping. A
day without an entry (or with an empty list) is closed. ``24:00`` may end an
interval (open until midnight); an interval never runs past midnight: split it
over two days.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}
MAX_INTERVALS = 6
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$|^24:00$")
_LINE_RE = re.compile(r"^([A-Za-z][A-Za-z,，\-\s]*?)\s*[:：]\s*(.*)$")
# How far ahead "next opening" looks: a week and a day covers every weekly pattern.
LOOKAHEAD_DAYS = 8


class HoursError(ValueError):
    """The hours are malformed; the message names the day and the interval."""


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _day_error(day: str, message: str) -> HoursError:
    return HoursError(_("%(day)s: %(message)s") % {"day": DAY_LABELS[day], "message": message})


def validate(value) -> dict[str, list[list[str]]]:
    """The hours in their stored form (days in order, intervals sorted), or ``HoursError``."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise HoursError(
            _('Opening hours are an object of days, e.g. {"mon": [["08:30", "12:00"]]}.')
        )
    unknown = [str(k) for k in value if k not in DAYS]
    if unknown:
        raise HoursError(
            _("Unknown day %(day)s; use mon, tue, wed, thu, fri, sat, sun.")
            % {"day": ", ".join(unknown)}
        )
    out: dict[str, list[list[str]]] = {}
    for day in DAYS:
        intervals = value.get(day)
        if intervals in (None, []):
            continue
        if not isinstance(intervals, list | tuple):
            raise _day_error(day, _("a list of [start, end] intervals is expected."))
        if len(intervals) > MAX_INTERVALS:
            raise _day_error(day, _("at most %(n)d intervals a day.") % {"n": MAX_INTERVALS})
        parsed = []
        for i, interval in enumerate(intervals, 1):
            if not isinstance(interval, list | tuple) or len(interval) != 2:
                raise _day_error(day, _("interval %(i)d is not a [start, end] pair.") % {"i": i})
            start, end = (str(v).strip() if isinstance(v, str) else v for v in interval)
            for v in (start, end):
                if not isinstance(v, str) or not _TIME_RE.match(v):
                    raise _day_error(
                        day,
                        _("%(value)s in interval %(i)d is not a time HH:MM (00:00–24:00).")
                        % {"value": v, "i": i},
                    )
            if start == "24:00":
                raise _day_error(day, _("an interval cannot start at 24:00."))
            if _minutes(start) >= _minutes(end):
                raise _day_error(
                    day,
                    _("interval %(start)s–%(end)s ends before it starts.")
                    % {"start": start, "end": end},
                )
            parsed.append((_minutes(start), _minutes(end), start, end))
        parsed.sort()
        for a, b in itertools.pairwise(parsed):
            if b[0] < a[1]:
                raise _day_error(
                    day,
                    _("%(a)s and %(b)s overlap.") % {"a": f"{a[2]}–{a[3]}", "b": f"{b[2]}–{b[3]}"},
                )
        out[day] = [[p[2], p[3]] for p in parsed]
    return out


def parse_text(text: str) -> dict[str, list[list[str]]]:
    """Hours from the form's one line per day: ``mon: 08:30-12:00, 14:00-17:30``.

    Several days may share a line (``mon-fri: …`` or ``sat,sun: …``); an empty
    line or ``closed`` after the colon leaves the day closed.
    """
    value: dict[str, list[list[str]]] = {}
    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE_RE.match(line)
        if match is None:
            raise HoursError(
                _("Line %(n)d: write the day, a colon, then the times (mon: 08:30-12:00).")
                % {"n": n}
            )
        days = _days_of(match.group(1).strip().lower(), n)
        times_part = match.group(2).strip()
        intervals: list[list[str]] = []
        if times_part and times_part.lower() not in ("closed", "-", "休息"):
            for chunk in re.split(r"[,，;；\s]+", times_part):
                if not chunk:
                    continue
                pieces = re.split(r"\s*[-–~～至]\s*", chunk)
                if len(pieces) != 2:
                    raise HoursError(
                        _("Line %(n)d: %(chunk)s is not a start-end interval (08:30-12:00).")
                        % {"n": n, "chunk": chunk}
                    )
                intervals.append([_pad(pieces[0]), _pad(pieces[1])])
        for day in days:
            if day in value:
                raise HoursError(
                    _("%(day)s is given twice (line %(n)d).") % {"day": DAY_LABELS[day], "n": n}
                )
            value[day] = [list(i) for i in intervals]
    return validate(value)


def _pad(value: str) -> str:
    value = value.strip()
    if re.match(r"^[0-9]:[0-5][0-9]$", value):
        return "0" + value
    return value


def days_of(text: str, n: int = 1) -> list[str]:
    """Days named as on a form's line (``mon-fri``, ``sat,sun``), in order; ``n`` is the
    line's number for the message."""
    days = _days_of(text, n)
    return [d for d in DAYS if d in days]


def _days_of(text: str, n: int) -> list[str]:
    days: list[str] = []
    for part in re.split(r"[,，\s]+", text):
        if not part:
            continue
        if "-" in part:
            first, _sep, last = part.partition("-")
            if first not in DAYS or last not in DAYS or DAYS.index(first) > DAYS.index(last):
                raise HoursError(
                    _("Line %(n)d: %(days)s is not a range of days like mon-fri.")
                    % {"n": n, "days": part}
                )
            days.extend(DAYS[DAYS.index(first) : DAYS.index(last) + 1])
        elif part in DAYS:
            days.append(part)
        else:
            raise HoursError(
                _("Line %(n)d: unknown day %(day)s; use mon, tue, wed, thu, fri, sat, sun.")
                % {"n": n, "day": part}
            )
    if not days:
        raise HoursError(_("Line %(n)d names no day.") % {"n": n})
    return days


def as_text(hours: dict) -> str:
    """The form's text for stored hours (one line per open day)."""
    return "\n".join(
        f"{day}: " + ", ".join(f"{a}-{b}" for a, b in hours[day]) for day in DAYS if hours.get(day)
    )


# ---------------------------------------------------------------------------
# Is it open?


@dataclass(frozen=True)
class OpenState:
    open: bool
    today: list[list[str]] = field(default_factory=list)
    closes_at: dt.datetime | None = None  # when open: the end of the current interval
    opens_at: dt.datetime | None = None  # when closed: the next opening (within a week)
    closes_label: str = ""  # the current interval's end as written ("24:00", not "00:00")


def _local(at: dt.datetime | None) -> dt.datetime:
    return timezone.localtime(at or timezone.now())


def _at(day: dt.date, minutes: int) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time.min) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


def day_key(day: dt.date) -> str:
    return DAYS[day.weekday()]


def today_hours(hours: dict, at: dt.datetime | None = None) -> list[list[str]]:
    return list((hours or {}).get(day_key(_local(at).date()), []))


def is_open(hours: dict, at: dt.datetime | None = None) -> bool:
    return state(hours, at).open


def state(hours: dict, at: dt.datetime | None = None) -> OpenState:
    """Open or closed at ``at`` (default now), today's hours, and when that changes."""
    local = _local(at)
    hours = hours or {}
    today = local.date()
    now_min = local.hour * 60 + local.minute + local.second / 60
    intervals = hours.get(day_key(today), [])
    for start, end in intervals:
        if _minutes(start) <= now_min < _minutes(end):
            closes = _at(today, _minutes(end))
            return OpenState(True, list(intervals), closes_at=closes, closes_label=end)
    return OpenState(False, list(intervals), opens_at=next_opening(hours, local))


def next_opening(hours: dict, at: dt.datetime | None = None) -> dt.datetime | None:
    """The next time an interval starts after ``at``, within a week; None if never."""
    local = _local(at)
    now_min = local.hour * 60 + local.minute + local.second / 60
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        for start, _end in (hours or {}).get(day_key(day), []):
            m = _minutes(start)
            if offset or m > now_min:
                return _at(day, m)
    return None


def week(hours: dict, at: dt.datetime | None = None) -> list[dict]:
    """Monday to Sunday for a page: label, intervals, and whether it is today."""
    today = day_key(_local(at).date())
    return [
        {
            "key": day,
            "label": DAY_LABELS[day],
            "intervals": list((hours or {}).get(day, [])),
            "today": day == today,
        }
        for day in DAYS
    ]


def label(intervals) -> str:
    """``08:30–12:00, 14:00–17:30`` or "closed" (a day off: 休息, not an event's 已结案)."""
    if not intervals:
        return pgettext("a service post's day without opening hours", "Closed")
    return ", ".join(f"{a}–{b}" for a, b in intervals)
