"""Log a session: one short form; a second submit never makes a second activity."""

import datetime as dt
import uuid

import lxml.html
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programs.models import ActivityKind, Language, Participant
from sessions_log import services
from sessions_log.models import Activity, Concern, Topic

from ..factories import ActivityFactory, ParticipantFactory, SiteFactory, VolunteerFactory
from .utils import one_to_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("activity_log", args=[program.slug])


def recently() -> dt.date:
    """A date a few days back: sessions logged months later are asked about."""
    return timezone.localdate() - dt.timedelta(days=2)


def group_session(shelter, key=None, **changes):
    data = {
        "idempotency_key": str(key or uuid.uuid4()),
        "kind": ActivityKind.GROUP,
        "date": recently().isoformat(),
        "site": shelter.pk,
        "attendees_total": 12,
        "attendees_women": 5,
        "attendees_men": 4,
        "attendees_children": 3,
        "languages": ["ar", "fa"],
        "topics": [Topic.objects.get(key="sleep").pk],
        "minutes": 90,
        "notes": "Good energy, many questions about sleep.",
    }
    data.update(changes)
    return data


def test_it_offers_the_volunteers_usual_sites_and_languages_first(
    login, program, volunteer, shelter, other_site, url
):
    form = login(volunteer.user).get(url).context["form"]
    site_groups = form.fields["site"].choices
    assert site_groups[1][0] == "Your usual sites"
    assert [label for _pk, label in site_groups[1][1]] == ["Shelter Nord"]
    language_groups = form.fields["languages"].choices
    assert language_groups[0][0] == "Your languages"
    assert [code for code, _label in language_groups[0][1]] == ["ar"]
    assert form.initial["idempotency_key"]


def test_it_offers_only_the_kinds_the_program_uses(login, program, volunteer, url):
    form = login(volunteer.user).get(url).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["group", "one_to_one"]


def test_it_offers_catalogue_topics_and_the_programs_own_but_no_one_elses(
    login, program, other_program, volunteer, url
):
    Topic.objects.create(program=program, name="Shelter rules")
    Topic.objects.create(program=other_program, name="Danish classes")
    Topic.objects.create(program=program, name="Retired topic", active=False)
    labels = [
        label
        for _pk, label in login(volunteer.user).get(url).context["form"].fields["topics"].choices
    ]
    assert "Shelter rules" in labels
    assert "Sleep" in labels
    assert "Danish classes" not in labels
    assert "Retired topic" not in labels


def test_a_volunteer_logs_a_group_session(login, program, volunteer, shelter, url):
    response = login(volunteer.user).post(url, group_session(shelter), follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_sessions", args=[program.slug])
    assert "Your session was saved" in response.text
    activity = Activity.objects.get()
    assert activity.program == program
    assert list(activity.facilitators.all()) == [volunteer]
    assert activity.logged_by == volunteer.user
    assert (activity.attendees_total, activity.attendees_women, activity.attendees_men) == (
        12,
        5,
        4,
    )
    assert sorted(activity.languages.values_list("code", flat=True)) == ["ar", "fa"]


def test_the_logging_volunteer_is_always_a_facilitator(
    login, program, volunteer, dan_volunteer, shelter, url
):
    login(volunteer.user).post(url, group_session(shelter, facilitators=[dan_volunteer.pk]))
    assert set(Activity.objects.get().facilitators.all()) == {volunteer, dan_volunteer}


def test_a_one_to_one_counts_its_participants(login, program, volunteer, shelter, url):
    met = ParticipantFactory(program=program, gender=Participant.Gender.MALE, year_of_birth=2012)
    earlier = one_to_one(program, volunteer, met)
    data = group_session(
        shelter, kind=ActivityKind.ONE_TO_ONE, participants=[met.pk], attendees_total=""
    )
    login(volunteer.user).post(url, data)
    activity = Activity.objects.exclude(pk=earlier.pk).get()
    assert list(activity.participants.all()) == [met]
    assert (activity.attendees_total, activity.attendees_men, activity.attendees_children) == (
        1,
        1,
        1,
    )


def test_the_same_key_twice_makes_one_activity_and_one_concern(
    login, program, volunteer, shelter, url
):
    data = group_session(
        shelter,
        worried="on",
        concern_category=Concern.Category.SELF_HARM,
        concern_severity=Concern.Severity.MEDIUM,
        concern_description="A resident spoke about ending it.",
    )
    client = login(volunteer.user)
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert Activity.objects.count() == 1
    assert Concern.objects.count() == 1
    activity = Activity.objects.get()
    assert first.url == reverse("my_sessions", args=[program.slug])
    assert second.redirect_chain[-1][0] == reverse(
        "activity_edit", args=[program.slug, activity.pk]
    )
    assert "This session was already saved." in second.text


def test_a_resubmit_with_changed_input_still_lands_on_the_first(
    login, program, volunteer, shelter, url
):
    key = uuid.uuid4()
    client = login(volunteer.user)
    client.post(url, group_session(shelter, key=key))
    response = client.post(url, group_session(shelter, key=key, date="2999-01-01"), follow=True)
    assert Activity.objects.count() == 1
    assert "This session was already saved." in response.text


def test_a_concurrent_double_submit_is_settled_by_the_database(program, volunteer, shelter):
    key = uuid.uuid4()
    first = ActivityFactory(program=program, idempotency_key=key)
    # The second request's view looked before the first committed and found nothing: the
    # service inserts, the database's unique constraint refuses, and the first is returned.
    activity, created = services.activity_log(
        program=program,
        user=volunteer.user,
        volunteer=volunteer,
        idempotency_key=key,
        kind=ActivityKind.GROUP,
        date=recently(),
        site=shelter,
        attendance=services.Attendance(total=3, women=1, men=1, children=0),
        concern=services.ConcernData(
            category=Concern.Category.OTHER, severity="high", description="x"
        ),
    )
    assert (activity, created) == (first, False)
    assert Activity.objects.count() == 1
    assert Concern.objects.count() == 0
    assert mail.outbox == []


def test_the_same_key_in_another_program_is_a_different_session(
    program, other_program, volunteer, shelter
):
    key = uuid.uuid4()
    ActivityFactory(program=other_program, idempotency_key=key)
    _activity, created = services.activity_log(
        program=program,
        user=volunteer.user,
        volunteer=volunteer,
        idempotency_key=key,
        kind=ActivityKind.GROUP,
        date=recently(),
        site=shelter,
        attendance=services.Attendance(total=3, women=1, men=1, children=0),
    )
    assert created


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"attendees_women": 8, "attendees_men": 5},
            "attendees_women",
            "Women and men together cannot be more than the 12 attending.",
        ),
        ({"attendees_children": 13}, "attendees_children", "Children cannot be more than the 12"),
        ({"date": "2999-01-01"}, "date", "The date cannot be in the future."),
        ({"attendees_total": ""}, "attendees_total", "How many people took part?"),
        ({"kind": ActivityKind.VISIT}, "kind", "This program does not log this kind of activity."),
        (
            {"kind": ActivityKind.ONE_TO_ONE, "participants": []},
            "participants",
            "Choose who took part, or add a new participant.",
        ),
        (
            {"worried": "on", "concern_description": ""},
            "concern_description",
            "Please describe what happened.",
        ),
    ],
)
def test_invalid_input_is_refused_next_to_the_field_and_nothing_typed_is_lost(
    login, program, volunteer, shelter, url, changes, field, message
):
    data = group_session(shelter, **changes)
    response = login(volunteer.user).post(url, data)
    assert response.status_code == 200
    assert Activity.objects.count() == 0
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    # The message is rendered next to its field, and what was typed is still there.
    assert f'id="error_1_id_{field}"' in response.text or message in response.text
    assert 'value="Good energy' not in response.text  # notes are a textarea:
    assert "Good energy, many questions about sleep." in response.text
    assert f'value="{data["idempotency_key"]}"' in response.text
    assert 'value="90"' in response.text
    assert 'value="ar" selected' in response.text


@pytest.mark.parametrize(
    ("changes", "field", "message", "kept"),
    [
        (
            {"attendees_children": 13},
            "attendees_children",
            "Children cannot be more than the 12",
            'value="13"',
        ),
        (
            {"kind": ActivityKind.VISIT},
            "kind",
            "This program does not log this kind of activity.",
            "",
        ),
        (
            {"worried": "on", "concern_severity": "high", "concern_description": ""},
            "concern_description",
            "Please describe what happened.",
            'value="high" id="id_concern_severity_2" checked',
        ),
    ],
)
def test_an_error_is_shown_in_its_fields_box_and_read_out_with_the_field(
    login, program, volunteer, shelter, url, changes, field, message, kept
):
    response = login(volunteer.user).post(url, group_session(shelter, **changes))
    page = lxml.html.fromstring(response.content)
    box = page.get_element_by_id(f"div_id_{field}")
    assert message in page.get_element_by_id(f"id_{field}_error").text_content()
    assert box.xpath(f".//*[@id='id_{field}_error']")  # under the field, not elsewhere
    controls = box.xpath(f".//*[@name='{field}']")
    assert controls and all(c.get("aria-invalid") == "true" for c in controls)
    # A screen reader reads the message with the field (or with its group of options).
    described = box.xpath(f".//*[contains(@aria-describedby, 'id_{field}_error')]")
    assert described
    assert kept in response.text


def test_an_invalid_quick_add_is_shown_at_the_participants_fields_and_stays_open(
    login, program, volunteer, shelter, url
):
    data = group_session(shelter, _action="add_participant", **{"qc-year_of_birth": "1800"})
    response = login(volunteer.user).post(url, data)
    assert Participant.objects.count() == 0
    page = lxml.html.fromstring(response.content)
    details = page.get_element_by_id("quick-create").getparent()
    assert details.tag == "details" and details.get("open") is not None
    box = page.get_element_by_id("div_id_qc-year_of_birth")
    assert box.xpath(".//input[@name='qc-year_of_birth' and @value='1800']")
    assert "1900" in box.get_element_by_id("id_qc-year_of_birth_error").text_content()
    consent = page.get_element_by_id("div_id_qc-consent_scope")
    assert "Choose what the participant agreed to." in consent.text_content()
    # What was typed into the session itself is kept.
    assert 'value="90"' in response.text
    assert "Good energy, many questions about sleep." in response.text


def test_a_volunteer_without_a_profile_is_told_what_to_do(login, program, bob, url):
    response = login(bob).get(url)
    assert response.status_code == 200
    assert "not yet linked to a volunteer profile" in response.text
    assert "form" not in response.context


def test_a_coordinator_logs_a_session_and_chooses_the_facilitators(
    login, program, alice, volunteer, dan_volunteer, shelter, url
):
    login(alice).post(url, group_session(shelter, facilitators=[dan_volunteer.pk]))
    activity = Activity.objects.get()
    assert list(activity.facilitators.all()) == [dan_volunteer]
    assert activity.logged_by == alice


def test_a_volunteer_cannot_pick_someone_elses_participant(
    login, program, volunteer, dan_volunteer, shelter, url
):
    theirs = ParticipantFactory(program=program)
    one_to_one(program, dan_volunteer, theirs)
    client = login(volunteer.user)
    assert theirs.code not in client.get(url).text
    data = group_session(shelter, kind=ActivityKind.ONE_TO_ONE, participants=[theirs.pk])
    response = client.post(url, data)
    assert "participants" in response.context["form"].errors
    assert Activity.objects.count() == 1


def quick_create_fields(**changes):
    fields = {
        "qc-year_of_birth": 1987,
        "qc-gender": Participant.Gender.FEMALE,
        "qc-languages": ["ar"],
        "qc-consent_scope": Participant.ConsentScope.SUPPORT,
        "qc-consent_on": "2024-05-02",
    }
    fields.update(changes)
    return fields


def test_quick_create_through_htmx_ticks_the_new_participant_and_keeps_the_others(
    login, program, volunteer, shelter
):
    met = ParticipantFactory(program=program)
    one_to_one(program, volunteer, met)
    data = {
        **group_session(shelter, kind=ActivityKind.ONE_TO_ONE, participants=[met.pk]),
        **quick_create_fields(),
    }
    response = login(volunteer.user).post(
        reverse("participant_quick_create", args=[program.slug]), data, HTTP_HX_REQUEST="true"
    )
    new = Participant.objects.exclude(pk=met.pk).get()
    assert (new.year_of_birth, new.gender, new.site) == (1987, "female", shelter)
    assert list(new.languages.values_list("code", flat=True)) == ["ar"]
    assert response.text.lstrip().startswith('<div id="participants-block"')
    assert f'value="{new.pk}"  id="id_participants_1" checked' in response.text or (
        f'value="{new.pk}"' in response.text and response.text.count("checked") == 2
    )
    assert f"{new.code} was added" in response.text


def test_the_new_participant_can_be_logged_right_away(login, program, volunteer, shelter, url):
    client = login(volunteer.user)
    client.post(
        reverse("participant_quick_create", args=[program.slug]),
        {**group_session(shelter, kind=ActivityKind.ONE_TO_ONE), **quick_create_fields()},
        HTTP_HX_REQUEST="true",
    )
    new = Participant.objects.get()
    client.post(url, group_session(shelter, kind=ActivityKind.ONE_TO_ONE, participants=[new.pk]))
    assert list(Activity.objects.get().participants.all()) == [new]


def test_without_javascript_adding_a_participant_keeps_everything_typed(
    login, program, volunteer, shelter, url
):
    data = {
        **group_session(shelter, kind=ActivityKind.ONE_TO_ONE, minutes=45),
        **quick_create_fields(),
        "_action": "add_participant",
    }
    response = login(volunteer.user).post(url, data)
    assert response.status_code == 200
    assert Activity.objects.count() == 0
    new = Participant.objects.get()
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["participants"] == [str(new.pk)]
    assert 'value="45"' in response.text
    assert "Good energy, many questions about sleep." in response.text
    assert f'value="{data["idempotency_key"]}"' in response.text


def test_quick_create_needs_consent_and_a_plausible_year(login, program, volunteer, shelter, url):
    data = {
        **group_session(shelter, kind=ActivityKind.ONE_TO_ONE),
        **quick_create_fields(**{"qc-year_of_birth": 1850, "qc-consent_on": ""}),
        "_action": "add_participant",
    }
    response = login(volunteer.user).post(url, data)
    assert Participant.objects.count() == 0
    assert set(response.context["qc_form"].errors) == {"year_of_birth", "consent_on"}
    assert "Good energy, many questions about sleep." in response.text


def test_the_quick_create_page_works_on_its_own(login, program, volunteer, url):
    page = reverse("participant_quick_create", args=[program.slug])
    client = login(volunteer.user)
    assert client.get(page).status_code == 200
    response = client.post(page, quick_create_fields())
    new = Participant.objects.get()
    assert response.url == f"{url}?participant={new.pk}"
    form = client.get(response.url).context["form"]
    assert form.initial["participants"] == [str(new.pk)]


def test_an_offsite_next_is_ignored(login, program, volunteer, url):
    page = reverse("participant_quick_create", args=[program.slug])
    response = login(volunteer.user).post(
        page, {**quick_create_fields(), "next": "https://evil.example/"}
    )
    assert response.url.startswith(url)


def test_a_new_site_or_volunteer_of_another_program_is_never_offered(
    login, program, other_program, volunteer, url
):
    SiteFactory(program=other_program, name="Foreign shelter")
    VolunteerFactory(program=other_program, name="Foreign volunteer")
    text = login(volunteer.user).get(url).text
    assert "Foreign shelter" not in text
    assert "Foreign volunteer" not in text


def test_languages_are_shown_in_the_users_language(login, program, volunteer, url):
    client = login(volunteer.user)
    client.cookies["django_language"] = "de"
    assert "Arabisch" in client.get(url, HTTP_ACCEPT_LANGUAGE="de").text
    assert Language.objects.filter(code="ar").exists()


def test_a_coordinator_adds_a_participant_with_site_country_and_alias(
    login, program, alice, shelter
):
    page = reverse("participant_quick_create", args=[program.slug])
    next_url = reverse("participant_list", args=[program.slug])
    fields = quick_create_fields(
        **{
            "qc-site": shelter.pk,
            "qc-country_of_origin": "AF",
            "qc-alias": "Herr K.",
            "next": next_url,
        }
    )
    response = login(alice).post(page, fields)
    assert response.url == next_url
    new = Participant.objects.get()
    assert (new.site, new.country_of_origin.code, new.alias) == (shelter, "AF", "Herr K.")


def test_a_volunteer_cannot_set_an_alias(login, program, volunteer):
    page = reverse("participant_quick_create", args=[program.slug])
    client = login(volunteer.user)
    assert "qc-alias" not in client.get(page).text
    client.post(page, quick_create_fields(**{"qc-alias": "Herr K."}))
    assert not Participant.objects.get().alias  # empty (stored as NULL: encrypted field)


def test_a_coordinator_picks_from_a_long_participant_list(login, program, alice, shelter, url):
    people = ParticipantFactory.create_batch(45, program=program)
    client = login(alice)
    form_page = client.get(url)
    assert f'<option value="{people[44].pk}">{people[44].code}' in form_page.text
    data = group_session(
        shelter, kind=ActivityKind.ONE_TO_ONE, participants=[people[0].pk, people[44].pk]
    )
    # Two people in a one-to-one talk is unusual: the coordinator confirms it.
    asked = client.post(url, data).context["form"]
    client.post(url, {**data, "confirm": asked.warning_key})
    assert set(Activity.objects.get().participants.all()) == {people[0], people[44]}


def test_after_a_one_to_one_the_volunteer_is_offered_a_referral(login, program, bob):
    volunteer = VolunteerFactory(program=program, user=bob)
    person = ParticipantFactory(program=program)
    earlier = ActivityFactory(
        program=program, kind="one_to_one", attendees_total=1, attendees_women=0, attendees_men=0
    )
    earlier.facilitators.add(volunteer)
    earlier.participants.add(person)
    response = login(bob).post(
        reverse("activity_log", args=[program.slug]),
        {
            "idempotency_key": str(uuid.uuid4()),
            "kind": "one_to_one",
            "date": timezone.localdate().isoformat(),
            "participants": [person.pk],
            "minutes": 45,
        },
        follow=True,
    )
    assert response.redirect_chain, response.context["form"].errors
    logged = response.context["just_logged"]
    assert logged.participants.get() == person
    referral_url = reverse("referral_create", args=[program.slug])
    assert f"{referral_url}?activity={logged.pk}" in response.text
