"""What a screen may show of personal data by default: the last four characters."""

# A fixed number of mask characters: the length of the value is not shown either.
_MASK = {"phone": "*******", "id_number": "**************"}


def masked(kind: str, last4: str) -> str:
    return f"{_MASK[kind]}{last4}" if last4 else ""
