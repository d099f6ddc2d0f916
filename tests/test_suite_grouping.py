"""tests/conftest.py keeps a module's tests that share a module fixture on one xdist worker."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def shared():
    return "a stand-in for a demo district: costly, so to be built on one worker only"


def test_a_test_using_a_module_fixture_is_grouped_by_its_module(request, shared):
    marks = list(request.node.iter_markers("xdist_group"))
    assert [m.args for m in marks] == [(__name__,)]


def test_a_second_one_lands_in_the_same_group(request, shared):
    # One group name per module: xdist's loadgroup sends a group to one worker.
    assert [m.args for m in request.node.iter_markers("xdist_group")] == [(__name__,)]


def test_a_test_with_only_function_fixtures_is_handed_out_alone(request, tmp_path):
    assert not list(request.node.iter_markers("xdist_group"))
