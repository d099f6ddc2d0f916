"""What a resident ID number says about its holder (GB 11643-1999).

Characters 7–14 are the birth date and the 17th is odd for a man, even for a woman.
Validation (length, province, date, MOD 11-2 check character) is
``shezhi.core.personal_data.validate_id_number``, shared with the workforce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shezhi.core import personal_data as pd
from shezhi.core.choices import Sex

FEMALE = Sex.FEMALE.value
MALE = Sex.MALE.value


@dataclass(frozen=True)
class IdFacts:
    number: str  # normalised: ASCII digits, an upper-case X
    birth_date: dt.date
    sex: str


def id_facts(value: str) -> IdFacts:
    """The birth date and sex of a valid ID number; ``ValidationError`` otherwise."""
    pd.validate_id_number(value)
    number = pd.normalise(pd.ID_NUMBER, value)
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return IdFacts(number=number, birth_date=born, sex=MALE if int(number[16]) % 2 else FEMALE)


def age_on(birth_year: int | None, day: dt.date) -> int | None:
    """Age in years reached during ``day``'s year (what the year of birth alone can say)."""
    if not birth_year:
        return None
    return day.year - birth_year


# PIPL art. 28/31: the personal information of a child under 14 is sensitive.
CHILD_AGE = 14


def is_child(birth_year: int | None, birth_date, day: dt.date) -> bool:
    """Under ``CHILD_AGE`` on ``day``. The year of birth decides every year but one: in
    the year the child turns 14, the birth date (``birth_date``: "YYYY-MM-DD", or a
    callable giving it, so an encrypted value is read only then) says whether the
    birthday has passed; without a readable date the child counts as under 14. Unknown
    year of birth: not a child (nothing says so)."""
    if not birth_year:
        return False
    turns = birth_year + CHILD_AGE
    if day.year != turns:
        return day.year < turns
    text = birth_date() if callable(birth_date) else birth_date
    try:
        born = dt.date.fromisoformat(str(text or ""))
    except ValueError:
        return True
    return (day.month, day.day) < (born.month, born.day)


def child_year_floor(day: dt.date) -> int:
    """Residents born in this year or later may be under 14 on ``day`` (``is_child``
    decides the first year); an SQL pre-filter."""
    return day.year - CHILD_AGE
