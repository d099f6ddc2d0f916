"""What a resident ID number says about its holder (GB 11643-1999).

Characters 7–14 are the birth date and the 17th is odd for a man, even for a woman.
Validation (length, province, date, MOD 11-2 check character) is
``shezhi.core.personal_data.validate_id_number``, shared with the workforce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shezhi.core import personal_data as pd

FEMALE = "female"
MALE = "male"


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
