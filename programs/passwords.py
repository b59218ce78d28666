"""Password rules beyond Django's own validators (``AUTH_PASSWORD_VALIDATORS``).

- :class:`CommonPasswordValidator` refuses common German, Danish and English passwords, words
  and names, also with digits or symbols before or after them, in leetspeak or repeated
  (``Passwort123``, ``Sommer2024!``, ``P4ssw0rt``);
- :class:`PatternValidator` refuses passwords that are mostly a pattern: repeated characters,
  a sequence, a row of keys or a date (``0000000000a``, ``qwertz123456``);
- :class:`PublishedPasswordValidator` refuses the demo's published password and the name of
  the application, whatever the setting of ``DEBUG`` (the demo seeds its users directly, so
  its logins keep working);
- :class:`NotCurrentPasswordValidator` refuses the current password as the new one.

They run wherever Django validates a password: password change and reset, accepting an
invitation, creating a user in the admin or with ``createsuperuser``.
"""

import functools
import gzip
import re
import unicodedata
from pathlib import Path

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import (
    CommonPasswordValidator as DjangoCommonPasswordValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LIST_PATH = Path(__file__).resolve().parent / "common_passwords_de_da.txt"

# Passwords printed in the README and by ``seed_demo``: anyone may know them.
PUBLISHED_PASSWORDS = ("lotse-demo",)
APPLICATION_NAMES = ("lotse",)

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_LEET_L = str.maketrans({"1": "l", "!": "i"})
_FOLD_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "æ": "ae", "ø": "oe", "å": "aa"})
_FOLD_PLAIN = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
_SEPARATORS = re.compile(r"[\s\-_.+,;:/'\"]+")
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_REPEATED = re.compile(r"(.{3,}?)\1+")


def _plain(text: str) -> str:
    """Letters without their accents, and æ/ø/å spelled in plain letters."""
    text = text.translate(_FOLD_PLAIN)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _spellings(word: str) -> set[str]:
    """A word as written, with umlauts spelled out (``ae``) and in plain letters."""
    return {word, word.translate(_FOLD_SPELLED), _plain(word)}


def _candidates(password: str) -> set[str]:
    """What a password might be a common word in disguise of: the password itself, its letters
    without the digits and symbols around them, without separators, undone leetspeak, a
    repeated word once, in each spelling of umlauts and æ/ø/å."""
    whole = password.strip().casefold()
    core = _EDGES.sub("", whole)
    forms = {whole, core}
    for leet in (_LEET, _LEET_L):
        forms.add(_EDGES.sub("", core.translate(leet)))
    forms |= {_SEPARATORS.sub("", form) for form in forms}
    forms |= {m.group(1) for form in forms if (m := _REPEATED.fullmatch(form))}
    found = set()
    for form in forms:
        if form:
            found |= _spellings(form)
    return found


def _read_list(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [
            line.strip().casefold()
            for line in lines
            if line.strip() and not line.lstrip().startswith("#")
        ]


@functools.cache
def _common_words(paths: tuple[Path, ...]) -> frozenset[str]:
    words = set()
    for path in paths:
        for entry in _read_list(path):
            entry = _SEPARATORS.sub("", entry)
            if len(entry) >= 3:
                words |= _spellings(entry)
    return frozenset(words)


class CommonPasswordValidator:
    """Refuse a password that is a common password, word or name, also with digits, symbols
    or spaces around it, in leetspeak or repeated.

    Checks Lotse's list of German and Danish passwords, words and names
    (``programs/common_passwords_de_da.txt``) and Django's list of 20,000 common passwords.
    ``password_list_paths`` replaces both.
    """

    def __init__(self, password_list_paths=None):
        if password_list_paths is None:
            django_list = DjangoCommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH
            password_list_paths = (LIST_PATH, django_list)
        self.paths = tuple(Path(path) for path in password_list_paths)

    def validate(self, password, user=None):
        if _candidates(password) & _common_words(self.paths):
            raise ValidationError(
                _(
                    "This password is too common: a well-known password, word or name stays "
                    "easy to guess, even with digits or symbols before or after it."
                ),
                code="password_too_common",
            )

    def get_help_text(self):
        return _(
            "Your password can’t be a common password, word or name, even with digits or "
            "symbols added."
        )


# Key rows of the German, Danish and US keyboards, left to right.
KEYBOARD_ROWS = (
    ("1234567890ß", "qwertzuiopü", "asdfghjklöä", "yxcvbnm,.-"),
    ("1234567890+", "qwertyuiopå", "asdfghjklæø", "zxcvbnm,.-"),
    ("1234567890-", "qwertyuiop[", "asdfghjkl;'", "zxcvbnm,./"),
)


@functools.cache
def _key_neighbours() -> dict[str, frozenset[str]]:
    """Keys beside each other on a row, or touching on the row below or above."""
    neighbours: dict[str, set[str]] = {}

    def touch(a: str, b: str) -> None:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)

    for rows in KEYBOARD_ROWS:
        for r, row in enumerate(rows):
            for i, key in enumerate(row):
                if i + 1 < len(row):
                    touch(key, row[i + 1])
                if r + 1 < len(rows):
                    below = rows[r + 1]
                    for j in (i - 1, i):
                        if 0 <= j < len(below):
                            touch(key, below[j])
    return {key: frozenset(keys) for key, keys in neighbours.items()}


_DATE = re.compile(
    r"(?<!\d)(?:"
    r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})"
    r"|(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2}"
    r"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)?\d\d"
    r"|(?:19|20)\d\d"
    r")(?!\d)"
)
_REPEATS = re.compile(r"(.)\1{2,}")
_REPEATED_BLOCK = re.compile(r"(.{2,6}?)\1+")


def _runs(text: str, linked, minimum: int):
    """Spans (start, end) of at least ``minimum`` characters where each links to the next."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not linked(text[i - 1], text[i]):
            if i - start >= minimum:
                yield start, i
            start = i


def _pattern_spans(text: str):
    for pattern in (_REPEATS, _REPEATED_BLOCK, _DATE):
        for match in pattern.finditer(text):
            yield match.span()
    for step in (1, -1):
        yield from _runs(
            text, lambda a, b, s=step: a.isalnum() and b.isalnum() and ord(b) - ord(a) == s, 3
        )
    neighbours = _key_neighbours()
    yield from _runs(text, lambda a, b: b in neighbours.get(a, ()), 4)


def unpatterned_characters(password: str) -> int:
    """How many characters of a password are not part of a repetition, a sequence (``abc``,
    ``987``), a row of neighbouring keys (``qwertz``, ``1q2w3e``) or a date."""
    text = password.casefold()
    covered = [False] * len(text)
    for start, end in _pattern_spans(text):
        covered[start:end] = [True] * (end - start)
    return covered.count(False)


class PatternValidator:
    """Refuse a password that is mostly a pattern: fewer than ``min_other`` of its characters
    are outside repetitions, sequences, rows of keys and dates."""

    def __init__(self, min_other: int = 4):
        self.min_other = min_other

    def validate(self, password, user=None):
        if unpatterned_characters(password) < self.min_other:
            raise ValidationError(
                _(
                    "This password is mostly a pattern: repeated characters, a sequence, a "
                    "row of keys or a date."
                ),
                code="password_pattern",
            )

    def get_help_text(self):
        return _(
            "Your password can’t be mostly repeated characters, a sequence, a row of keys or "
            "a date."
        )


def _letters(password: str) -> str:
    """The password's letters and digits only, without digits before or after them."""
    squeezed = re.sub(r"[\W_]+", "", password.casefold())
    return re.sub(r"^\d+|\d+$", "", squeezed)


class PublishedPasswordValidator:
    """Refuse the demo's published password and the application's name as a password, also
    with other capitals, separators, digits or symbols."""

    def __init__(self, passwords=PUBLISHED_PASSWORDS, names=APPLICATION_NAMES):
        self.passwords = {_letters(p) for p in passwords}
        self.names = {_letters(n) for n in names}

    def validate(self, password, user=None):
        letters = _letters(password)
        if letters in self.passwords:
            raise ValidationError(
                _("This is the published password of Lotse’s demo. Choose another one."),
                code="password_published",
            )
        if letters in self.names:
            raise ValidationError(
                _("A password can’t be the name of this application."),
                code="password_application_name",
            )

    def get_help_text(self):
        return _("Your password can’t be the demo’s password or the name of this application.")


class NotCurrentPasswordValidator:
    """Refuse the user's current password as their new one (password change and reset)."""

    def validate(self, password, user=None):
        current = getattr(user, "password", None)
        if current and check_password(password, current):
            raise ValidationError(
                _("This is your current password. Choose a new one."),
                code="password_unchanged",
            )

    def get_help_text(self):
        return _("Your new password must differ from your current one.")
