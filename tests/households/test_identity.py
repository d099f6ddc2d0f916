"""What an ID number says, and how lists show people: the rules of GB 11643 we rely on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shezhi.households.identity import age_on, id_facts
from shezhi.households.masking import masked_name
from shezhi.households.models import natural_key
from tests.households.conftest import valid_id_number


def test_the_birth_date_and_sex_come_from_the_number():
    facts = id_facts(valid_id_number(birth="19421103", seq="051"))
    assert facts.birth_date == dt.date(1942, 11, 3) and facts.sex == "male"
    assert id_facts(valid_id_number(birth="20000229", seq="002")).sex == "female"


def test_spellings_of_one_number_agree():
    number = valid_id_number(birth="19850312", seq="129")
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in number)
    assert id_facts(f" {wide} ").number == number


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (valid_id_number()[:-1] + ("0" if valid_id_number()[-1] != "0" else "1"), "id_checksum"),
        ("510113850312123", "id_old_15"),
        (valid_id_number()[:17], "id_length"),
        ("99" + valid_id_number()[2:], "id_region"),
        (valid_id_number(birth="19850230"), "id_birth_date"),
        (valid_id_number(birth="20990101"), "id_birth_future"),
        ("51011319850312A23X", "id_characters"),
    ],
)
def test_a_bad_number_says_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as err:
        id_facts(number)
    assert err.value.code == code


def test_a_check_character_x_is_accepted():
    number = next(
        n for seq in range(1000) if (n := valid_id_number(seq=f"{seq:03d}")).endswith("X")
    )
    assert id_facts(number.lower()).number == number


def test_ages_names_and_room_order():
    assert age_on(1950, dt.date(2026, 1, 1)) == 76 and age_on(None, dt.date(2026, 1, 1)) is None
    assert masked_name("张大爷") == "张**" and masked_name("王") == "*" and masked_name("") == ""
    rooms = ["1002", "302", "2单元101", "1单元1201", "1单元201"]
    assert sorted(rooms, key=natural_key) == ["1单元201", "1单元1201", "2单元101", "302", "1002"]
    assert natural_key("2", "302") < natural_key("2", "1002") < natural_key("10", "101")
