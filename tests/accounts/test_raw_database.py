"""After a sign-up, a sign-in, a wrong code, a binding request with the whole ID number
and its confirmation, no table holds the mobile number, a code or that ID number."""

from __future__ import annotations

import pytest

from shezhi.accounts import services
from shezhi.households import services as households
from tests.households.conftest import add_resident, place, valid_id_number  # noqa: F401
from tests.households.test_raw_database import every_cell

pytestmark = pytest.mark.django_db

PHONE = "13977778888"


def test_no_table_holds_the_number_a_code_or_the_id_number(console, cast, place):  # noqa: F811
    id_number = valid_id_number(birth="19620704", seq="357")
    zhang = add_resident(
        cast.community, place.h101, "张德明", id_number=id_number, phone="13800009999"
    )
    services.request_code(phone=PHONE, client="10.1.2.3")
    first = console.code(PHONE)
    user = services.sign_in_with_code(phone=PHONE, code=first, name="张德明").user
    cast.assemble("mg_worker")
    made = households.request_binding(
        user=user, household=place.h101, name="张德明", id_number=id_number
    )
    households.decide_binding(actor=cast.mg_worker, binding=made, confirm=True)
    zhang.refresh_from_db()
    assert zhang.user_id == user.pk
    raw = every_cell()
    assert "张德明" in raw  # the scan does read the tables
    for secret in (PHONE, PHONE[3:], first, id_number, id_number[6:14], "10.1.2.3"):
        assert secret not in raw, f"{secret} is readable in the database"
