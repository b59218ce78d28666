"""The exchange format of a program's data: sheets, columns, allowed values.

This module is the single description of the format that the importer, the exporter, the
downloadable template workbook and docs/import-format.md follow. The format is a contract
with the programs that keep their data in spreadsheets: add columns only as optional ones,
never rename or remove one.

One XLSX workbook with the sheets below (in this order), or CSV files named after the sheets
(``sites.csv`` …) in a folder or a zip. The first row names the columns; dates are
``YYYY-MM-DD`` (or date cells); lists inside a cell are separated by ``;``.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.spreadsheets import Source, open_source
from programs.models import ActivityKind, Area, Participant, Site
from referrals.models import Category, Referral, ServiceProvider
from sessions_log.instruments import INSTRUMENTS
from sessions_log.models import Activity, Match, OutcomeMeasure, SelfHelpGroup
from volunteers.models import Volunteer

LIST_SEPARATOR = ";"
DATE_FORMAT = "YYYY-MM-DD"
# Refs the exporter gives to records that have none (``A-<id>``, ``R-<id>``).
ACTIVITY_REF_PREFIX = "A-"
REFERRAL_REF_PREFIX = "R-"
MATCH_REF_PREFIX = "M-"
OUTCOME_REF_PREFIX = "Q-"
# The answer columns of the outcomes sheet: as many as the longest instrument has items.
OUTCOME_ITEMS = max(len(instrument.items) for instrument in INSTRUMENTS.values())
# The template workbook's explanation sheet; the importer skips it.
HELP_SHEET = "help"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes_no"
    LANGUAGES = "languages"
    COUNTRY = "country"
    LIST = "list"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    example: str = ""

    @property
    def heading(self) -> str:
        """How the documentation names the column: required ones carry a ``*``."""
        return f"{self.name}*" if self.required else self.name

    @property
    def allowed(self) -> str:
        """The allowed values in a few words (for the template and the import page)."""
        if self.choices:
            return ", ".join(self.choices)
        if self.kind == Kind.DATE:
            return DATE_FORMAT
        if self.kind == Kind.YES_NO:
            # Translators: only words the importer reads (core.spreadsheets.YES_WORDS and
            # NO_WORDS: yes/ja/j/y/x/1, no/nein/nej/n/0); in other languages keep "yes, no".
            return str(pgettext_lazy("words the importer reads as yes and no", "yes, no"))
        if self.kind == Kind.INTEGER:
            low = self.minimum if self.minimum is not None else 0
            return f"{low}–{self.maximum}" if self.maximum is not None else f"≥ {low}"
        if self.kind == Kind.LANGUAGES:
            return str(_("ISO 639-1 or 639-3 codes, separated by “;”"))
        if self.kind == Kind.COUNTRY:
            return "ISO 3166 alpha-2"
        if self.kind == Kind.LIST:
            return str(_("a list, separated by “;”"))
        return str(_("text, up to %(n)s characters") % {"n": self.max_length})


@dataclass(frozen=True)
class Sheet:
    name: str
    key: str  # the column that identifies a row's record (natural key)
    help: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self._by_name[name]

    @property
    def example_row(self) -> list[str]:
        return [c.example for c in self.columns]


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


SITES = Sheet(
    name="sites",
    key="name",
    help=_("Shelters, homes, flats, contact points and offices where the program works."),
    columns=(
        Column(
            "name",
            Kind.TEXT,
            _("The site's name; identifies the site in this program."),
            required=True,
            max_length=_max(Site, "name"),
            example="Übergangsheim Nord",
        ),
        Column(
            "kind",
            Kind.CHOICE,
            _("What kind of place it is."),
            required=True,
            choices=tuple(Site.Kind.values),
            example=Site.Kind.TRANSITION_HOME,
        ),
        Column(
            "area",
            Kind.TEXT,
            _("The integration area; an area not yet in the program is created."),
            max_length=_max(Area, "name"),
            example="Nord",
        ),
        Column(
            "city",
            Kind.TEXT,
            _("City or town."),
            max_length=_max(Site, "city"),
            example="Düren",
        ),
        Column(
            "capacity",
            Kind.INTEGER,
            _("Number of places (residents)."),
            minimum=0,
            example="120",
        ),
    ),
)

VOLUNTEERS = Sheet(
    name="volunteers",
    key="code",
    help=_("Volunteers, lay helpers and counsellors."),
    columns=(
        Column(
            "code",
            Kind.TEXT,
            _("The volunteer's code; identifies the volunteer in this program."),
            required=True,
            max_length=_max(Volunteer, "code"),
            example="V-001",
        ),
        Column(
            "name",
            Kind.TEXT,
            _("Full name."),
            required=True,
            max_length=_max(Volunteer, "name"),
            example="Amina Haddad",
        ),
        Column(
            "email",
            Kind.TEXT,
            _("E-mail address."),
            max_length=_max(Volunteer, "email"),
            example="amina@example.org",
        ),
        Column(
            "languages",
            Kind.LANGUAGES,
            _("Languages the volunteer speaks, as ISO codes."),
            example="ar; de; en",
        ),
        Column(
            "status",
            Kind.CHOICE,
            _("Where the volunteer stands; “left” needs left_on."),
            required=True,
            choices=tuple(Volunteer.Status.values),
            example=Volunteer.Status.ACTIVE,
        ),
        Column("joined_on", Kind.DATE, _("Date the volunteer joined."), example="2016-11-14"),
        Column(
            "left_on",
            Kind.DATE,
            _("Date the volunteer left; required when the status is “left”."),
        ),
        Column(
            "employed",
            Kind.YES_NO,
            _("Employed as a counsellor (by the program's lead organisation unless set)."),
            example="no",
        ),
    ),
)

PARTICIPANTS = Sheet(
    name="participants",
    key="code",
    help=_("People supported by the program, known only by a pseudonymous code."),
    columns=(
        Column(
            "code",
            Kind.TEXT,
            _("The participant's pseudonymous code; identifies them in this program."),
            required=True,
            max_length=_max(Participant, "code"),
            example="P-7K3Q9",
        ),
        Column(
            "year_of_birth",
            Kind.INTEGER,
            _("Year of birth."),
            minimum=1900,
            maximum=2100,
            example="1987",
        ),
        Column(
            "gender",
            Kind.CHOICE,
            _("Gender; empty means unknown."),
            choices=tuple(Participant.Gender.values),
            example=Participant.Gender.FEMALE,
        ),
        Column(
            "languages",
            Kind.LANGUAGES,
            _("Languages the participant speaks, as ISO codes."),
            example="prs; fa",
        ),
        Column(
            "country_of_origin",
            Kind.COUNTRY,
            _("Country of origin as a two-letter ISO code."),
            example="AF",
        ),
        Column(
            "site",
            Kind.TEXT,
            _("The site where the participant lives (a name from the sites sheet or Lotse)."),
            max_length=_max(Site, "name"),
            example="Übergangsheim Nord",
        ),
        Column(
            "consent_on",
            Kind.DATE,
            _("Date the participant consented to being recorded."),
            example="2024-03-01",
        ),
        Column(
            "consent_scope",
            Kind.CHOICE,
            _(
                "What the consent covers: support in the program, also referrals, also "
                "pseudonymous evaluation exports; only participants with “evaluation” are "
                "exported. Needs consent_on; empty keeps the recorded scope (support for a new "
                "consent)."
            ),
            choices=tuple(Participant.ConsentScope.values),
            example=Participant.ConsentScope.EVALUATION,
        ),
    ),
)

ACTIVITIES = Sheet(
    name="activities",
    key="ref",
    help=_("Logged work: group sessions, talks, visits, meetings."),
    columns=(
        Column(
            "ref",
            Kind.TEXT,
            _("Your reference for the activity; identifies it in this program."),
            required=True,
            max_length=_max(Activity, "ref"),
            example="2024-0001",
        ),
        Column("date", Kind.DATE, _("Date of the activity."), required=True, example="2024-03-05"),
        Column(
            "kind",
            Kind.CHOICE,
            _("Kind of activity; the program must use this kind."),
            required=True,
            choices=tuple(ActivityKind.values),
            example=ActivityKind.GROUP,
        ),
        Column(
            "site",
            Kind.TEXT,
            _("Where it took place (a name from the sites sheet or Lotse)."),
            max_length=_max(Site, "name"),
            example="Übergangsheim Nord",
        ),
        Column(
            "facilitators",
            Kind.LIST,
            _("Codes of the volunteers who ran it (from the volunteers sheet or Lotse)."),
            example="V-001; V-002",
        ),
        Column("languages", Kind.LANGUAGES, _("Languages used, as ISO codes."), example="ar; de"),
        Column(
            "topics",
            Kind.LIST,
            _("Topic names; topics not yet known are created for the program."),
            example="Sleep; Reactions to stress and healthy coping",
        ),
        Column(
            "duration_minutes",
            Kind.INTEGER,
            _("Duration in minutes."),
            minimum=1,
            example="90",
        ),
        Column(
            "attendees_total",
            Kind.INTEGER,
            _(
                "Number of people reached; for one-to-one kinds it defaults to the number "
                "of participants (at least 1)."
            ),
            minimum=0,
            example="12",
        ),
        Column(
            "attendees_women",
            Kind.INTEGER,
            _("Of them women; women and men together at most the total."),
            minimum=0,
            example="7",
        ),
        Column("attendees_men", Kind.INTEGER, _("Of them men."), minimum=0, example="4"),
        Column(
            "attendees_children",
            Kind.INTEGER,
            _("Of them children; at most the total."),
            minimum=0,
            example="3",
        ),
        Column(
            "participants",
            Kind.LIST,
            _("Codes of the participants who were there (from the participants sheet or Lotse)."),
            example="",
        ),
    ),
)

REFERRALS = Sheet(
    name="referrals",
    key="ref",
    help=_("Referrals to and from service providers."),
    columns=(
        Column(
            "ref",
            Kind.TEXT,
            _("Your reference for the referral; identifies it in this program."),
            required=True,
            max_length=_max(Referral, "ref"),
            example="R-2024-001",
        ),
        Column("date", Kind.DATE, _("Date of the referral."), required=True, example="2024-03-06"),
        Column(
            "participant",
            Kind.TEXT,
            _("Code of the participant (from the participants sheet or Lotse)."),
            required=True,
            max_length=_max(Participant, "code"),
            example="P-7K3Q9",
        ),
        Column(
            "provider",
            Kind.TEXT,
            _("Name of the service; a service not yet in the directory is added to it."),
            required=True,
            max_length=_max(ServiceProvider, "name"),
            example="PSZ Düsseldorf",
        ),
        Column(
            "category",
            Kind.CHOICE,
            _("Kind of service."),
            required=True,
            choices=tuple(Category.values),
            example=Category.PSYCHOSOCIAL_CENTRE,
        ),
        Column(
            "direction",
            Kind.CHOICE,
            _("Outbound (to a service) or inbound (from one); empty means outbound."),
            choices=tuple(Referral.Direction.values),
            example=Referral.Direction.OUTBOUND,
        ),
        Column(
            "status",
            Kind.CHOICE,
            _("Where the referral stands."),
            required=True,
            choices=tuple(Referral.Status.values),
            example=Referral.Status.APPOINTMENT,
        ),
        Column(
            "appointment_on",
            Kind.DATE,
            _("Date of the appointment; required for the status “appointment”."),
            example="2024-03-20",
        ),
        Column(
            "closed_on",
            Kind.DATE,
            _("Date the referral was closed; required for the status “closed”."),
        ),
        Column(
            "consent_on",
            Kind.DATE,
            _(
                "Date the participant agreed to their data being shared with the service. An "
                "outbound referral that was sent needs it, unless Lotse records it for the "
                "referral or the participant's consent covers referrals."
            ),
            example="2024-03-06",
        ),
    ),
)

MATCHES = Sheet(
    name="matches",
    key="ref",
    help=_("Volunteers matched one to one with a participant."),
    columns=(
        Column(
            "ref",
            Kind.TEXT,
            _("Your reference for the match; identifies it in this program."),
            required=True,
            max_length=_max(Match, "ref"),
            example="M-2014-001",
        ),
        Column(
            "volunteer",
            Kind.TEXT,
            _("Code of the volunteer (from the volunteers sheet or Lotse)."),
            required=True,
            max_length=_max(Volunteer, "code"),
            example="V-001",
        ),
        Column(
            "participant",
            Kind.TEXT,
            _("Code of the participant (from the participants sheet or Lotse)."),
            required=True,
            max_length=_max(Participant, "code"),
            example="P-7K3Q9",
        ),
        Column(
            "status",
            Kind.CHOICE,
            _("Where the match stands; “active” and “paused” need started_on, “ended” ended_on."),
            required=True,
            choices=tuple(Match.Status.values),
            example=Match.Status.ACTIVE,
        ),
        Column(
            "proposed_on",
            Kind.DATE,
            _("Date the match was proposed."),
            required=True,
            example="2014-05-02",
        ),
        Column("started_on", Kind.DATE, _("Date the match started."), example="2014-05-20"),
        Column("ended_on", Kind.DATE, _("Date the match ended; only for “ended”.")),
        Column(
            "end_reason",
            Kind.CHOICE,
            _("Why the match ended; required for “ended”."),
            choices=tuple(Match.EndReason.values),
        ),
        Column(
            "six_month_check_on",
            Kind.DATE,
            _("Date of the conversation six months after the start."),
            example="2014-11-20",
        ),
    ),
)

SELFHELP_GROUPS = Sheet(
    name="selfhelp_groups",
    key="name",
    help=_("Self-help groups accompanied for a time, with their one-year follow-up."),
    columns=(
        Column(
            "name",
            Kind.TEXT,
            _("The group's name; identifies the group in this program."),
            required=True,
            max_length=_max(SelfHelpGroup, "name"),
            example="Angehörige Düren",
        ),
        Column(
            "contact_point",
            Kind.TEXT,
            _(
                "The site that looks after the group (a name from the sites sheet or Lotse); "
                "a new group needs one."
            ),
            max_length=_max(Site, "name"),
            example="Kontaktstelle Mitte",
        ),
        Column(
            "topic_area",
            Kind.CHOICE,
            _("What the group is about."),
            required=True,
            choices=tuple(SelfHelpGroup.TopicArea.values),
            example=SelfHelpGroup.TopicArea.CARING_RELATIVES,
        ),
        Column(
            "started_on",
            Kind.DATE,
            _("Date the group started."),
            required=True,
            example="2008-09-01",
        ),
        Column(
            "accompaniment_ends_on",
            Kind.DATE,
            _("Date the accompaniment ends (or ended)."),
            example="2009-03-01",
        ),
        Column(
            "volunteers",
            Kind.LIST,
            _("Codes of the volunteers who accompany the group."),
            example="V-001; V-002",
        ),
        Column(
            "status",
            Kind.CHOICE,
            _("Where the group stands."),
            required=True,
            choices=tuple(SelfHelpGroup.Status.values),
            example=SelfHelpGroup.Status.INDEPENDENT,
        ),
        Column(
            "follow_up_still_meeting",
            Kind.CHOICE,
            _("Whether the group still met a year after it started; yes and no need the date."),
            choices=tuple(SelfHelpGroup.FollowUp.values),
            example=SelfHelpGroup.FollowUp.YES,
        ),
        Column(
            "follow_up_checked_on",
            Kind.DATE,
            _("Date the follow-up was checked."),
            example="2009-09-05",
        ),
    ),
)

OUTCOMES = Sheet(
    name="outcomes",
    key="ref",
    help=_("Questionnaires (WHO-5, UCLA-3, RHS-15) with their answers; Lotse computes the scores."),
    columns=(
        Column(
            "ref",
            Kind.TEXT,
            _("Your reference for the questionnaire; identifies it in this program."),
            required=True,
            max_length=_max(OutcomeMeasure, "ref"),
            example="Q-2024-001",
        ),
        Column(
            "participant",
            Kind.TEXT,
            _("Code of the participant (from the participants sheet or Lotse)."),
            required=True,
            max_length=_max(Participant, "code"),
            example="P-7K3Q9",
        ),
        Column(
            "instrument",
            Kind.CHOICE,
            _("The questionnaire."),
            required=True,
            choices=tuple(INSTRUMENTS),
            example="who5",
        ),
        Column(
            "timepoint",
            Kind.CHOICE,
            _("When it was answered; one baseline per participant and questionnaire."),
            required=True,
            choices=tuple(OutcomeMeasure.Timepoint.values),
            example=OutcomeMeasure.Timepoint.BASELINE,
        ),
        Column(
            "custom_label",
            Kind.TEXT,
            _("The name of another time point; only for “custom”, and needed there."),
            max_length=_max(OutcomeMeasure, "custom_label"),
        ),
        Column("date", Kind.DATE, _("Date it was answered."), required=True, example="2024-03-05"),
        *(
            Column(
                f"item_{number}",
                Kind.INTEGER,
                _(
                    "The answer to this item, as a number on the questionnaire's scale; empty "
                    "if not answered."
                ),
                minimum=0,
                example=str(3) if number <= 5 else "",
            )
            for number in range(1, OUTCOME_ITEMS + 1)
        ),
    ),
)

# In the order they are read: later sheets refer to rows of earlier ones.
SHEETS: tuple[Sheet, ...] = (
    SITES,
    VOLUNTEERS,
    PARTICIPANTS,
    ACTIVITIES,
    REFERRALS,
    MATCHES,
    SELFHELP_GROUPS,
    OUTCOMES,
)
SHEETS_BY_NAME = {sheet.name: sheet for sheet in SHEETS}


def open_import(path: Path, filename: str = "") -> Source:
    """An import file, folder or CSV opened with this format's sheets."""
    return open_source(path, filename, sheets=[sheet.name for sheet in SHEETS], skip=[HELP_SHEET])
