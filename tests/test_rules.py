"""One rule set for every door: the log form, the services and the importer give the same
answer for the same row. Impossible values are refused and unusual ones asked about, each at
its field and in the user's language; a violated database constraint speaks in words at its
field, never by its name."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_lazy

from core.dates import months_later
from core.rules import (
    Findings,
    NeedsConfirmation,
    clean_before_writing,
    condition_fields,
    explain_refusal,
)
from programs.models import ActivityKind
from referrals import services as referral_services
from referrals.models import Referral
from sessions_log import services
from sessions_log.models import Activity

from .factories import (
    ParticipantFactory,
    ReferralFactory,
    ServiceProviderFactory,
    SiteFactory,
    VolunteerFactory,
)
from .transfer.helpers import HEADERS, run_import, write_xlsx

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "de", "da")
TODAY = timezone.localdate()
RECENTLY = TODAY - dt.timedelta(days=2)


def in_language(language: str, message: str, **params) -> str:
    with translation.override(language):
        return gettext(message) % params if params else gettext(message)


# ---- constraints -----------------------------------------------------------------------------

# The apps whose constraints speak in words at a field.
RULED_APPS = ("programs", "volunteers", "sessions_log", "referrals", "reports")
CONSTRAINTS = [
    (model, constraint)
    for app in RULED_APPS
    for model in apps.get_app_config(app).get_models()
    for constraint in model._meta.constraints
]


@pytest.mark.parametrize(
    ("model", "constraint"), CONSTRAINTS, ids=[c.name for _model, c in CONSTRAINTS]
)
def test_every_constraint_has_a_message_in_words_at_one_of_its_fields(model, constraint):
    assert constraint.violation_error_message not in (
        None,
        constraint.default_violation_error_message,
    )
    at = model.constraint_field(constraint)
    assert at != NON_FIELD_ERRORS
    assert at in condition_fields(constraint)
    model._meta.get_field(at)
    texts = set()
    for language in LANGUAGES:
        with translation.override(language):
            text = str(constraint.get_violation_error_message())
        assert constraint.name not in text
        texts.add(text)
    assert len(texts) == len(LANGUAGES), "translated into German and Danish"


class ActivityModelForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["kind", "date", "minutes", "attendees_total", "attendees_women", "attendees_men"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A session lasts at least one minute."),
        ("de", "Ein Termin dauert mindestens eine Minute."),
        ("da", "En kursusgang varer mindst ét minut."),
    ],
)
def test_a_violated_constraint_is_shown_at_its_field_not_by_its_name(program, language, message):
    data = {"kind": "group", "date": "2024-05-02", "minutes": 0, "attendees_total": 3}
    data.update(attendees_women=1, attendees_men=1)
    with translation.override(language):
        form = ActivityModelForm(data, instance=Activity(program=program))
        assert not form.is_valid()
        assert form.errors == {"minutes": [message]}


def test_a_constraint_over_several_fields_is_shown_at_the_most_relevant_one(program):
    data = {"kind": "group", "date": "2024-05-02", "minutes": 60, "attendees_total": 3}
    data.update(attendees_women=2, attendees_men=2)
    form = ActivityModelForm(data, instance=Activity(program=program))
    assert form.errors == {
        "attendees_women": ["Women and men together cannot be more than the people attending."]
    }


def test_a_write_the_database_refuses_is_explained_at_its_field(program, alice):
    """The services leave the constraints to the database as it writes (no query asks
    first); a refused write still reaches the user as words at the field, and nothing is
    kept."""
    activity = Activity(program=program, kind="group", date=RECENTLY, logged_by=alice)
    activity.attendees_total, activity.attendees_women, activity.attendees_men = 3, 2, 2
    clean_before_writing(activity, exclude=["idempotency_key"])  # asks no one
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()
    with pytest.raises(ValidationError) as refused:
        explain_refusal(activity, exclude=["idempotency_key"])
    assert refused.value.message_dict == {
        "attendees_women": ["Women and men together cannot be more than the people attending."]
    }
    assert not Activity.objects.exists()


# ---- the log form: each finding refused or asked about, at its field, in three languages ----


@pytest.fixture
def flat(program):
    return SiteFactory(program=program, name="Flat Süd", kind="private_flat", capacity=7)


def session(site, **changes) -> dict:
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": ActivityKind.GROUP,
        "date": RECENTLY.isoformat(),
        "site": site.pk,
        "attendees_total": 5,
        "attendees_women": 2,
        "attendees_men": 2,
        "attendees_children": 1,
        "minutes": 90,
        "notes": "Typed at the shelter, not to be lost.",
    }
    data.update(changes)
    return data


def post_in(client, language, url, data):
    client.cookies["django_language"] = language
    return client.post(url, data)


REFUSED = [
    (
        "99,999,999,999 people",
        {"attendees_total": 99_999_999_999},
        "attendees_total",
        ("At most %(max)s people can take part in a “%(kind)s”; please check the number.",),
        {"max": 200, "kind": ActivityKind.GROUP.label},
    ),
    (
        "100,000 minutes",
        {"minutes": 100_000},
        "minutes",
        ("A session lasts at most %(max)s minutes (%(hours)s hours).",),
        {"max": 720, "hours": 12},
    ),
    (
        "0 minutes",
        {"minutes": 0},
        "minutes",
        ("A session lasts at least one minute.",),
        {},
    ),
    (
        "1901-01-01",
        {"date": "1901-01-01"},
        "date",
        ("The date is before the program started (%(start)s).",),
        {"start": dt.date(2024, 1, 1)},
    ),
    (
        "0 people",
        {"attendees_total": 0, "attendees_women": 0, "attendees_men": 0, "attendees_children": 0},
        "attendees_total",
        ("A session needs at least one person. How many took part?",),
        {},
    ),
    (
        "next year",
        {"date": (TODAY + dt.timedelta(days=365)).isoformat()},
        "date",
        ("The date cannot be in the future.",),
        {},
    ),
]


def _expected(language, message, params) -> str:
    with translation.override(language):
        values = {
            name: formats.date_format(value, "SHORT_DATE_FORMAT")
            if isinstance(value, dt.date)
            else str(value)
            for name, value in params.items()
        }
        return gettext(message) % values if values else gettext(message)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("changes", "field", "message", "params"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_the_log_form_refuses_impossible_values_at_their_field(
    login, program, alice, flat, language, changes, field, message, params
):
    url = reverse("activity_log", args=[program.slug])
    response = post_in(login(alice), language, url, session(flat, **changes))

    assert response.status_code == 200
    assert not Activity.objects.exists()
    expected = _expected(language, message[0], params)
    if language != "en":
        assert expected != _expected("en", message[0], params), "translated"
    assert expected in response.context["form"].errors[field]
    assert "activity_minutes_positive" not in response.text
    assert not response.context["form"].warnings, "nothing to confirm while it is impossible"
    assert "Typed at the shelter, not to be lost." in response.text


ASKED = [
    (
        "34 people at a site with 7 places",
        {"attendees_total": 34},
        "attendees_total",
        "%(people)s people at a site with %(places)s places: is that right?",
        {"people": 34, "places": 7},
    ),
    (
        "a session over 4 hours",
        {"minutes": 300},
        "minutes",
        "%(minutes)s minutes is more than %(hours)s hours: is that right?",
        {"minutes": 300, "hours": 4},
    ),
    (
        "a date more than 6 months ago",
        {"date": months_later(TODAY, -8).isoformat()},
        "date",
        "The date is more than %(months)s months ago: is that right?",
        {"months": 6},
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("changes", "field", "message", "params"),
    [case[1:] for case in ASKED],
    ids=[case[0] for case in ASKED],
)
def test_the_log_form_asks_about_unusual_values_and_saves_them_once_confirmed(
    login, program, alice, flat, language, changes, field, message, params
):
    url = reverse("activity_log", args=[program.slug])
    client = login(alice)
    data = session(flat, **changes)
    asked = post_in(client, language, url, data)

    assert asked.status_code == 200
    assert not Activity.objects.exists()
    form = asked.context["form"]
    expected = in_language(language, message, **params)
    if language != "en":
        assert expected != in_language("en", message, **params), "translated"
    assert form.errors[field] == [expected]
    assert expected in form.warnings
    assert in_language(language, "Yes, this is right: save it") in asked.text
    assert f'name="confirm" value="{form.warning_key}"' in asked.text
    assert "Typed at the shelter, not to be lost." in asked.text

    saved = post_in(client, language, url, {**data, "confirm": form.warning_key})

    assert saved.status_code == 302
    assert Activity.objects.count() == 1


def test_a_confirmation_holds_only_for_the_warnings_it_was_given_for(login, program, alice, flat):
    url = reverse("activity_log", args=[program.slug])
    client = login(alice)
    asked = client.post(url, session(flat, minutes=300)).context["form"]

    # The user changed the duration after confirming: asked again about the new value.
    again = client.post(url, session(flat, minutes=400, confirm=asked.warning_key))

    assert again.status_code == 200
    assert "400 minutes is more than 4 hours: is that right?" in again.context["form"].warnings
    assert not Activity.objects.exists()


def test_a_confirmation_fingerprint_is_the_same_in_every_server_process():
    def findings():
        found = Findings()
        label = gettext_lazy("Group session")  # a new lazy object, as in another process
        found.warn("minutes", "x %(kind)s", code="long_session", about={}, kind=label)
        return found

    assert findings().warning_key == findings().warning_key


def test_changing_a_confirmed_session_does_not_ask_again_about_what_did_not_change(
    program, alice, flat
):
    activity, _created = services.activity_log(
        program=program,
        user=alice,
        volunteer=None,
        idempotency_key=None,
        kind=ActivityKind.GROUP,
        date=RECENTLY,
        site=flat,
        minutes=300,
        attendance=services.Attendance(total=5, women=2, men=2, children=1),
        confirmed=True,
    )
    services.activity_update(
        activity=activity,
        volunteer=None,
        any_time=True,
        kind=ActivityKind.GROUP,
        date=RECENTLY,
        site=flat,
        minutes=300,
        attendance=services.Attendance(total=6, women=2, men=2, children=1),
    )
    activity.refresh_from_db()
    assert activity.attendees_total == 6


def test_the_service_refuses_an_unconfirmed_warning_with_its_field(program, alice, flat):
    with pytest.raises(NeedsConfirmation) as asked:
        services.activity_log(
            program=program,
            user=alice,
            volunteer=None,
            idempotency_key=None,
            kind=ActivityKind.GROUP,
            date=RECENTLY,
            site=flat,
            minutes=90,
            attendance=services.Attendance(total=34, women=0, men=0, children=0),
        )
    assert asked.value.message_dict == {
        "attendees_total": ["34 people at a site with 7 places: is that right?"]
    }
    assert not Activity.objects.exists()


# ---- referrals: an appointment before its referral -------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_appointment_before_its_referral_was_sent_is_refused_at_its_field(
    login, program, alice, language
):
    referral = ReferralFactory(
        program=program,
        status=Referral.Status.ACCEPTED,
        referred_on=dt.date(2024, 3, 1),
        sent_on=dt.date(2024, 3, 1),
        consent_to_share=True,
        consent_on=dt.date(2024, 3, 1),
    )
    url = reverse("referral_detail", args=[program.slug, referral.pk])
    data = {
        "to_status": "appointment",
        "appointment-version": referral.version,
        "appointment-to_status": "appointment",
        "appointment-appointment_on": "2024-02-29",
    }
    response = post_in(login(alice), language, url, data)

    form = next(f for f in response.context["step_forms"] if f.step == "appointment")
    expected = _expected(
        language,
        "The appointment cannot be before the referral (%(date)s).",
        {"date": dt.date(2024, 3, 1)},
    )
    assert form.errors["appointment_on"] == [expected]
    referral.refresh_from_db()
    assert (referral.status, referral.appointment_on) == (Referral.Status.ACCEPTED, None)


# ---- the importer: a session dated next year, in the coordinator's language ------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_importer_refuses_a_session_dated_next_year_as_the_form_does(
    program, tmp_path, language
):
    next_year = (TODAY + dt.timedelta(days=365)).isoformat()
    row = {"ref": "A1", "date": next_year, "kind": "group", "attendees_total": 5}
    path = write_xlsx(tmp_path / "next.xlsx", {"activities": [list(row), list(row.values())]})

    with translation.override(language):
        result = run_import(program, path, dry_run=True)
        problems = [(p.column, p.message) for p in result.problems]

    assert problems == [("date", in_language(language, "The date cannot be in the future."))]


# ---- the same row through the form, the service and the importer ----------------------------


@dataclass
class World:
    program: object
    client: object
    alice: object
    flat: object
    participant: object
    provider: object
    tmp_path: object
    files: list = field(default_factory=list)


ACTIVITY_COLUMNS = {"duration_minutes": "minutes", "date": "date"}
REFERRAL_COLUMNS = {"date": "referred_on"}


def _answer_of_form(response, form_name="form", pick=None):
    if response.status_code == 302:
        return ("ok", frozenset())
    form = pick(response.context) if pick else response.context[form_name]
    warnings = set(getattr(form, "warnings", ()))
    errors = {name for name, messages in form.errors.items() if set(messages) - warnings}
    if errors:
        return ("error", frozenset(errors))
    return ("warning", frozenset(form.errors))


def _answer_of_service(call):
    try:
        with transaction.atomic():
            call()
    except NeedsConfirmation as error:
        return ("warning", frozenset(error.message_dict))
    except ValidationError as error:
        return ("error", frozenset(error.message_dict))
    return ("ok", frozenset())


def _answer_of_import(world, sheet, row, columns):
    path = write_xlsx(
        world.tmp_path / f"{uuid.uuid4().hex}.xlsx", {sheet: [list(row), list(row.values())]}
    )
    result = run_import(world.program, path, dry_run=True)
    if result.problems:
        return ("error", frozenset(columns.get(p.column, p.column) for p in result.problems))
    if result.warnings:
        return ("warning", frozenset(columns.get(w.column, w.column) for w in result.warnings))
    return ("ok", frozenset())


def activity_by_form(world, values):
    url = reverse("activity_log", args=[world.program.slug])
    data = session(world.flat, **values)
    return _answer_of_form(world.client.post(url, data))


def activity_by_service(world, values):
    data = session(world.flat, **values)
    return _answer_of_service(
        lambda: services.activity_log(
            program=world.program,
            user=world.alice,
            volunteer=None,
            idempotency_key=None,
            kind=data["kind"],
            date=dt.date.fromisoformat(data["date"]),
            site=world.flat,
            minutes=data["minutes"],
            attendance=services.Attendance(
                total=data["attendees_total"],
                women=data["attendees_women"],
                men=data["attendees_men"],
                children=data["attendees_children"],
            ),
        )
    )


def activity_by_import(world, values):
    data = session(world.flat, **values)
    row = {
        "ref": f"A-{uuid.uuid4().hex[:8]}",
        "date": data["date"],
        "kind": data["kind"],
        "site": world.flat.name,
        "duration_minutes": data["minutes"],
        "attendees_total": data["attendees_total"],
        "attendees_women": data["attendees_women"],
        "attendees_men": data["attendees_men"],
        "attendees_children": data["attendees_children"],
    }
    assert set(row) <= set(HEADERS["activities"])
    return _answer_of_import(world, "activities", row, ACTIVITY_COLUMNS)


def referral_by_form(world, values):
    url = reverse("referral_create", args=[world.program.slug])
    data = {
        "participant": world.participant.pk,
        "provider": world.provider.pk,
        "urgency": "routine",
        "referred_on": values["referred_on"].isoformat(),
    }
    return _answer_of_form(world.client.post(url, data))


def referral_by_service(world, values):
    return _answer_of_service(
        lambda: referral_services.referral_create(
            program=world.program,
            participant=world.participant,
            provider=world.provider,
            by=world.alice,
            referred_on=values["referred_on"],
        )
    )


def referral_by_import(world, values):
    row = {
        "ref": f"R-{uuid.uuid4().hex[:8]}",
        "date": values["referred_on"].isoformat(),
        "participant": world.participant.code,
        "provider": world.provider.name,
        "category": world.provider.category,
        "status": "proposed",
    }
    return _answer_of_import(world, "referrals", row, REFERRAL_COLUMNS)


def _accepted_referral(world, referred_on):
    return ReferralFactory(
        program=world.program,
        participant=world.participant,
        provider=world.provider,
        status=Referral.Status.ACCEPTED,
        referred_on=referred_on,
        sent_on=referred_on,
        consent_to_share=True,
        consent_on=referred_on,
    )


def appointment_by_form(world, values):
    referral = _accepted_referral(world, values["referred_on"])
    url = reverse("referral_detail", args=[world.program.slug, referral.pk])
    data = {
        "to_status": "appointment",
        "appointment-version": referral.version,
        "appointment-to_status": "appointment",
        "appointment-appointment_on": values["appointment_on"].isoformat(),
    }
    return _answer_of_form(
        world.client.post(url, data),
        pick=lambda context: next(f for f in context["step_forms"] if f.step == "appointment"),
    )


def appointment_by_service(world, values):
    referral = _accepted_referral(world, values["referred_on"])
    return _answer_of_service(
        lambda: referral_services.referral_transition(
            referral=referral,
            to_status=Referral.Status.APPOINTMENT,
            by=world.alice,
            appointment_on=values["appointment_on"],
            expected_version=referral.version,
        )
    )


def appointment_by_import(world, values):
    row = {
        "ref": f"R-{uuid.uuid4().hex[:8]}",
        "date": values["referred_on"].isoformat(),
        "participant": world.participant.code,
        "provider": world.provider.name,
        "category": world.provider.category,
        "status": "appointment",
        "appointment_on": values["appointment_on"].isoformat(),
        "consent_on": values["referred_on"].isoformat(),
    }
    return _answer_of_import(world, "referrals", row, REFERRAL_COLUMNS)


def sending_by_form(world, values):
    url = reverse("referral_create", args=[world.program.slug])
    data = {
        "participant": world.participant.pk,
        "provider": world.provider.pk,
        "urgency": "routine",
        "referred_on": values["referred_on"].isoformat(),
        "action": "send",
    }
    if values.get("consent_on"):
        data.update(consent_to_share="on", consent_on=values["consent_on"].isoformat())
    return _answer_of_form(world.client.post(url, data))


def sending_by_service(world, values):
    return _answer_of_service(
        lambda: referral_services.referral_create(
            program=world.program,
            participant=world.participant,
            provider=world.provider,
            by=world.alice,
            referred_on=values["referred_on"],
            consent_on=values.get("consent_on"),
            send=True,
        )
    )


def sending_by_import(world, values):
    consent_on = values.get("consent_on")
    row = {
        "ref": f"R-{uuid.uuid4().hex[:8]}",
        "date": values["referred_on"].isoformat(),
        "participant": world.participant.code,
        "provider": world.provider.name,
        "category": world.provider.category,
        "status": "sent",
        "consent_on": consent_on.isoformat() if consent_on else "",
    }
    return _answer_of_import(world, "referrals", row, REFERRAL_COLUMNS)


DOORS = {
    "sending": (sending_by_form, sending_by_service, sending_by_import),
    "activity": (activity_by_form, activity_by_service, activity_by_import),
    "referral": (referral_by_form, referral_by_service, referral_by_import),
    "appointment": (appointment_by_form, appointment_by_service, appointment_by_import),
}
OK = ("ok", frozenset())


def error(*fields):
    return ("error", frozenset(fields))


def warning(*fields):
    return ("warning", frozenset(fields))


SAME_ROWS = [
    ("a plausible session", "activity", {}, OK),
    (
        "99,999,999,999 people",
        "activity",
        {"attendees_total": 99_999_999_999},
        error("attendees_total"),
    ),
    ("100,000 minutes", "activity", {"minutes": 100_000}, error("minutes")),
    ("0 minutes", "activity", {"minutes": 0}, error("minutes")),
    ("1901-01-01", "activity", {"date": "1901-01-01"}, error("date")),
    (
        "dated next year",
        "activity",
        {"date": (TODAY + dt.timedelta(days=365)).isoformat()},
        error("date"),
    ),
    (
        "a group of 0 people",
        "activity",
        {"attendees_total": 0, "attendees_women": 0, "attendees_men": 0, "attendees_children": 0},
        error("attendees_total"),
    ),
    (
        "more women and men than people",
        "activity",
        {"attendees_women": 3, "attendees_men": 3},
        error("attendees_women"),
    ),
    (
        "more children than people",
        "activity",
        {"attendees_children": 6},
        error("attendees_children"),
    ),
    (
        "34 people at a site with 7 places",
        "activity",
        {"attendees_total": 34},
        warning("attendees_total"),
    ),
    ("a session over 4 hours", "activity", {"minutes": 300}, warning("minutes")),
    (
        "a date 8 months ago",
        "activity",
        {"date": months_later(TODAY, -8).isoformat()},
        warning("date"),
    ),
    ("a plausible referral", "referral", {"referred_on": RECENTLY}, OK),
    (
        "a referral dated next year",
        "referral",
        {"referred_on": TODAY + dt.timedelta(days=365)},
        error("referred_on"),
    ),
    (
        "a referral dated 1901",
        "referral",
        {"referred_on": dt.date(1901, 1, 1)},
        error("referred_on"),
    ),
    (
        "a referral sent with the participant's consent",
        "sending",
        {"referred_on": RECENTLY, "consent_on": RECENTLY},
        OK,
    ),
    (
        "a referral sent without the participant's consent",
        "sending",
        {"referred_on": RECENTLY},
        error("consent_on"),
    ),
    (
        "an appointment after the referral",
        "appointment",
        {"referred_on": RECENTLY, "appointment_on": TODAY + dt.timedelta(days=10)},
        OK,
    ),
    (
        "an appointment the day before the referral",
        "appointment",
        {"referred_on": RECENTLY, "appointment_on": RECENTLY - dt.timedelta(days=1)},
        error("appointment_on"),
    ),
    (
        "an appointment three years ahead",
        "appointment",
        {"referred_on": RECENTLY, "appointment_on": TODAY + dt.timedelta(days=3 * 365)},
        error("appointment_on"),
    ),
]


@pytest.fixture
def world(login, program, alice, flat, tmp_path):
    VolunteerFactory(program=program)
    return World(
        program=program,
        client=login(alice),
        alice=alice,
        flat=flat,
        participant=ParticipantFactory(program=program, code="P-RULE1"),
        provider=ServiceProviderFactory(program=program, name="PSZ Düren"),
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize(
    ("record", "values", "expected"),
    [case[1:] for case in SAME_ROWS],
    ids=[case[0] for case in SAME_ROWS],
)
def test_the_form_the_service_and_the_importer_give_the_same_answer(
    world, record, values, expected
):
    by_form, by_service, by_import = DOORS[record]
    answers = {
        "form": by_form(world, values),
        "service": by_service(world, values),
        "importer": by_import(world, values),
    }
    assert answers == dict.fromkeys(answers, expected)
