"""One pass over an import file for a program: the lookups, the problems, the counts.

:class:`Run` resolves the references a row makes (sites, volunteers, participants, areas,
topics, providers) with dicts loaded once per pass, and creates the areas, topics and
providers a file names that do not exist yet (in the second pass only).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from programs.models import ActivityKind, Area, Language, Participant, Program, Site
from programs.selectors import exportable
from referrals import selectors as referral_selectors
from referrals.models import Category, Referral, ServiceProvider
from sessions_log.models import Topic
from sessions_log.topics import CATALOGUE
from volunteers.models import Volunteer

from .. import format as fmt
from .results import ImportResult, Problem

# Columns whose values may also be written as their label in one of the interface languages.
CHOICE_LABELS = {
    ("sites", "kind"): Site.Kind,
    ("volunteers", "status"): Volunteer.Status,
    ("participants", "gender"): Participant.Gender,
    ("participants", "consent_scope"): Participant.ConsentScope,
    ("activities", "kind"): ActivityKind,
    ("referrals", "category"): Category,
    ("referrals", "direction"): Referral.Direction,
    ("referrals", "status"): Referral.Status,
}


@dataclass(frozen=True)
class Pending:
    """A record the file adds that does not exist yet (first pass only)."""

    what: str
    key: str


class KeyMap:
    """Natural key -> primary key; a reference matches exactly, else ignoring case."""

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()):
        self.exact: dict[str, Any] = {}
        self.folded: dict[str, Any] = {}
        for key, value in pairs:
            self.add(key, value)

    def add(self, key: str, value) -> None:
        self.exact[key] = value
        folded = key.casefold()
        # Two keys differing only in case make the case-insensitive match ambiguous.
        self.folded[folded] = value if self.folded.get(folded, value) == value else None

    def get(self, key: str):
        if key in self.exact:
            return self.exact[key]
        return self.folded.get(key.casefold())


class Run:
    """One pass over a file for a program: the lookups, the problems, the counts."""

    def __init__(self, *, program: Program, by, write: bool, result: ImportResult):
        self.program = program
        self.by = by
        self.write = write
        self.result = result
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.sites = KeyMap(program.sites.values_list("name", "pk"))
        self.volunteers = KeyMap(program.volunteers.values_list("code", "pk"))
        self.participants = KeyMap(program.participants.values_list("code", "pk"))
        # As they were before this import, in both passes.
        self.not_exported = frozenset(
            program.participants.exclude(exportable()).values_list("pk", flat=True)
        )
        self.areas = KeyMap(program.areas.values_list("name", "pk"))
        self.providers = KeyMap()
        shared = referral_selectors.providers_for(program).exclude(program=program)
        for name, pk in shared.values_list("name", "pk"):
            self.providers.add(name, pk)
        own = KeyMap(program.providers.values_list("name", "pk"))
        self.providers.exact.update(own.exact)  # the program's own directory comes first
        self.providers.folded.update(own.folded)
        self.topics = self._topic_lookup()
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.choice_lookups: dict[tuple[str, str], dict[str, str]] = {}

    def _topic_lookup(self) -> dict[str, Any]:
        """Topic names -> pk: the catalogue by key and English name first, then the program's."""
        lookup: dict[str, Any] = {}
        catalogue = Topic.objects.filter(program__isnull=True).values_list("pk", "key", "name")
        with translation.override("en"):
            for pk, key, name in catalogue:
                english = str(CATALOGUE.get(key, name))
                for text in (key, name, english):
                    if text:
                        lookup.setdefault(text.casefold(), pk)
        for pk, name in self.program.topics.values_list("pk", "name"):
            lookup.setdefault(name.casefold(), pk)
        return lookup

    def problem(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.result.add_problem(Problem(sheet, row, column, message))

    def choice_lookup(self, sheet: str, column: fmt.Column) -> dict[str, str]:
        """Allowed values and their labels in every interface language -> value."""
        key = (sheet, column.name)
        if key not in self.choice_lookups:
            from django.conf import settings

            lookup = {value.casefold(): value for value in column.choices}
            choices = CHOICE_LABELS.get(key)
            if choices is not None:
                for code, _name in settings.LANGUAGES:
                    with translation.override(code):
                        for value, label in choices.choices:
                            lookup.setdefault(str(label).casefold(), value)
            self.choice_lookups[key] = lookup
        return self.choice_lookups[key]

    # Records the file refers to that may have to be created.

    def area(self, name: str):
        pk = self.areas.get(name)
        if pk is None:
            if self.write:
                pk = Area.objects.create(program=self.program, name=name).pk
            else:
                pk = Pending("area", name.casefold())
            self.areas.add(name, pk)
            self.result.created["areas"] += 1
        return pk

    def topic(self, name: str):
        folded = name.casefold()
        pk = self.topics.get(folded)
        if pk is None:
            if self.write:
                pk = Topic.objects.create(program=self.program, name=name).pk
            else:
                pk = Pending("topic", folded)
            self.topics[folded] = pk
            self.result.created["topics"] += 1
        return pk

    def provider(self, name: str, category: str):
        pk = self.providers.get(name)
        if pk is None:
            if self.write:
                pk = ServiceProvider.objects.create(
                    program=self.program, name=name, category=category
                ).pk
            else:
                pk = Pending("provider", name.casefold())
            self.providers.add(name, pk)
            self.result.created["providers"] += 1
        return pk
