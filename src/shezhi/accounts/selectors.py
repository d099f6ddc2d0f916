"""Reads of residents' sign-ins, for other apps (notifications' SMS channel)."""

from __future__ import annotations

from .models import PhoneAccount


def phone_of(user_id: int) -> str:
    """The mobile number the user signed up with (decrypted), or ''."""
    phones = PhoneAccount.objects.filter(user_id=user_id).values_list("phone", flat=True)
    return (phones.first() or "").strip()
