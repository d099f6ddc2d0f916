"""How many residents take part in the demo (issue 16 §6): the article's 52,000 for the
whole district, in proportion to the household base the demo holds.

    share  = households in the base / 174,300 (the whole district: 83 communities × 2,100)
    target = round(52,000 × share)  — residents taking part over the last 365 days

So about 52,000 at ``--households 1`` and 11,429 at the default 0.2 (its 38,309
households are 22 % of the district's). The steps that record participation scale with
the same share: demands (15,000 for the district),
the broadcast's sign-ins (30,000 heads of household, 60 % answer), the micro-projects
(fixed: the article's 56, over a thousand residents). The organisations step records
last: its members' join days put as many of them in the year as the target still needs,
after counting the distinct residents the other steps recorded in the year (members of
an organisation founded within the year joined within it whatever the target).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shezhi.core.lists.ranges import subtree_q
from shezhi.core.models import Participation
from shezhi.households.models import Household

from .households import HOUSEHOLDS_PER_COMMUNITY

ARTICLE = 52_000
FULL_HOUSEHOLDS = 83 * HOUSEHOLDS_PER_COMMUNITY
DAYS = 365


def share(path: str = "") -> float:
    """The household base's size as a share of the whole district's."""
    qs = Household.objects.all()
    if path:
        qs = qs.filter(area_path__startswith=path)
    return qs.count() / FULL_HOUSEHOLDS


def target(path: str = "") -> int:
    return round(ARTICLE * share(path))


def year() -> tuple[dt.datetime, dt.datetime]:
    """The last 365 days, the period the target is for (local days, as stats counts)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return end - dt.timedelta(days=DAYS), end


def taking_part(area) -> set[str]:
    """The distinct participants recorded in ``area`` over ``year()`` so far."""
    start, end = year()
    return set(
        Participation.objects.filter(subtree_q("area_path", area.path), at__gte=start, at__lt=end)
        .values_list("participant", flat=True)
        .distinct()
        .iterator(chunk_size=20_000)
    )
