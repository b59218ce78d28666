"""Encryption at rest of single text fields, keyed by ``FIELD_ENCRYPTION_KEY`` alone.

Key derivation (fixed: changing it makes the stored data unreadable). ``FIELD_ENCRYPTION_KEY``
is a list of secrets (a string is split at commas; spaces around a secret do not count). Each
gives one Fernet key::

    urlsafe_b64encode(PBKDF2-HMAC-SHA256(secret as UTF-8, salt=KEY_SALT,
                                         iterations=KEY_ITERATIONS, length=32))

The first key encrypts, every key decrypts (``MultiFernet``), so a key is rotated by putting
the new one first, re-encrypting (``manage.py rotate_encryption_key``) and then dropping the
old one. ``SECRET_KEY`` plays no part: it can be rotated without touching encrypted data.

A stored value that no key decrypts is never shown as ciphertext: it reads as
:class:`Undecryptable`, a text saying so in the reader's language, and each record loaded
with such a value is logged on ``lotse.security`` with model, field and primary key (never the
value; ``values()`` queries, which load no record, show the text without logging).
Saving the record unchanged writes the original ciphertext back.

The legacy derivation is that of django-fernet-encrypted-fields, which Lotse used before:
``PBKDF2(SECRET_KEY or one of SECRET_KEY_FALLBACKS, salt=an entry of SALT_KEY)`` with
``SALT_KEY = FIELD_ENCRYPTION_KEY``. Only the data migrations that move stored values to the
derivation above read it (:func:`convert_columns`).

Encrypted fields cannot be searched, filtered or ordered by their content in SQL. An empty
value stays empty: NULL where the field is nullable, ``""`` where it is not.
"""

import base64
import binascii
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.conf import settings
from django.db import models
from django.db.models.signals import post_init
from django.utils.translation import gettext

logger = logging.getLogger("lotse.security")

KEY_SALT = b"lotse.field-encryption.v1"
KEY_ITERATIONS = 100_000
LEGACY_ITERATIONS = 100_000  # django-fernet-encrypted-fields
BATCH_SIZE = 500
# Where the original value of a field that could not be decrypted is kept on an instance.
_UNDECRYPTABLE_ATTR = "_undecryptable_fields"


def _as_list(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(v.strip() for v in value if v and v.strip())


def field_keys() -> tuple[str, ...]:
    """The configured secrets, first the one that encrypts."""
    keys = _as_list(getattr(settings, "FIELD_ENCRYPTION_KEY", None))
    if not keys:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set.")
    return keys


def _pbkdf2(secret: str, salt: bytes, iterations: int) -> Fernet:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(secret.encode("utf-8"))))


@functools.lru_cache(maxsize=16)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_pbkdf2(key, KEY_SALT, KEY_ITERATIONS) for key in keys])


@functools.lru_cache(maxsize=16)
def _legacy_fernet_for(secrets: tuple[str, ...], salts: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(
        [
            _pbkdf2(secret, salt.encode("utf-8"), LEGACY_ITERATIONS)
            for secret in secrets
            for salt in salts
        ]
    )


def fernet() -> MultiFernet:
    """The keys of ``FIELD_ENCRYPTION_KEY``, derived once per list of secrets."""
    return _fernet_for(field_keys())


def legacy_fernet() -> MultiFernet:
    """The keys django-fernet-encrypted-fields derived from SECRET_KEY (and its fallbacks)."""
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    salts = getattr(settings, "SALT_KEY", None) or settings.FIELD_ENCRYPTION_KEY
    salts = (salts,) if isinstance(salts, str) else tuple(salts)
    return _legacy_fernet_for(secrets, salts)


def encrypt(text: str) -> str:
    """A Fernet token of ``text`` under the first key."""
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token under any of the keys; ``InvalidToken`` if none fits."""
    try:
        return fernet().decrypt(token.encode("utf-8")).decode("utf-8")
    except (UnicodeError, ValueError, TypeError) as error:
        raise InvalidToken from error


def looks_encrypted(value: str) -> bool:
    """Whether a stored value has the shape of a Fernet token (version byte, timestamp, IV, at
    least one cipher block and the HMAC), so it is ciphertext rather than plain text."""
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (UnicodeError, ValueError, binascii.Error):
        return False
    return len(raw) >= 73 and raw[0] == 0x80 and (len(raw) - 57) % 16 == 0


class Undecryptable(str):
    """What a field reads when no key decrypts its stored value: a text saying so, in the
    current language. ``token`` keeps the stored value, so saving it changes nothing."""

    def __new__(cls, token: str):
        obj = super().__new__(cls, gettext("[cannot be decrypted]"))
        obj.token = token
        return obj

    def __reduce__(self):
        return (Undecryptable, (self.token,))


def _report_undecryptable(sender, instance, **kwargs):
    """Log every field of a record just read whose value could not be decrypted, and remember
    its original value (see ``EncryptedFieldMixin.pre_save``)."""
    for field in encrypted_fields(sender):
        value = instance.__dict__.get(field.attname)
        if isinstance(value, Undecryptable):
            instance.__dict__.setdefault(_UNDECRYPTABLE_ATTR, {})[field.attname] = value
            logger.error(
                "Encrypted value cannot be decrypted: %s.%s pk=%s (wrong or missing "
                "FIELD_ENCRYPTION_KEY?)",
                sender._meta.label,
                field.name,
                instance.pk,
            )


class EncryptedFieldMixin:
    """Stored as a Fernet token in a text column; read back as the text that was saved."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract and cls.__module__ != "__fake__":  # not in migrations
            post_init.connect(_report_undecryptable, sender=cls, dispatch_uid="lotse_undecryptable")

    def get_internal_type(self) -> str:
        return "TextField"

    def _empty(self):
        return None if self.null else ""

    def get_prep_value(self, value):
        if isinstance(value, Undecryptable):
            return value.token
        value = super().get_prep_value(value)
        if value is None or value == "":
            return self._empty()
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            return Undecryptable(value)

    def pre_save(self, model_instance, add):
        """A form that showed the "cannot be decrypted" text sends it back unchanged: keep the
        stored ciphertext then instead of encrypting that text."""
        value = super().pre_save(model_instance, add)
        original = model_instance.__dict__.get(_UNDECRYPTABLE_ATTR, {}).get(self.attname)
        if original is not None and not isinstance(value, Undecryptable) and value == original:
            return original
        return value


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """A ``CharField`` encrypted at rest (``max_length`` limits the text, not the token)."""


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A ``TextField`` encrypted at rest."""


# --- moving stored values ---------------------------------------------------------------------


def _rewrite_column(connection, model, field, change) -> int:
    """Apply ``change(value, pk)`` (the new stored value, or None to keep it) to every
    non-empty value of a field, in batches by primary key, in SQL that SQLite and PostgreSQL
    both run; the number of rows changed."""
    qn = connection.ops.quote_name
    table, pk, column = qn(model._meta.db_table), qn(model._meta.pk.column), qn(field.column)
    first = f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL"
    following = f"{first} AND {pk} > %s"
    order = f" ORDER BY {pk} LIMIT {BATCH_SIZE}"
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"
    last, changed = None, 0
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(first + order)
            else:
                cursor.execute(following + order, [last])
            rows = cursor.fetchall()
        if not rows:
            return changed
        updates = []
        for row_pk, value in rows:
            new = change(value, row_pk) if value else None
            if new is not None and new != value:
                updates.append((new, row_pk))
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(update, updates)
            changed += len(updates)
        last = rows[-1][0]


def _cannot_decrypt(label: str, pk) -> None:
    logger.error("Encrypted value cannot be decrypted, left as it is: %s pk=%s", label, pk)


def _to_current(label: str):
    def change(value: str, pk):
        try:
            decrypt(value)
            return None  # already under FIELD_ENCRYPTION_KEY
        except InvalidToken:
            pass
        if not looks_encrypted(value):
            return encrypt(value)  # plain text
        try:
            return encrypt(legacy_fernet().decrypt(value.encode("ascii")).decode("utf-8"))
        except InvalidToken:
            _cannot_decrypt(label, pk)
            return None

    return change


def _from_current(label: str, *, legacy: bool):
    def change(value: str, pk):
        try:
            text = decrypt(value)
        except InvalidToken:
            if looks_encrypted(value):
                _cannot_decrypt(label, pk)
            return None
        if legacy:
            return legacy_fernet().encrypt(text.encode("utf-8")).decode("ascii")
        return text

    return change


def _under_first_key(label: str, failed: list):
    first = _fernet_for(field_keys()[:1])

    def change(value: str, pk):
        try:
            first.decrypt(value.encode("utf-8"))
            return None  # already under the first key
        except InvalidToken:
            pass
        try:
            return encrypt(decrypt(value))
        except InvalidToken:
            failed.append(pk)
            _cannot_decrypt(label, pk)
            return None

    return change


def _fields(apps, app_label: str, fields: dict[str, list[str]]):
    for model_name, names in fields.items():
        model = apps.get_model(app_label, model_name)
        for name in names:
            yield model, model._meta.get_field(name), f"{model._meta.label}.{name}"


def convert_columns(apps, schema_editor, app_label: str, fields: dict[str, list[str]]) -> int:
    """For data migrations: store every value of the given fields (``{model: [field, ...]}``)
    under ``FIELD_ENCRYPTION_KEY``, whether it was plain text or encrypted with the legacy
    derivation. Values already under the current keys are left alone, so it can run twice;
    ciphertext that no key decrypts is left alone and logged."""
    return sum(
        _rewrite_column(schema_editor.connection, model, field, _to_current(label))
        for model, field, label in _fields(apps, app_label, fields)
    )


def restore_columns(
    apps, schema_editor, app_label: str, fields: dict[str, list[str]], *, legacy: bool
) -> int:
    """The reverse of :func:`convert_columns`: back to the legacy derivation (``legacy``) or to
    plain text."""
    return sum(
        _rewrite_column(schema_editor.connection, model, field, _from_current(label, legacy=legacy))
        for model, field, label in _fields(apps, app_label, fields)
    )


@functools.cache
def encrypted_fields(model) -> tuple[models.Field, ...]:
    """The fields of a model encrypted with this module (asked each time a record is built)."""
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin))


def reencrypt(model, *, using: str = "default") -> tuple[int, list]:
    """Re-encrypt every value of a model's encrypted fields under the first key, after a key
    rotation: the number of values rewritten, and the primary keys of values no key decrypts
    (left as they are, and logged)."""
    from django.db import connections

    connection, rewritten, failed = connections[using], 0, []
    for field in encrypted_fields(model):
        label = f"{model._meta.label}.{field.name}"
        rewritten += _rewrite_column(connection, model, field, _under_first_key(label, failed))
    return rewritten, failed
