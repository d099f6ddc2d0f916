"""Personal data: encrypted at rest, blind index, masking, validators, rotation, reveal audit."""

from __future__ import annotations

import base64
import datetime
import secrets
import stat

import pytest
from cryptography.fernet import Fernet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.writer import MigrationWriter
from django.test.utils import isolate_apps
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from shezhi.core import personal_data as pd
from shezhi.core.models import PersonalDataView
from shezhi.core.personal_data import EncryptedTextField
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english_messages():
    # These tests read the messages' words; the product default is zh-hans.
    from django.utils import translation

    with translation.override("en"):
        yield


# A model for these tests only, in a registry of its own: it never reaches the
# project's app registry, so makemigrations and the other tests never see it.
with isolate_apps("shezhi.core"):

    class Holder(models.Model):
        phone = EncryptedTextField(blank=True)
        phone_index = models.CharField(max_length=64, blank=True)
        phone_last4 = models.CharField(max_length=4, blank=True)
        id_number = EncryptedTextField(blank=True, null=True)
        id_number_index = models.CharField(max_length=64, blank=True)
        id_number_last4 = models.CharField(max_length=4, blank=True)
        note = models.CharField(max_length=100, blank=True)

        class Meta:
            app_label = "core"
            db_table = "test_personal_data_holder"

        def __str__(self):
            return f"holder {self.pk}"


@pytest.fixture(scope="module")
def holder_table(django_db_setup, django_db_blocker):
    # Created outside the per-test transaction: SQLite's schema editor refuses to
    # run inside one.
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Holder)
    yield Holder
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(Holder)


@pytest.fixture
def holder_model(holder_table, db):
    yield holder_table
    # Holder's content type is created inside the test's transaction, which is
    # rolled back; the manager's cache must not outlive it.
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def keys(settings):
    """Fresh keys per test (the setting_changed signal drops the cached ones)."""
    key = Fernet.generate_key().decode()
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key]
    settings.SHEZHI_BLIND_INDEX_KEY = secrets.token_urlsafe(32)
    return key


def holder(phone="", id_number=None, **extra) -> Holder:
    return Holder.objects.create(
        phone=phone,
        phone_index=pd.blind_index("phone", phone),
        phone_last4=pd.last4("phone", phone),
        id_number=id_number,
        id_number_index=pd.blind_index("id_number", id_number or ""),
        id_number_last4=pd.last4("id_number", id_number or ""),
        **extra,
    )


def raw_rows(model) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return cursor.fetchall()


def raw_column(model, pk, column: str):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def make_id(region="510113", born="19900307", sequence="123") -> str:
    first17 = region + born + sequence
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # ISO 7064 MOD 11-2, computed here
    check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    return first17 + check


PHONE = "13812345678"
ID_NUMBER = make_id()


# --- the field, through a real table -----------------------------------------------


@pytest.mark.django_db
def test_round_trip_and_the_raw_database_holds_no_plaintext(holder_model):
    row = holder(phone=PHONE, id_number=ID_NUMBER, note="ok")
    fetched = Holder.objects.get(pk=row.pk)
    assert fetched.phone == PHONE
    assert fetched.id_number == ID_NUMBER
    assert list(Holder.objects.values_list("phone", flat=True)) == [PHONE]

    cells = [str(value) for r in raw_rows(Holder) for value in r]
    text = " | ".join(cells)
    # Neither value, nor any stretch of either longer than its last four.
    for value, window in ((PHONE, 7), (ID_NUMBER, 8)):
        assert value not in text
        for start in range(len(value) - window + 1):
            assert value[start : start + window] not in text, value[start : start + window]
    assert pd.last4("phone", PHONE) in cells  # the display column is all that shows

    # What is stored is a token under our key, and a new one each time it is saved.
    token = raw_column(Holder, row.pk, "phone")
    assert pd.decrypt(token) == PHONE
    fetched.save()
    assert raw_column(Holder, row.pk, "phone") != token
    assert Holder.objects.get(pk=row.pk).phone == PHONE


@pytest.mark.django_db
def test_empty_stays_empty_and_none_stays_null(holder_model):
    row = holder(phone="", id_number=None)
    assert raw_column(Holder, row.pk, "phone") == ""
    assert raw_column(Holder, row.pk, "id_number") is None
    fetched = Holder.objects.get(pk=row.pk)
    assert fetched.phone == ""
    assert fetched.id_number is None
    assert Holder.objects.filter(phone="").count() == 1
    assert Holder.objects.filter(id_number__isnull=True).count() == 1
    assert Holder.objects.filter(id_number=None).count() == 1
    assert Holder.objects.exclude(phone="").count() == 0


@pytest.mark.django_db
def test_update_and_bulk_update_encrypt_too(holder_model):
    row = holder(phone=PHONE)
    Holder.objects.filter(pk=row.pk).update(phone="13900001111")
    assert pd.decrypt(raw_column(Holder, row.pk, "phone")) == "13900001111"
    row.phone = "13700002222"
    Holder.objects.bulk_update([row], ["phone"])
    assert pd.decrypt(raw_column(Holder, row.pk, "phone")) == "13700002222"
    assert Holder.objects.get(pk=row.pk).phone == "13700002222"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    [
        {"phone": PHONE},
        {"phone__exact": PHONE},
        {"phone__iexact": PHONE},
        {"phone__icontains": "5678"},
        {"phone__startswith": "138"},
        {"phone__in": [PHONE]},
        {"phone__gt": ""},
        {"phone__lower": PHONE},
        {"phone": models.F("note")},
    ],
    ids=lambda lookup: next(iter(lookup)),
)
def test_filtering_on_the_encrypted_field_is_refused_with_a_pointer(holder_model, lookup):
    with pytest.raises(FieldError, match="blind index"):
        list(Holder.objects.filter(**lookup))


@pytest.mark.django_db
def test_the_blind_index_finds_a_row(holder_model):
    row = holder(phone=PHONE, id_number=ID_NUMBER)
    holder(phone="13900001111")
    found = Holder.objects.get(phone_index=pd.blind_index("phone", "+86 138-1234-5678"))
    assert found.pk == row.pk
    found = Holder.objects.get(id_number_index=pd.blind_index("id_number", ID_NUMBER.lower()))
    assert found.pk == row.pk


def test_field_deconstructs_for_migrations():
    field = EncryptedTextField("phone", blank=True, null=True)
    _name, path, args, kwargs = field.deconstruct()
    assert path == "shezhi.core.personal_data.EncryptedTextField"
    assert kwargs == {"verbose_name": "phone", "blank": True, "null": True}
    clone = EncryptedTextField(*args, **kwargs)
    assert clone.deconstruct()[1:] == (path, args, kwargs)
    source, imports = MigrationWriter.serialize(field)
    assert source.startswith("shezhi.core.personal_data.EncryptedTextField(")
    assert "import shezhi.core.personal_data" in imports


def test_a_unique_encrypted_field_fails_the_system_check():
    with isolate_apps("shezhi.core"):

        class Bad(models.Model):
            phone = EncryptedTextField(unique=True)

            class Meta:
                app_label = "core"

            def __str__(self):
                return "bad"

    errors = Bad._meta.get_field("phone").check()
    assert [e.id for e in errors] == ["shezhi.E101"]


def test_the_form_field_is_one_line():
    from django import forms

    assert isinstance(EncryptedTextField().formfield().widget, forms.TextInput)


# --- encryption and keys -----------------------------------------------------------


def test_encrypt_decrypt_and_empty():
    token = pd.encrypt("13812345678")
    assert token != "13812345678"
    assert "13812345678" not in token
    assert pd.decrypt(token) == "13812345678"
    assert pd.encrypt("") == "" == pd.decrypt("")
    assert pd.encrypt("张三") != pd.encrypt("张三")  # random IV: equal values look different


def test_rotation_under_a_new_key(settings):
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_a]
    token = pd.encrypt(PHONE)
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_b, key_a]
    assert pd.decrypt(token) == PHONE  # old tokens still read
    assert not pd.is_under_newest_key(token)
    rotated = pd.rotate(token)
    assert pd.is_under_newest_key(rotated)
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_b]
    assert pd.decrypt(rotated) == PHONE
    with pytest.raises(pd.PersonalDataDecryptionError, match="missing"):
        pd.decrypt(token)


@pytest.mark.django_db
def test_rotate_command_re_encrypts_in_batches_and_is_idempotent(
    holder_model, settings, monkeypatch, capsys
):
    monkeypatch.setattr(pd, "encrypted_fields", lambda: iter([(Holder, f) for f in _enc()]))
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_a]
    rows = [
        holder(phone=f"1390000{i:04d}", id_number=make_id(sequence=f"{i:03d}")) for i in range(3)
    ]
    holder(phone="", id_number=None)  # nothing to rotate
    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_b, key_a]

    call_command("rotate_personal_data_keys", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "core.Holder.phone: 3 re-encrypted, 0 already under the newest key." in out
    assert "core.Holder.id_number: 3 re-encrypted, 0 already under the newest key." in out

    call_command("rotate_personal_data_keys", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "core.Holder.phone: 0 re-encrypted, 3 already under the newest key." in out

    settings.SHEZHI_PERSONAL_DATA_KEYS = [key_b]  # the old key can go now
    for i, row in enumerate(rows):
        fetched = Holder.objects.get(pk=row.pk)
        assert fetched.phone == f"1390000{i:04d}"
        assert fetched.id_number == make_id(sequence=f"{i:03d}")


def _enc():
    return [f for f in Holder._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]


@pytest.mark.django_db
def test_rotate_command_stops_on_a_value_no_key_opens(holder_model, settings, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(pd, "encrypted_fields", lambda: iter([(Holder, f) for f in _enc()]))
    holder(phone=PHONE)
    settings.SHEZHI_PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=r"core\.Holder\.phone of row pk="):
        call_command("rotate_personal_data_keys")


def test_rotate_command_lists_the_project_fields():
    # Whatever real models carry encrypted fields, the command finds them all.
    from django.apps import apps

    expected = {
        (model._meta.label, field.name)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, EncryptedTextField)
    }
    assert {(m._meta.label, f.name) for m, f in pd.encrypted_fields()} == expected
    assert ("core.Holder", "phone") not in expected  # the test model stays out of the registry


def test_key_files_are_generated_0600_on_first_use_and_kept(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SHEZHI_PERSONAL_DATA_KEYS = []
    settings.SHEZHI_BLIND_INDEX_KEY = ""
    assert not (tmp_path / "personal_data_keys").exists()
    token = pd.encrypt(PHONE)
    index = pd.blind_index("phone", PHONE)
    for name in ("personal_data_keys", "blind_index_key"):
        path = tmp_path / name
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    pd.reset_keys()  # as a new process would: the files are read, not regenerated
    assert pd.decrypt(token) == PHONE
    assert pd.blind_index("phone", PHONE) == index


def test_a_key_file_with_a_new_key_on_top_still_reads_old_tokens(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SHEZHI_PERSONAL_DATA_KEYS = []
    token = pd.encrypt(PHONE)
    path = tmp_path / "personal_data_keys"
    path.write_text(f"# newest first\n{Fernet.generate_key().decode()}\n{path.read_text()}")
    pd.reset_keys()
    assert pd.decrypt(token) == PHONE
    assert not pd.is_under_newest_key(token)
    assert pd.is_under_newest_key(pd.encrypt(PHONE))


def test_bad_keys_are_refused_without_echoing_them(settings):
    settings.SHEZHI_PERSONAL_DATA_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="#1") as caught:
        pd.encrypt("x")
    assert "not-a-key" not in str(caught.value)
    settings.SHEZHI_BLIND_INDEX_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="shorter"):
        pd.blind_index("phone", PHONE)


# --- blind index, normalising, masking ---------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086 138 1234 5678",
        "１３８１２３４５６７８",  # full-width, as some input methods type it
        " 13812345678\n",
    ],
)
def test_blind_index_is_the_same_for_every_spelling(spelling):
    assert pd.normalise("phone", spelling) == PHONE
    assert pd.blind_index("phone", spelling) == pd.blind_index("phone", PHONE)


def test_landlines_in_international_form_keep_their_trunk_zero():
    assert pd.normalise("phone", "+86 28 8333 1234") == "02883331234"
    assert pd.normalise("phone", "(028) 8333-1234") == "02883331234"
    assert pd.normalise("phone", "+86 10 1234 5678") == "01012345678"
    assert pd.blind_index("phone", "+86 28 8333 1234") == pd.blind_index("phone", "028-83331234")


def test_blind_index_shape_and_separation(settings):
    index = pd.blind_index("phone", PHONE)
    assert len(index) == 64
    int(index, 16)
    assert pd.blind_index("phone", "13812345679") != index
    # The same characters as another kind never share an index.
    assert pd.blind_index("id_number", PHONE) != index
    assert pd.normalise("id_number", " 51011319900307123x ") == "51011319900307123X"
    assert pd.blind_index("id_number", "51011319900307123x") == pd.blind_index(
        "id_number", "51011319900307123X"
    )
    assert pd.blind_index("phone", "") == ""
    # Another key, another index: the index is useless without the key.
    settings.SHEZHI_BLIND_INDEX_KEY = secrets.token_urlsafe(32)
    assert pd.blind_index("phone", PHONE) != index
    with pytest.raises(ValueError, match="Unknown kind"):
        pd.blind_index("email", "a@b.c")


def test_masking_and_last4():
    assert pd.mask("phone", "13812345678") == "138****5678"
    assert pd.mask("phone", "+86 138 1234 5678") == "138****5678"
    assert pd.mask("phone", "028-83331234") == "028****1234"
    assert pd.mask("id_number", "51011319900307123x") == "510113********123X"
    assert pd.mask("phone", "12345") == "*****"
    assert pd.mask("id_number", "5101131990") == "**********"
    assert pd.mask("phone", "") == ""
    assert pd.last4("phone", "+86 138 1234 5678") == "5678"
    assert pd.last4("id_number", "51011319900307123x") == "123X"


# --- validators --------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "19912345678",
        "+86 138 1234 5678",
        "028-83331234",
        "010-12345678",
        "0755-1234567",
        "0871-12345678",
        "(028) 8333 1234",
        "+86 28 8333 1234",
    ],
)
def test_valid_phones(phone):
    pd.validate_phone(phone)


@pytest.mark.parametrize(
    ("phone", "code", "words"),
    [
        ("1381234567", "mobile_length", "11 digits, not 10"),
        ("138123456789", "mobile_length", "not 12"),
        ("12812345678", "mobile_prefix", "13 to 19"),
        ("83331234", "landline_area_code", "area code"),
        ("028-1234", "landline_format", "7 or 8"),
        ("138-1234-567a", "phone_characters", "only digits"),
        ("", "phone_format", "landline"),
        ("55555", "phone_format", "landline"),
    ],
)
def test_invalid_phones_say_which_rule_failed(phone, code, words):
    with pytest.raises(ValidationError) as caught:
        pd.validate_phone(phone)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_the_check_character_helper_matches_the_standard():
    # GB 11643-1999's own worked example.
    assert pd.id_check_character("11010519491231002") == "X"
    assert make_id("110105", "19491231", "002") == "11010519491231002X"


@pytest.mark.parametrize(
    "id_number",
    [
        make_id(),
        make_id("110105", "19491231", "002"),  # ends in X
        make_id("110105", "19491231", "002").lower(),
        make_id("440305", "20000229", "001"),  # a leap day
        make_id("810000", "19850101", "123"),  # Hong Kong residents' residence permit
        " " + make_id("650102", "19701020", "555") + " ",
    ],
)
def test_valid_id_numbers(id_number):
    pd.validate_id_number(id_number)


@pytest.mark.parametrize(
    ("id_number", "code", "words"),
    [
        ("510113900307123", "id_old_15", "15-digit"),
        (make_id()[:17], "id_length", "not 17"),
        (make_id() + "1", "id_length", "not 19"),
        ("5101131990030712AX", "id_characters", "17 digits"),
        (make_id("990101"), "id_region", "province"),
        (make_id("000000"), "id_region", "province"),
        (make_id(born="19900230"), "id_birth_date", "not a real date"),
        (make_id(born="19901301"), "id_birth_date", "not a real date"),
        (make_id(born="18991231"), "id_birth_date", "not a real date"),
        (make_id(born="21000101"), "id_birth_future", "future"),
        (make_id()[:17] + ("0" if make_id()[17] != "0" else "1"), "id_checksum", "check"),
    ],
)
def test_invalid_id_numbers_say_which_rule_failed(id_number, code, words):
    with pytest.raises(ValidationError) as caught:
        pd.validate_id_number(id_number)
    assert caught.value.code == code
    assert words in caught.value.messages[0]


def test_a_birth_date_of_tomorrow_is_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        pd.validate_id_number(make_id(born=tomorrow.strftime("%Y%m%d")))
    assert caught.value.code == "id_birth_future"
    pd.validate_id_number(make_id(born=timezone.localdate().strftime("%Y%m%d")))


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    born=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_correct_check_character_passes_and_any_other_fails(born, sequence, wrong):
    number = make_id("320102", born.strftime("%Y%m%d"), f"{sequence:03d}")
    pd.validate_id_number(number)
    if wrong != number[17]:
        with pytest.raises(ValidationError) as caught:
            pd.validate_id_number(number[:17] + wrong)
        assert caught.value.code == "id_checksum"


# --- reveal, audited ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "abc", " a b c ", "看一下"])
def test_reveal_without_a_real_reason_is_refused_and_records_nothing(holder_model, reason):
    row = holder(phone=PHONE)
    actor = make_user("reviewer")
    with pytest.raises(ValidationError) as caught:
        pd.reveal(actor=actor, obj=row, field="phone", reason=reason)
    assert caught.value.code == "reveal_reason"
    assert "at least 4" in caught.value.messages[0]
    assert PersonalDataView.objects.count() == 0


@pytest.mark.django_db
def test_reveal_returns_the_value_and_records_who_when_whose_why(holder_model):
    row = holder(phone=PHONE, id_number=ID_NUMBER)
    actor = make_user("reviewer")
    before = timezone.now()
    assert pd.reveal(actor=actor, obj=row, field="phone", reason="  回访核实身份  ") == PHONE
    assert pd.reveal(actor=actor, obj=row, field="id_number", reason="核实身份") == ID_NUMBER
    views = list(PersonalDataView.objects.order_by("id"))
    assert len(views) == 2
    view = views[0]
    assert view.user == actor
    assert before <= view.viewed_at <= timezone.now()
    assert view.content_type == ContentType.objects.get_for_model(Holder)
    assert view.object_id == str(row.pk)
    assert view.field_name == "phone"
    assert view.reason == "回访核实身份"
    assert views[1].field_name == "id_number"
    assert list(actor.personal_data_views.all()) == [views[1], view]  # newest first


@pytest.mark.django_db
def test_reveal_shows_what_is_stored_and_only_encrypted_fields(holder_model):
    row = holder(phone=PHONE)
    actor = make_user("reviewer")
    row.phone = "13900000000"  # an unsaved edit is not what the audit says was seen
    assert pd.reveal(actor=actor, obj=row, field="phone", reason="核实身份") == PHONE
    with pytest.raises(ValueError, match="not an encrypted field"):
        pd.reveal(actor=actor, obj=row, field="note", reason="核实身份")
    assert PersonalDataView.objects.count() == 1


@pytest.mark.django_db
def test_the_reveal_audit_is_read_only_in_the_back_office(holder_model, client):
    row = holder(phone=PHONE)
    root = make_user("root", is_superuser=True, is_staff=True)
    pd.reveal(actor=root, obj=row, field="phone", reason="电话回访")
    client.force_login(root)
    listing = client.get("/admin/core/personaldataview/")
    assert listing.status_code == 200
    assert "电话回访" in listing.content.decode()
    assert PHONE not in listing.content.decode()
    view = PersonalDataView.objects.get()
    assert client.get("/admin/core/personaldataview/add/").status_code == 403
    page = client.get(f"/admin/core/personaldataview/{view.pk}/change/")
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()  # shown, not editable
    assert client.post(f"/admin/core/personaldataview/{view.pk}/delete/").status_code == 403
    assert PersonalDataView.objects.count() == 1


def test_keyed_token_is_stable_keyed_and_names_nothing(settings):
    from shezhi.core.personal_data import keyed_token

    settings.SHEZHI_BLIND_INDEX_KEY = "k" * 40
    first = keyed_token("points-cause", "event:42")
    assert first == keyed_token("points-cause", "event:42")
    assert len(first) == 64 and "42" not in first
    assert first != keyed_token("points-cause", "event:43")
    assert first != keyed_token("other-purpose", "event:42")
    settings.SHEZHI_BLIND_INDEX_KEY = "m" * 40
    assert first != keyed_token("points-cause", "event:42")


def test_bulk_encryption_makes_fernet_tokens_the_keys_read():
    texts = ["", "510113199001011234", "2015-03-01", "13912345678", ",disability,", "张" * 40]
    tokens = pd.encrypt_many(texts)
    assert tokens[0] == ""
    assert [pd.decrypt(t) for t in tokens] == texts
    # Standard Fernet tokens under the newest key, each with its own IV.
    newest = Fernet(base64.urlsafe_b64encode(pd._keys().newest_key))
    assert [newest.decrypt(t.encode()).decode() for t in tokens[1:]] == texts[1:]
    again = pd.encrypt_many(texts)
    assert all(a != b for a, b in zip(tokens[1:], again[1:], strict=True))
    assert all(text not in token for text, token in zip(texts[1:], tokens[1:], strict=True))
