"""Amounts typed by people, read exactly (``Decimal``, never a float): one parser for
every form that takes yuan (fen) or a percentage (basis points).

``scaled("¥1,234.5", 2)`` → 123450: the number × 10^places, after dropping a leading
¥/￥ and thousands separators (, or ，). Full-width digits (１２.５) read as digits, as
``Decimal`` reads any Unicode digit. Refused (``NotAnAmount``, with ``reason``): not a
number (``"number"``), more decimals than ``places`` (``"decimals"``: a fen cannot be
split). The sign is the caller's to judge (``fen`` refuses a negative amount).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class NotAnAmount(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def scaled(text, places: int) -> int:
    """``text`` × 10^``places``, exactly."""
    raw = str(text if text is not None else "").strip()
    raw = raw.replace(",", "").replace("，", "").lstrip("¥￥").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise NotAnAmount("number") from None
    if not value.is_finite():
        raise NotAnAmount("number")
    result = value.scaleb(places)
    if result != result.to_integral_value():
        raise NotAnAmount("decimals")
    return int(result)


def fen(text) -> int:
    """Yuan typed by a person → whole fen; a negative amount is refused (``"negative"``)."""
    value = scaled(text, 2)
    if value < 0:
        raise NotAnAmount("negative")
    return value
