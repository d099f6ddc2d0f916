"""The suite's hand-out to two workers: modules that build a fixture once stay whole."""

from __future__ import annotations

from types import SimpleNamespace

from tests.conftest import modules_kept_together, pytest_xdist_make_scheduler


class Config:
    def __init__(self, dist):
        self.option = SimpleNamespace(numprocesses=2, tx=["2*popen"], dist=dist, maxprocesses=None)

    def getvalue(self, name):
        return getattr(self.option, name)


def test_modules_building_a_module_fixture_are_kept_together():
    together = modules_kept_together()
    assert "tests/events/test_demo.py" in together  # the whole demo district, once
    assert "tests/households/test_demo.py" in together
    assert "tests/events/test_api.py" not in together
    assert "tests/test_scheduling.py" not in together


def test_a_kept_module_is_one_unit_and_every_other_test_its_own():
    scheduler = pytest_xdist_make_scheduler(Config("load"), None)
    assert scheduler._split_scope("tests/events/test_demo.py::test_a") == (
        "tests/events/test_demo.py"
    )
    assert scheduler._split_scope("tests/events/test_demo.py::test_b[x-1]") == (
        "tests/events/test_demo.py"
    )
    assert scheduler._split_scope("tests/events/test_api.py::test_a[p]") == (
        "tests/events/test_api.py::test_a[p]"
    )


def test_another_hand_out_chosen_on_the_command_line_is_left_to_xdist():
    assert pytest_xdist_make_scheduler(Config("loadfile"), None) is None
