"""Personal data (phones, ID numbers): encrypted at rest, found by a blind index.

- ``EncryptedTextField`` keeps only a Fernet token in the database; Python code
  sees plaintext. Keys are dedicated (never ``SECRET_KEY``) and rotation-ready:
  the first key encrypts, every key decrypts, ``rotate_personal_data_keys``
  re-encrypts stored values under the newest one.
- ``blind_index(kind, value)`` is a keyed HMAC of the normalised value: store it
  beside the encrypted column and filter on it for exact lookups.
- ``last4`` / ``mask`` give what pages may show; ``reveal`` shows one value in
  clear and records who, when, whose and why (``PersonalDataView``).

PIPL / GB/T 35273 §6.3.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import functools
import hashlib
import hmac
import operator
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import connections, models, router, transaction
from django.db.models.lookups import Exact, Lookup
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PHONE = "phone"
ID_NUMBER = "id_number"
KINDS = (PHONE, ID_NUMBER)

REASON_MIN_CHARS = 4
# Shorter keys could be guessed; a generated one has 43 characters.
BLIND_INDEX_KEY_MIN_CHARS = 32


class PersonalDataDecryptionError(Exception):
    """A stored value that none of the configured keys decrypts (a key is missing)."""


# --- keys -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    newest: Fernet
    all: MultiFernet
    newest_key: bytes = b""  # the newest key's 32 bytes: signing half, encryption half


def _read_or_create_key_file(path: Path, make) -> str:
    """The file's text, written with ``make()`` first if it does not exist (mode 0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place: os.link fails if the name exists
        # (like O_EXCL, two processes agree on one key) and, unlike O_EXCL, nobody
        # can read a half-written file. mkstemp creates it 0600.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(make() + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text()


@functools.cache
def _keys() -> _Keys:
    given = list(settings.SHEZHI_PERSONAL_DATA_KEYS)
    if given:
        source = "SHEZHI_PERSONAL_DATA_KEYS"
        raw = given
    else:
        path = Path(settings.DATA_DIR) / "personal_data_keys"
        source = str(path)
        text = _read_or_create_key_file(path, lambda: Fernet.generate_key().decode())
        # One key a line, newest first; '#' starts a comment.
        raw = [k for ln in text.splitlines() if (k := ln.strip()) and not k.startswith("#")]
    if not raw:
        raise ImproperlyConfigured(f"No personal-data key in {source}.")
    fernets = []
    for number, key in enumerate(raw, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError:
            # The key itself stays out of the message (it ends up in logs).
            raise ImproperlyConfigured(
                f"Personal-data key #{number} in {source} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)."
            ) from None
    return _Keys(
        newest=fernets[0],
        all=MultiFernet(fernets),
        newest_key=base64.urlsafe_b64decode(raw[0].encode()),
    )


@functools.cache
def _blind_index_key() -> bytes:
    key = settings.SHEZHI_BLIND_INDEX_KEY
    source = "SHEZHI_BLIND_INDEX_KEY"
    if not key:
        path = Path(settings.DATA_DIR) / "blind_index_key"
        source = str(path)
        key = _read_or_create_key_file(path, lambda: secrets.token_urlsafe(32)).strip()
    if len(key) < BLIND_INDEX_KEY_MIN_CHARS:
        raise ImproperlyConfigured(
            f"The blind-index key in {source} is shorter than "
            f"{BLIND_INDEX_KEY_MIN_CHARS} characters."
        )
    return key.encode()


def reset_keys() -> None:
    """Forget the loaded keys (tests; after changing the key settings or files)."""
    _keys.cache_clear()
    _blind_index_key.cache_clear()


def _on_setting_changed(*, setting, **kwargs):
    if setting in {"SHEZHI_PERSONAL_DATA_KEYS", "SHEZHI_BLIND_INDEX_KEY", "DATA_DIR"}:
        reset_keys()


setting_changed.connect(_on_setting_changed, dispatch_uid="shezhi.core.personal_data.keys")


# --- encryption -------------------------------------------------------------------


def encrypt(text: str) -> str:
    """A Fernet token of ``text`` under the newest key ("" stays "")."""
    if text == "":
        return ""
    return _keys().newest.encrypt(text.encode()).decode()


def encrypt_many(texts: Iterable[str]) -> list[str]:
    """``encrypt`` of each of ``texts``, for a bulk write (an import's half a million
    residents): standard Fernet tokens (version, time, a fresh random IV each,
    AES-128-CBC with PKCS7 padding, HMAC-SHA256; ``decrypt`` reads them), built from the
    library's own CBC mode and padding, with the key split and the time stamp done once
    per batch and a one-shot HMAC. No cipher mode is written here by hand."""
    key = _keys().newest_key
    signing, aes = key[:16], algorithms.AES(key[16:])
    stamp = b"\x80" + int(time.time()).to_bytes(8, "big")
    texts = list(texts)
    # The fresh random IVs of the batch from one call (a system call each cost more).
    ivs = os.urandom(16 * len(texts))
    out = []
    for n, text in enumerate(texts):
        if text == "":
            out.append("")
            continue
        padder = padding.PKCS7(128).padder()
        data = padder.update(text.encode()) + padder.finalize()
        iv = ivs[16 * n : 16 * n + 16]
        encryptor = Cipher(aes, modes.CBC(iv)).encryptor()
        parts = stamp + iv + encryptor.update(data) + encryptor.finalize()
        token = parts + hmac.digest(signing, parts, "sha256")
        out.append(base64.urlsafe_b64encode(token).decode())
    return out


def decrypt(token: str) -> str:
    """The plaintext of a token made under any configured key ("" stays "")."""
    if token == "":
        return ""
    try:
        return _keys().all.decrypt(token.encode()).decode()
    except InvalidToken:
        raise PersonalDataDecryptionError(
            "A personal-data value cannot be decrypted with any configured key: "
            "the key that encrypted it is missing from SHEZHI_PERSONAL_DATA_KEYS "
            "(or from the data folder's personal_data_keys file)."
        ) from None


def rotate(token: str) -> str:
    """The same plaintext re-encrypted under the newest key (original timestamp kept)."""
    if token == "":
        return ""
    try:
        return _keys().all.rotate(token.encode()).decode()
    except InvalidToken:
        raise PersonalDataDecryptionError(
            "A personal-data value cannot be decrypted with any configured key."
        ) from None


def is_under_newest_key(token: str) -> bool:
    try:
        _keys().newest.decrypt(token.encode())
    except InvalidToken:
        return False
    return True


# --- the field --------------------------------------------------------------------


def _refusal(lhs) -> FieldError:
    name = getattr(getattr(lhs, "target", None), "name", "this field")
    return FieldError(
        f"'{name}' is stored encrypted: it can only be compared with isnull or with ''. "
        "To find a value, filter on its blind index column with "
        "shezhi.core.personal_data.blind_index(kind, value)."
    )


class _EncryptedExact(Exact):
    """``exact`` with "" only: each encryption of a value differs, so nothing else matches."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise _refusal(self.lhs)
        return super().get_prep_lookup()


class _RefusedLookup(Lookup):
    lookup_name = "refused"

    def __init__(self, lhs, rhs):
        raise _refusal(lhs)


class EncryptedTextField(models.TextField):
    """Text kept in the database only as a Fernet token; Python sees the plaintext.

    Pair it with a blind-index column (``blind_index``) for exact lookups and a
    last-4 column for display; filtering on this field itself is refused.
    """

    description = _("Encrypted text")

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _EncryptedExact
        # Never None: Django would then try the name as a transform and fail with
        # a generic message; this one says what to do instead.
        return _RefusedLookup

    def get_transform(self, lookup_name):
        return None

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.primary_key:
            errors.append(
                checks.Error(
                    "An EncryptedTextField cannot be unique or a primary key: every "
                    "encryption of a value differs.",
                    hint="Put the uniqueness on its blind-index column.",
                    obj=self,
                    id="shezhi.E101",
                )
            )
        return errors

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def formfield(self, **kwargs):
        # Phones and ID numbers are one short line, not a TextField's textarea.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})


# --- normalising, indexing, masking ------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s\-‐‑‒–—()]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x take 8-digit numbers; the 4-digit ones (0xxx) 7 or 8.
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of personal data {kind!r}; expected one of {KINDS}.")


def normalise(kind: str, value: str) -> str:
    """The canonical form two spellings of one phone or ID number share."""
    _check_kind(kind)
    # NFKC: full-width digits, X and dashes (common from Chinese input methods) to ASCII
    # (ASCII is its own NFKC: skipped, an import calls this a few million times).
    value = value or ""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    if kind == PHONE:
        value = _PHONE_NOISE.sub("", value)
        for prefix in ("+86", "0086"):
            if value.startswith(prefix):
                value = value[len(prefix) :]
                # International form drops a landline's trunk 0 (+86 28 …, +86 10 …);
                # put it back so both spellings share one index.
                if value and not _MOBILE.fullmatch(value) and not value.startswith("0"):
                    value = "0" + value
                break
        return value
    return "".join(value.split()).upper()


def blind_index(kind: str, value: str) -> str:
    """Hex HMAC-SHA256 of kind and normalised value ("" for an empty value)."""
    normalised = normalise(kind, value)
    if not normalised:
        return ""
    # The kind is part of the message, so a phone and an ID number never share an index.
    message = f"{kind}:{normalised}".encode()
    return hmac.digest(_blind_index_key(), message, "sha256").hex()


def keyed_token(purpose: str, value: str) -> str:
    """Hex HMAC-SHA256 of ``purpose`` and ``value`` under the blind-index key: a stable
    token that names ``value`` to the server only (e.g. the cause of an anonymous
    report's points), never to whoever reads the row."""
    return hmac.new(_blind_index_key(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def last4(kind: str, value: str) -> str:
    return normalise(kind, value)[-4:]


# How much of a value a page may show: (leading, trailing) characters, and the
# shortest length at which they may be shown at all (so enough stays hidden).
_MASK_SHOWS = {PHONE: (3, 4, 11), ID_NUMBER: (6, 4, 18)}


def mask(kind: str, value: str) -> str:
    """``138****5678``, ``510113********123X``; anything shorter masked whole."""
    value = normalise(kind, value)
    head, tail, shortest = _MASK_SHOWS[kind]
    if len(value) < shortest:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


# --- validators -------------------------------------------------------------------


_PHONE_FORMAT = _(
    "Enter a mobile number or a landline number with its area code, such as 028-83331234."
)


def validate_phone(value: str) -> None:
    """A mainland mobile (1[3-9] + 9 digits) or a landline with its area code."""
    number = normalise(PHONE, value)
    if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number):
        return
    if not number:
        raise ValidationError(_PHONE_FORMAT, code="phone_format")
    if not number.isdigit() or not number.isascii():
        raise ValidationError(
            _(
                "A phone number may contain only digits, spaces, dashes, brackets "
                "and a leading +86."
            ),
            code="phone_characters",
        )
    if number.startswith("1"):
        if len(number) != 11:
            raise ValidationError(
                _("A mobile number has 11 digits, not %(count)d."),
                code="mobile_length",
                params={"count": len(number)},
            )
        raise ValidationError(_("A mobile number starts with 13 to 19."), code="mobile_prefix")
    if number.startswith("0"):
        raise ValidationError(
            _(
                "A landline number is an area code starting with 0 followed by 7 or 8 "
                "digits, such as 028-83331234."
            ),
            code="landline_format",
        )
    if len(number) in (7, 8):
        raise ValidationError(
            _("A landline number needs its area code, such as 028-83331234."),
            code="landline_area_code",
        )
    raise ValidationError(_PHONE_FORMAT, code="phone_format")


# GB/T 2260 province-level codes; 81/82/83 also head the residence permits of
# Hong Kong, Macao and Taiwan residents, which follow GB 11643 too.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_CHARACTERS = re.compile(r"\d{17}[\dX]", flags=re.ASCII)


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an ID number's first 17 digits."""
    if len(first17) != 17:
        raise ValueError("An ID number's check character needs its first 17 digits.")
    # map over the digits, not a generator: an import checks half a million of them.
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    """An 18-character resident ID number (GB 11643-1999)."""
    number = normalise(ID_NUMBER, value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _(
                "This is an old 15-digit ID number, which is no longer valid; "
                "enter the 18-character number."
            ),
            code="id_old_15",
        )
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters, not %(count)d."),
            code="id_length",
            params={"count": len(number)},
        )
    if not _ID_CHARACTERS.fullmatch(number):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_characters"
        )
    if int(number[:2]) not in _PROVINCES:
        raise ValidationError(
            _("The first two digits of the ID number are not a province code."),
            code="id_region",
        )
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise ValidationError(
            _("The birth date in the ID number (characters 7 to 14) is not a real date."),
            code="id_birth_date",
        )
    # The system's date first: within a day of the local one, and far cheaper to ask.
    if born >= datetime.date.today() - datetime.timedelta(days=1) and born > timezone.localdate():
        raise ValidationError(
            _("The birth date in the ID number (characters 7 to 14) is in the future."),
            code="id_birth_future",
        )
    if id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _(
                "The last character of the ID number does not match its check digit: "
                "a character is probably mistyped."
            ),
            code="id_checksum",
        )


# --- revealing, audited ------------------------------------------------------------


def reveal(*, actor, obj: models.Model, field: str, reason: str) -> str:
    """The stored plaintext of ``obj.<field>``, after recording who saw it and why.

    Whether ``actor`` may see it is the caller's decision (it knows the scope).
    """
    from django.contrib.contenttypes.models import ContentType

    from shezhi.core.models import PersonalDataView

    model_field = obj._meta.get_field(field)
    if not isinstance(model_field, EncryptedTextField):
        raise ValueError(f"{obj._meta.label}.{field} is not an encrypted field.")
    reason = (reason or "").strip()
    if len("".join(reason.split())) < REASON_MIN_CHARS:
        raise ValidationError(
            _("Give a reason of at least %(count)d characters for revealing this value."),
            code="reveal_reason",
            params={"count": REASON_MIN_CHARS},
        )
    model = type(obj)
    with transaction.atomic(using=router.db_for_write(PersonalDataView)):
        PersonalDataView.objects.create(
            user=actor,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(obj.pk),
            field_name=field,
            reason=reason,
        )
        # What is stored, not what this instance may hold after unsaved edits.
        value = model._base_manager.filter(pk=obj.pk).values_list(field, flat=True).get()
    return value or ""


# --- key rotation ------------------------------------------------------------------


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0


def encrypted_fields():
    """(model, field) for every EncryptedTextField stored in a table of ours."""
    from django.apps import apps

    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.local_concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def rotate_field(model, field, *, batch_size: int = 500) -> RotationCount:
    """Re-encrypt every stored value of ``field`` not yet under the newest key.

    Raw SQL on purpose: the ORM would hand back plaintext, and the tokens are
    what is rotated. Each batch is one transaction; a row changed meanwhile is
    left alone (whoever changed it encrypted it under the newest key).
    """
    using = router.db_for_write(model)
    connection = connections[using]
    qn = connection.ops.quote_name
    table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
    # Identifiers come from model metadata, values are parameters.
    select = (
        f"SELECT {pk}, {column} FROM {table} "  # noqa: S608
        f"WHERE {column} IS NOT NULL AND {column} <> '' %s ORDER BY {pk} LIMIT %%s"
    )
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"  # noqa: S608
    count = RotationCount()
    last = None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if last is None:
                cursor.execute(select % "", [batch_size])
            else:
                cursor.execute(select % f"AND {pk} > %s", [last, batch_size])
            rows = cursor.fetchall()
            for row_pk, token in rows:
                if is_under_newest_key(token):
                    count.current += 1
                    continue
                try:
                    new_token = rotate(token)
                except PersonalDataDecryptionError:
                    raise PersonalDataDecryptionError(
                        f"{model._meta.label}.{field.name} of row pk={row_pk} cannot be "
                        "decrypted with any configured key; nothing in its batch was changed."
                    ) from None
                cursor.execute(update, [new_token, row_pk, token])
                count.rotated += cursor.rowcount
        if len(rows) < batch_size:
            return count
        last = rows[-1][0]
