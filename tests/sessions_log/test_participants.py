"""Participants: pseudonymous; the alias for coordinators only; volunteers see whom they met."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.models import Language, Participant

from ..factories import MatchFactory, ParticipantFactory, ReferralFactory, SiteFactory
from .utils import one_to_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(program):
    return reverse("participant_list", args=[program.slug])


def detail(participant):
    return reverse("participant_detail", args=[participant.program.slug, participant.pk])


def codes(response):
    return [row[0]["text"] for row in response.context["rows"]]


def test_the_list_is_pseudonymous_and_shows_the_alias_only_to_coordinators(
    login, program, alice, sara, url
):
    ParticipantFactory(program=program, code="P-AAAAA", alias="Mariam from room 4")
    coordinator_text = login(alice).get(url).text
    assert "Mariam from room 4" in coordinator_text
    response = login(sara).get(url)
    assert response.status_code == 200
    assert "P-AAAAA" in response.text
    assert "Mariam from room 4" not in response.text
    assert "Alias" not in [str(h["column"].label) for h in response.context["headers"]]


def _consented(**kwargs):
    return ParticipantFactory(
        consent_on="2024-01-10", consent_scope=Participant.ConsentScope.EVALUATION, **kwargs
    )


def test_the_export_has_no_alias_for_supervisors(login, program, sara, url):
    _consented(program=program, code="P-MARIA", alias="Mariam from room 4")
    response = login(sara).get(url, {"export": "csv"})
    text = b"".join(response.streaming_content).decode()
    assert "P-MARIA" in text
    assert "Mariam" not in text


def test_the_export_holds_only_people_whose_consent_covers_it(login, program, alice, url):
    _consented(program=program, code="P-EVAL2")
    ParticipantFactory(
        program=program,
        code="P-SUPP2",
        consent_on="2024-01-10",
        consent_scope=Participant.ConsentScope.SUPPORT,
    )
    ParticipantFactory(program=program, code="P-NONE2")
    client = login(alice)
    assert {"P-EVAL2", "P-SUPP2", "P-NONE2"} <= set(codes(client.get(url)))
    text = b"".join(client.get(url, {"export": "csv"}).streaming_content).decode()
    assert "P-EVAL2" in text
    assert "P-SUPP2" not in text and "P-NONE2" not in text


def test_it_filters_by_site_gender_language_country_and_consent(
    login, program, alice, shelter, url
):
    arabic = ParticipantFactory(
        program=program, code="P-ARABC", site=shelter, country_of_origin="SY"
    )
    arabic.languages.add(Language.objects.get(code="ar"))
    ParticipantFactory(program=program, code="P-MALE2", gender=Participant.Gender.MALE)
    ParticipantFactory(
        program=program, code="P-CONS3", consent_on="2024-01-01", consent_scope="support"
    )
    client = login(alice)
    assert codes(client.get(url, {"site": shelter.pk})) == ["P-ARABC"]
    assert codes(client.get(url, {"gender": "male"})) == ["P-MALE2"]
    assert codes(client.get(url, {"language": "ar"})) == ["P-ARABC"]
    assert codes(client.get(url, {"country": "SY"})) == ["P-ARABC"]
    assert codes(client.get(url, {"consent": "true"})) == ["P-CONS3"]


def test_a_volunteer_has_no_participant_list(login, program, volunteer, url):
    assert login(volunteer.user).get(url).status_code == 403


def test_the_detail_shows_activities_referrals_and_matches(login, program, alice, volunteer):
    person = ParticipantFactory(program=program)
    one_to_one(program, volunteer, person, site=SiteFactory(program=program, name="Haus A"))
    ReferralFactory(program=program, participant=person, provider__name="PSZ Düsseldorf")
    MatchFactory(program=program, participant=person, volunteer=volunteer)
    text = login(alice).get(detail(person)).text
    assert "Haus A" in text
    assert "PSZ Düsseldorf" in text
    assert "Bob Berger" in text


def test_the_detail_pages_a_long_history_newest_first(login, program, alice, volunteer):
    person = ParticipantFactory(program=program)
    for day in range(1, 26):
        one_to_one(
            program,
            volunteer,
            person,
            date=dt.date(2024, 3, day),
            site=SiteFactory(program=program, name=f"Haus {day:02}"),
        )
    client = login(alice)
    first = client.get(detail(person)).text
    assert "Haus 25" in first and "Haus 06" in first and "Haus 05" not in first
    assert "Page 1 of 2" in first and '<span class="badge text-bg-secondary">25</span>' in first
    second = client.get(detail(person), {"page": 2}).text
    assert "Haus 05" in second and "Haus 01" in second and "Haus 06" not in second


def test_a_volunteer_opens_only_people_they_met(login, program, volunteer, dan_volunteer):
    mine, theirs = ParticipantFactory(program=program), ParticipantFactory(program=program)
    one_to_one(program, volunteer, mine)
    one_to_one(program, dan_volunteer, theirs, notes="Dan's notes about this person")
    client = login(volunteer.user)
    assert client.get(detail(mine)).status_code == 200
    assert client.get(detail(theirs)).status_code == 404


def test_a_volunteer_sees_only_their_own_sessions_with_a_shared_participant(
    login, program, volunteer, dan_volunteer
):
    shared = ParticipantFactory(program=program)
    one_to_one(program, volunteer, shared, site=SiteFactory(program=program, name="Haus Mine"))
    one_to_one(
        program,
        dan_volunteer,
        shared,
        site=SiteFactory(program=program, name="Haus Theirs"),
        notes="Dan's notes about this person",
    )
    text = login(volunteer.user).get(detail(shared)).text
    assert "Haus Mine" in text
    assert "Haus Theirs" not in text
    assert "Dan's notes" not in text


def test_a_matched_volunteer_opens_their_match_participant(login, program, volunteer):
    person = ParticipantFactory(program=program)
    MatchFactory(program=program, volunteer=volunteer, participant=person)
    assert login(volunteer.user).get(detail(person)).status_code == 200


def test_a_funder_may_not_open_a_participant(login, program):
    from programs.models import Membership

    from ..factories import MembershipFactory, UserFactory

    funder = UserFactory()
    MembershipFactory(user=funder, program=program, role=Membership.Role.FUNDER)
    person = ParticipantFactory(program=program)
    assert login(funder).get(detail(person)).status_code == 403


def test_a_participant_of_another_program_is_not_found(login, other_program, alice):
    foreign = ParticipantFactory(program=other_program)
    url = reverse("participant_detail", args=["in2balance", foreign.pk])
    assert login(alice).get(url).status_code == 404


def test_query_count_does_not_grow_with_rows(login, program, alice, url):
    client = login(alice)
    arabic = Language.objects.get(code="ar")

    def queries_for(n):
        for _ in range(n):
            p = ParticipantFactory(program=program, site=SiteFactory(program=program))
            p.languages.add(arabic)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    assert queries_for(10) == queries_for(90)


def test_the_list_shows_the_age_bands_of_the_funder_reports(login, program, alice, url, today):
    for code, age in (("P-AGE17", 17), ("P-AGE18", 18), ("P-AGE26", 26), ("P-AGE27", 27)):
        ParticipantFactory(program=program, code=code, year_of_birth=today.year - age)
    ParticipantFactory(program=program, code="P-AGE49", year_of_birth=today.year - 49)
    ParticipantFactory(program=program, code="P-AGE50", year_of_birth=today.year - 50)
    ParticipantFactory(program=program, code="P-NOYOB", year_of_birth=None)
    response = login(alice).get(url)
    column = [str(h["column"].label) for h in response.context["headers"]].index("Age band")
    bands = {row[0]["text"]: row[column]["text"] for row in response.context["rows"]}
    assert bands == {
        "P-AGE17": "0–17",
        "P-AGE18": "18–26",
        "P-AGE26": "18–26",
        "P-AGE27": "27–49",
        "P-AGE49": "27–49",
        "P-AGE50": "50+",
        "P-NOYOB": "—",
    }


# ---- consent is never filled in by default -----------------------------------------------

CHOOSE_CONSENT = {
    "en": "Choose what the participant agreed to.",
    "de": "Bitte wählen Sie, wozu die teilnehmende Person eingewilligt hat.",
    "da": "Vælg, hvad deltageren har givet samtykke til.",
}


def as_a_browser_sends_it(form) -> dict:
    """The form's fields as shown, sent unchanged: what pressing "Add" on an untouched form
    posts."""
    data = {}
    for field in form:
        value = field.value()
        if value in (None, "", []):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[field.html_name] = value
    return data


def in_language(client, language):
    client.cookies["django_language"] = language
    return {"HTTP_ACCEPT_LANGUAGE": language}


@pytest.fixture
def new_participant_page(program):
    return reverse("participant_quick_create", args=[program.slug])


def test_the_new_participant_form_preselects_no_consent_and_no_date(
    login, program, volunteer, new_participant_page
):
    response = login(volunteer.user).get(new_participant_page, HTTP_ACCEPT_LANGUAGE="en")
    form = response.context["qc_form"]
    assert form["consent_scope"].value() in (None, "")
    assert form["consent_on"].value() is None
    text = response.text
    assert '<option value="" selected>— choose —</option>' in text
    date_input = text.split('name="qc-consent_on"', 1)[1].split(">", 1)[0]
    assert "value=" not in date_input


@pytest.mark.parametrize("language", ["en", "de", "da"])
def test_an_untouched_new_participant_form_records_no_one(
    login, client, program, volunteer, new_participant_page, language
):
    login(volunteer.user)
    headers = in_language(client, language)
    shown = client.get(new_participant_page, **headers).context["qc_form"]
    response = client.post(new_participant_page, as_a_browser_sends_it(shown), **headers)
    assert response.status_code == 200
    assert not Participant.objects.exists()
    form = response.context["qc_form"]
    assert form.errors["consent_scope"] == [CHOOSE_CONSENT[language]]
    assert CHOOSE_CONSENT[language] in response.text


@pytest.mark.parametrize("language", ["en", "de", "da"])
def test_the_quick_add_in_the_log_form_records_no_one_without_a_consent_choice(
    login, client, program, volunteer, shelter, language
):
    login(volunteer.user)
    headers = in_language(client, language)
    log_url = reverse("activity_log", args=[program.slug])
    quick = client.get(log_url, **headers).context["qc_form"]
    assert quick["consent_scope"].value() in (None, "")
    assert quick["consent_on"].value() is None
    data = {
        "kind": "one_to_one",
        "date": "2024-05-02",
        "site": shelter.pk,
        "notes": "She asked about the language course.",
        **as_a_browser_sends_it(quick),
        "qc-year_of_birth": "1990",
    }
    response = client.post(log_url, {**data, "_action": "add_participant"}, **headers)
    assert not Participant.objects.exists()
    assert response.context["qc_form"].errors["consent_scope"] == [CHOOSE_CONSENT[language]]
    assert CHOOSE_CONSENT[language] in response.text
    assert "She asked about the language course." in response.text
    # The same through htmx, as the button does with JavaScript.
    response = client.post(
        reverse("participant_quick_create", args=[program.slug]),
        data,
        HTTP_HX_REQUEST="true",
        **headers,
    )
    assert not Participant.objects.exists()
    assert CHOOSE_CONSENT[language] in response.text


def test_a_chosen_consent_needs_its_date(login, program, volunteer, new_participant_page):
    response = login(volunteer.user).post(
        new_participant_page,
        {"qc-gender": "female", "qc-consent_scope": "support", "qc-consent_on": ""},
    )
    assert not Participant.objects.exists()
    assert response.context["qc_form"].errors == {
        "consent_on": ["Give the date the participant agreed."]
    }


def test_a_chosen_consent_with_its_date_is_recorded(
    login, program, volunteer, new_participant_page
):
    login(volunteer.user).post(
        new_participant_page,
        {"qc-gender": "female", "qc-consent_scope": "referral", "qc-consent_on": "2024-05-02"},
    )
    person = Participant.objects.get()
    assert (person.consent_scope, person.consent_on) == ("referral", dt.date(2024, 5, 2))


def test_the_quick_add_asks_the_participant_rules_as_the_full_form_does():
    from sessions_log.forms import ParticipantQuickForm

    form = ParticipantQuickForm(
        {"qc-gender": "unknown", "qc-consent_scope": "support", "qc-consent_on": "1901-01-01"}
    )

    assert not form.is_valid()
    assert form.errors["consent_on"] == ["The date lies before 1950; please check the year."]
