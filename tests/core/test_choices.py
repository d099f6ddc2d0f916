"""One definition of a person's sex for the workforce and the household base."""

from __future__ import annotations

from shezhi.core.choices import SEX_ZH, Sex
from shezhi.households.identity import FEMALE, MALE
from shezhi.households.models import Resident
from shezhi.people.models import Person


def test_the_workforce_and_the_household_base_share_one_definition():
    assert Resident.Sex is Sex and Person.Gender is Sex
    # The stored values as before: no data change.
    assert Sex.values == ["female", "male"] == [FEMALE, MALE]
    assert Resident._meta.get_field("sex").choices == Person._meta.get_field("gender").choices
    assert SEX_ZH == {"female": "女", "male": "男"}
