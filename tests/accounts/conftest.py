"""Residents' sign-ins: codes arrive on the console channel (standard output), read back
from the test's capture, never from the logs."""

from __future__ import annotations

import re

import pytest

CODE = re.compile(r"\[text message to \*+(\d{4})\][^\n]*?(?<!\d)(\d{6})(?!\d)")


def last_code(text: str, phone: str) -> str:
    """The newest code the console channel wrote for ``phone``."""
    found = [code for last4, code in CODE.findall(text) if last4 == phone[-4:]]
    assert found, f"no code for …{phone[-4:]} in the console output"
    return found[-1]


@pytest.fixture
def console(capsys):
    """Read what the console channel wrote since the last read: ``console.code(phone)``."""

    class Console:
        seen = ""

        def read(self) -> str:
            self.seen += capsys.readouterr().out
            return self.seen

        def code(self, phone: str) -> str:
            return last_code(self.read(), phone)

    return Console()


@pytest.fixture(autouse=True)
def _english_messages(settings):
    from django.utils import translation

    settings.SHEZHI_NOTIFICATION_CHANNELS = ["console"]
    with translation.override("en"):
        yield
