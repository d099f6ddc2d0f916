"""A period of local dates, as every report, KPI and export asks for one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_DAYS = 3 * 366


def local_window(start: date, end: date) -> tuple[datetime, datetime]:
    """Local dates ``[start, end)`` as the aware moments ``[start's midnight, end's
    midnight)`` in the current time zone: what a period filters timestamps by."""
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)


def days_window(first: date, last: date) -> tuple[datetime, datetime]:
    """From ``first``'s local midnight up to (not including) the one after ``last``: a
    campaign's ``starts_on``/``ends_on``, both days included."""
    return local_window(first, last + timedelta(days=1))


@dataclass(frozen=True)
class Period:
    """Local dates ``[start, end)``."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date | str | None, end: date | str | None, *, today: date) -> Period:
        """From the API's ``from``/``to`` (``to`` inclusive); default: this year so far.

        Raises ValueError with a message for a bad date or range.
        """

        def parse(value, name):
            if value in (None, ""):
                return None
            if isinstance(value, date):
                return value
            try:
                return date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(
                    _("%(name)s is not a date like 2026-01-31: %(value)s")
                    % {"name": name, "value": value}
                ) from None

        first = parse(start, "from") or today.replace(month=1, day=1)
        last = parse(end, "to") or today
        if last < first:
            raise ValueError(_("The period ends before it starts."))
        if (last - first).days + 1 > MAX_DAYS:
            raise ValueError(_("A period is at most three years long."))
        return cls(first, last + timedelta(days=1))

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def window(self) -> tuple[datetime, datetime]:
        """The period's local days as aware moments ``[start, end)`` (``local_window``)."""
        return local_window(self.start, self.end)
