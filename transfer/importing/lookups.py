"""One pass over an import file for a program: the lookups, the problems, the counts.

:class:`Run` resolves the references a row makes (sites, volunteers, participants, areas,
topics, providers) with dicts loaded once per pass. An area, topic or provider the file names
that the program does not have is a :class:`NewValue`: it is created (in the second pass only)
when the import is told to create it, or refers to the existing record it is mapped to;
otherwise it stays undecided and the import writes nothing. Each new value also gets the
closest existing one as a suggestion (``difflib`` on casefolded names), so that a typo such as
"Stres" is offered "Stress".
"""

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import models
from django.utils import timezone, translation

from programs.models import ActivityKind, Area, Language, Participant, Program, Site
from programs.selectors import exportable
from referrals import selectors as referral_selectors
from referrals.models import Category, Referral, ServiceProvider
from sessions_log.instruments import INSTRUMENT_CHOICES
from sessions_log.models import Match, OutcomeMeasure, SelfHelpGroup, Topic
from sessions_log.topics import CATALOGUE
from volunteers.models import Enrollment, SupervisionSession, Training, Volunteer

from .. import format as fmt
from .results import CREATE, ImportResult, NewValue, Problem

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
    ("matches", "status"): Match.Status,
    ("matches", "end_reason"): Match.EndReason,
    ("selfhelp_groups", "topic_area"): SelfHelpGroup.TopicArea,
    ("selfhelp_groups", "status"): SelfHelpGroup.Status,
    ("selfhelp_groups", "follow_up_still_meeting"): SelfHelpGroup.FollowUp,
    ("outcomes", "instrument"): SimpleNamespace(choices=INSTRUMENT_CHOICES),
    ("outcomes", "timepoint"): OutcomeMeasure.Timepoint,
    ("trainings", "kind"): Training.Kind,
    ("enrolments", "status"): Enrollment.Status,
    ("supervision_sessions", "kind"): SupervisionSession.Kind,
}


@dataclass(frozen=True)
class Pending:
    """A record the file adds that does not exist yet (first pass only)."""

    what: str
    key: str


class DataChanged(Exception):
    """An existing value a new one was mapped to is gone by the time the file is written."""


NEW_VALUE_COLUMNS = {"area": "area", "topic": "topics", "provider": "provider"}
CREATED_COUNTS = {"area": "areas", "topic": "topics", "provider": "providers"}


def existing_values(program: Program, what: str) -> list[tuple[Any, str]]:
    """The program's areas, topics or providers a new value may be mapped to: (pk, label)."""
    return _existing(program, what)[0]


def _existing(program: Program, what: str) -> tuple[list[tuple[Any, str]], dict[str, Any]]:
    """The values a new one may be mapped to, as (pk, label) by label, and names -> pk.

    The names are casefolded; a catalogue topic's key and English name count as names too.
    """
    if what == "area":
        found = [(pk, name, (name,)) for pk, name in program.areas.values_list("pk", "name")]
    elif what == "provider":
        providers = referral_selectors.providers_for(program).values_list("pk", "name")
        found = [(pk, name, (name,)) for pk, name in providers]
    else:
        found = []
        topics = Topic.objects.filter(active=True).filter(
            models.Q(program__isnull=True) | models.Q(program=program)
        )
        for topic in topics:
            with translation.override("en"):
                english = str(topic)
            found.append((topic.pk, str(topic), (topic.key, topic.name, english, str(topic))))
    names: dict[str, Any] = {}
    for pk, _label, texts in found:
        for text in texts:
            if text:
                names.setdefault(text.casefold(), pk)
    options = sorted(((pk, label) for pk, label, _texts in found), key=lambda p: p[1].casefold())
    return options, names


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

    def __init__(
        self,
        *,
        program: Program,
        by,
        write: bool,
        result: ImportResult,
        create_new: bool = True,
        mapping: Mapping[tuple[str, str], Any] | None = None,
    ):
        self.program = program
        self.by = by
        self.by_id = getattr(by, "pk", None)  # for the records' "logged by", "created by"
        self.write = write
        self.result = result
        self.create_new = create_new
        self.mapping = mapping or {}
        self.at: tuple[str, int | None] = ("", None)  # the sheet and row being read
        self._existing: dict[str, tuple[list, dict[str, Any]]] = {}
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.sites = KeyMap(program.sites.values_list("name", "pk"))
        self.volunteers = KeyMap(program.volunteers.values_list("code", "pk"))
        self.participants = KeyMap(program.participants.values_list("code", "pk"))
        # A training without a ref of its own by the ``T-<id>`` the exporter gives it; a ref
        # written in a record wins (the empty refs come first).
        self.trainings = KeyMap(
            (ref or f"{fmt.TRAINING_REF_PREFIX}{pk}", pk)
            for ref, pk in program.trainings.values_list("ref", "pk").order_by("ref")
        )
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
        # Participants' consent (scope, date) as the participants sheet gives it, by code;
        # as Lotse holds it, by pk (loaded when first asked).
        self.file_consents = KeyMap()
        self._consents: dict[Any, tuple[str, Any]] | None = None

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

    def participant_consent(self, code, pk) -> tuple[str, Any]:
        """A participant's consent scope and date: the file's, else the one Lotse holds."""
        if isinstance(code, str) and code:
            found = self.file_consents.get(code)
            if found is not None:
                return found
        if self._consents is None:
            self._consents = {
                pk: (scope, on)
                for pk, scope, on in self.program.participants.values_list(
                    "pk", "consent_scope", "consent_on"
                )
            }
        return self._consents.get(pk, ("", None))

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

    def existing(self, what: str) -> tuple[list[tuple[Any, str]], dict[str, Any]]:
        """The values a new one may be mapped to, and their casefolded names -> pk."""
        if what not in self._existing:
            self._existing[what] = _existing(self.program, what)
        return self._existing[what]

    def _new(self, what: str, name: str, create: Callable[[], Any]):
        """What a value the program does not have refers to: created, mapped or undecided.

        An undecided value refers to its suggestion (or to nothing yet) in the first pass, so
        that the preview shows what the preselected choice would do; the second pass never
        meets one unless the program's data changed in between.
        """
        key = (what, name.casefold())
        value = self.result.new_values.get(key)
        if value is not None:
            return value.pk
        options, names = self.existing(what)
        decision = self.mapping.get(key)
        if decision is None and self.create_new:
            decision = CREATE
        if decision is not None and decision != CREATE:
            if decision not in {pk for pk, _label in options}:
                decision = None  # not one of the program's values (any more)
        if decision is None and self.write:
            raise DataChanged(key)
        sheet, row = self.at
        value = NewValue(what, name, sheet, row, decision=decision)
        close = difflib.get_close_matches(key[1], list(names), n=1)
        if close:
            value.suggestion = names[close[0]]
        if decision == CREATE:
            value.pk = create() if self.write else Pending(what, key[1])
            self.result.created[CREATED_COUNTS[what]] += 1
        elif decision is not None:
            value.pk = decision
        else:
            value.pk = value.suggestion or Pending(what, key[1])
        self.result.new_values[key] = value
        return value.pk

    def area(self, name: str):
        pk = self.areas.get(name)
        if pk is None:
            pk = self._new(
                "area", name, lambda: Area.objects.create(program=self.program, name=name).pk
            )
            self.areas.add(name, pk)
        return pk

    def topic(self, name: str):
        folded = name.casefold()
        pk = self.topics.get(folded)
        if pk is None:
            pk = self._new(
                "topic", name, lambda: Topic.objects.create(program=self.program, name=name).pk
            )
            self.topics[folded] = pk
        return pk

    def provider(self, name: str, category: str):
        pk = self.providers.get(name)
        if pk is None:
            pk = self._new(
                "provider",
                name,
                lambda: (
                    ServiceProvider.objects.create(
                        program=self.program, name=name, category=category
                    ).pk
                ),
            )
            self.providers.add(name, pk)
        return pk
