"""Importing a program's data: what lands where, re-imports, updates."""

import datetime as dt

import pytest

from programs.models import ActivityKind, Area, Participant
from referrals.models import Referral, ServiceProvider
from sessions_log.models import Activity, Topic
from volunteers.models import Volunteer

from ..factories import (
    ActivityFactory,
    ParticipantFactory,
    ReferralFactory,
    ServiceProviderFactory,
    SiteFactory,
    VolunteerFactory,
)
from .helpers import HEADERS, counts, messages, run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(tmp_path):
    return write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())


def test_it_imports_every_sheet_with_its_references(program, alice, sample):
    result = run_import(program, sample, by=alice)

    assert result.valid, messages(result)
    assert result.written
    assert counts(result) == {
        "sites": (2, 0, 0),
        "volunteers": (2, 0, 0),
        "participants": (2, 0, 0),
        "activities": (2, 0, 0),
        "referrals": (2, 0, 0),
    }
    nord = program.sites.get(name="Übergangsheim Nord")
    assert (nord.kind, nord.city, nord.capacity, nord.area.name) == (
        "transition_home",
        "Düren",
        120,
        "Nord",
    )
    assert program.sites.get(name="Kontaktstelle Mitte").area is None

    amina = program.volunteers.get(code="V-001")
    assert amina.name == "Amina Haddad"
    assert sorted(amina.languages.values_list("code", flat=True)) == ["ar", "de"]
    assert amina.employed_by == program.lead_organisation
    assert amina.joined_on == dt.date(2016, 11, 14)
    jonas = program.volunteers.get(code="V-002")
    assert (jonas.status, jonas.left_on, jonas.employed_by) == ("left", dt.date(2017, 6, 30), None)
    assert jonas.status_changes.get().to_status == "left"

    first = program.participants.get(code="P-AAAA1")
    assert (first.year_of_birth, first.gender, first.country_of_origin.code) == (
        1987,
        "female",
        "AF",
    )
    assert first.site == nord
    assert (first.consent_on, first.consent_scope) == (dt.date(2024, 3, 1), "support")
    assert sorted(first.languages.values_list("code", flat=True)) == ["fa", "prs"]
    second = program.participants.get(code="P-AAAA2")
    assert (second.gender, second.country_of_origin.code, second.consent_scope) == (
        "unknown",
        "SY",
        "",
    )

    group = program.activities.get(ref="A1")
    assert (group.kind, group.date, group.site, group.minutes) == (
        "group",
        dt.date(2024, 3, 5),
        nord,
        90,
    )
    assert (group.attendees_total, group.attendees_women, group.attendees_men) == (12, 7, 4)
    assert group.attendees_children == 3
    assert set(group.facilitators.all()) == {amina, jonas}
    assert group.logged_by == alice
    topics = {t.name: t for t in group.topics.all()}
    assert topics["Sleep"].key == "sleep"  # the catalogue's topic, by its English name
    assert topics["Resilienz"].program == program  # a new topic of the program

    talk = program.activities.get(ref="A2")
    assert list(talk.participants.all()) == [first]
    assert talk.attendees_total == 1  # one-to-one: the participants who were there
    assert [t.key for t in talk.topics.all()] == ["stress_coping"]  # by catalogue key

    referral = program.referrals.get(ref="R1")
    assert referral.provider.name == "PSZ Düsseldorf"
    assert referral.provider.program == program
    assert referral.provider.category == "psychosocial_centre"
    assert (referral.status, referral.appointment_on) == ("appointment", dt.date(2024, 3, 20))
    assert referral.sent_on == referral.referred_on == dt.date(2024, 3, 6)
    assert referral.consent_to_share and referral.consent_on == dt.date(2024, 3, 6)
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.by, event.note) == (
        "",
        "appointment",
        alice,
        "imported",
    )
    inbound = program.referrals.get(ref="R2")
    assert (inbound.direction, inbound.status, inbound.consent_to_share) == (
        "inbound",
        "proposed",
        False,
    )
    assert result.created == {"areas": 1, "topics": 1, "providers": 2}


def test_importing_the_same_file_again_changes_nothing(program, alice, sample):
    run_import(program, sample, by=alice)
    before = list(Activity.objects.values_list("pk", "updated_at"))

    again = run_import(program, sample, by=alice)

    assert again.valid, messages(again)
    assert counts(again) == {
        "sites": (0, 0, 2),
        "volunteers": (0, 0, 2),
        "participants": (0, 0, 2),
        "activities": (0, 0, 2),
        "referrals": (0, 0, 2),
    }
    assert list(Activity.objects.values_list("pk", "updated_at")) == before
    assert Topic.objects.filter(program=program).count() == 1
    assert ServiceProvider.objects.filter(program=program).count() == 2
    assert Area.objects.filter(program=program).count() == 1


def test_a_changed_row_updates_its_record(program, alice, sample, tmp_path):
    run_import(program, sample, by=alice)
    sheets = sample_sheets()
    sheets["activities"][1][10] = 5  # A1: 5 men instead of 4
    sheets["activities"][1][4] = "V-001"  # and only one facilitator
    sheets["volunteers"][1][1] = "Amina Haddad-Kaya"
    sheets["referrals"][1][6] = "attended"

    result = run_import(program, write_xlsx(tmp_path / "changed.xlsx", sheets), by=alice)

    assert result.valid, messages(result)
    assert counts(result)["activities"] == (0, 1, 1)
    assert counts(result)["volunteers"] == (0, 1, 1)
    assert counts(result)["referrals"] == (0, 1, 1)
    group = program.activities.get(ref="A1")
    assert group.attendees_men == 5
    assert [v.code for v in group.facilitators.all()] == ["V-001"]
    assert program.volunteers.get(code="V-001").name == "Amina Haddad-Kaya"
    referral = program.referrals.get(ref="R1")
    assert referral.status == "attended"
    assert referral.version == 2
    assert list(referral.events.values_list("from_status", "to_status")) == [
        ("", "appointment"),
        ("appointment", "attended"),
    ]


def test_records_of_the_program_can_be_referred_to_without_being_in_the_file(
    program, alice, tmp_path
):
    SiteFactory(program=program, name="Shelter Ost")
    VolunteerFactory(program=program, code="V-900")
    ParticipantFactory(program=program, code="P-OLD01")
    path = write_xlsx(
        tmp_path / "activities.xlsx",
        {
            "activities": [
                HEADERS["activities"],
                [
                    "X1",
                    "2024-05-01",
                    "one_to_one",
                    "shelter ost",
                    "v-900",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "P-OLD01",
                ],
            ]
        },
    )

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    activity = program.activities.get(ref="X1")
    assert activity.site.name == "Shelter Ost"  # names and codes match ignoring case
    assert [v.code for v in activity.facilitators.all()] == ["V-900"]


def test_missing_columns_leave_fields_as_they_are(program, alice, tmp_path):
    site = SiteFactory(program=program, name="Shelter Ost", city="Düren", capacity=80)
    path = write_xlsx(
        tmp_path / "sites.xlsx",
        {"sites": [["name", "kind"], ["Shelter Ost", "shelter"], ["Neu", "office"]]},
    )

    result = run_import(program, path, by=alice)

    assert counts(result) == {"sites": (1, 0, 1)}
    site.refresh_from_db()
    assert (site.city, site.capacity) == ("Düren", 80)


def test_an_empty_cell_clears_the_field(program, alice, tmp_path):
    site = SiteFactory(program=program, name="Shelter Ost", city="Düren", capacity=80)
    path = write_xlsx(
        tmp_path / "sites.xlsx",
        {"sites": [["name", "kind", "city", "capacity"], ["Shelter Ost", "shelter", "", ""]]},
    )

    result = run_import(program, path, by=alice)

    assert counts(result) == {"sites": (0, 1, 0)}
    site.refresh_from_db()
    assert (site.city, site.capacity) == ("", None)


def test_an_exported_ref_finds_the_activity_logged_in_lotse(program, alice, tmp_path):
    activity = ActivityFactory(program=program, kind=ActivityKind.GROUP, attendees_total=10)
    path = write_xlsx(
        tmp_path / "edited.xlsx",
        {
            "activities": [
                ["ref", "date", "kind", "attendees_total"],
                [f"A-{activity.pk}", activity.date, "group", 11],
            ]
        },
    )

    result = run_import(program, path, by=alice)

    assert counts(result) == {"activities": (0, 1, 0)}
    activity.refresh_from_db()
    assert activity.attendees_total == 11
    assert program.activities.count() == 1


def test_an_exported_ref_of_a_referral_finds_it(program, alice, tmp_path):
    referral = ReferralFactory(program=program)
    path = write_xlsx(
        tmp_path / "edited.xlsx",
        {
            "referrals": [
                HEADERS["referrals"],
                [
                    f"R-{referral.pk}",
                    referral.referred_on,
                    referral.participant.code,
                    referral.provider.name,
                    referral.category,
                    "outbound",
                    "proposed",
                    "",
                    "",
                ],
            ]
        },
    )

    result = run_import(program, path, by=alice)

    assert counts(result) == {"referrals": (0, 0, 1)}


def test_labels_in_the_interface_languages_are_understood(program, alice, tmp_path):
    path = write_xlsx(
        tmp_path / "sites.xlsx",
        {"sites": [["Name*", "Kind*"], ["Haus A", "Unterkunft"], ["Haus B", "Private flat"]]},
    )

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert dict(program.sites.values_list("name", "kind")) == {
        "Haus A": "shelter",
        "Haus B": "private_flat",
    }


def test_an_existing_provider_is_used_and_not_created_again(program, alice, tmp_path):
    provider = ServiceProviderFactory(program=program, name="PSZ Düsseldorf")
    participant = ParticipantFactory(program=program, code="P-OLD01")
    path = write_xlsx(
        tmp_path / "referrals.xlsx",
        {
            "referrals": [
                HEADERS["referrals"],
                [
                    "R9",
                    "2024-04-01",
                    participant.code,
                    "psz düsseldorf",
                    "psychiatry",
                    "",
                    "sent",
                    "",
                    "",
                    "2024-04-01",
                ],
            ]
        },
    )

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert program.referrals.get(ref="R9").provider == provider
    assert ServiceProvider.objects.count() == 1


def test_a_status_change_of_a_volunteer_is_recorded(program, alice, tmp_path):
    volunteer = VolunteerFactory(program=program, code="V-1", status=Volunteer.Status.ACTIVE)
    path = write_xlsx(
        tmp_path / "volunteers.xlsx",
        {
            "volunteers": [
                ["code", "name", "status", "left_on"],
                ["V-1", volunteer.name, "left", "2024-05-31"],
            ]
        },
    )

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    volunteer.refresh_from_db()
    assert (volunteer.status, volunteer.left_on) == ("left", dt.date(2024, 5, 31))
    change = volunteer.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "left", alice)


def test_a_dry_run_writes_nothing(program, alice, sample):
    result = run_import(program, sample, by=alice, dry_run=True)

    assert result.valid
    assert not result.written
    assert counts(result)["activities"] == (2, 0, 0)
    assert not program.sites.exists()
    assert not Area.objects.exists()
    assert not Topic.objects.filter(program=program).exists()
    assert not Participant.objects.exists()
    assert not Referral.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_rows(program, other_program, tmp_path):
    """Lookups and writes happen per batch of rows, never per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(target, rows):
        SiteFactory(program=target, name="Shelter Ost")
        VolunteerFactory(program=target, code="V-1")
        ParticipantFactory(program=target, code="P-1")
        sheet = [HEADERS["activities"]] + [
            [
                f"X{i}",
                "2024-05-01",
                "one_to_one",
                "Shelter Ost",
                "V-1",
                "ar",
                "Sleep",
                30,
                "",
                "",
                "",
                "",
                "P-1",
            ]
            for i in range(rows)
        ]
        path = write_xlsx(tmp_path / f"activities-{rows}.xlsx", {"activities": sheet})
        with CaptureQueriesContext(connection) as queries:
            result = run_import(target, path)
        assert result.valid and counts(result) == {"activities": (rows, 0, 0)}
        return len(queries)

    assert queries_for(program, 10) == queries_for(other_program, 100)


def test_keys_are_matched_exactly_and_references_follow_the_file(program, tmp_path):
    SiteFactory(program=program, name="Haus A")
    path = write_xlsx(
        tmp_path / "data.xlsx",
        {
            "sites": [["name", "kind"], ["haus a", "office"]],
            "participants": [["code", "site"], ["P-1", "haus a"], ["P-2", "Haus A"]],
        },
    )

    result = run_import(program, path)

    assert result.valid, messages(result)
    assert counts(result)["sites"] == (1, 0, 0)
    sites = dict(program.participants.values_list("code", "site__name"))
    assert sites == {"P-1": "haus a", "P-2": "Haus A"}


def _participants(tmp_path, *rows, header=("code", "consent_on", "consent_scope")):
    return write_xlsx(tmp_path / "participants.xlsx", {"participants": [list(header), *rows]})


def test_the_consent_scope_is_imported_with_its_date(program, alice, tmp_path):
    path = _participants(
        tmp_path,
        ["P-EVAL1", "2024-03-01", "evaluation"],
        ["P-REFE1", "2024-03-02", "referral"],
        ["P-DATE1", "2024-03-03", ""],
        ["P-NONE1", "", ""],
    )

    result = run_import(program, path, by=alice)

    assert result.valid, messages(result)
    assert sorted(program.participants.values_list("code", "consent_on", "consent_scope")) == [
        ("P-DATE1", dt.date(2024, 3, 3), "support"),
        ("P-EVAL1", dt.date(2024, 3, 1), "evaluation"),
        ("P-NONE1", None, ""),
        ("P-REFE1", dt.date(2024, 3, 2), "referral"),
    ]


def test_a_consent_scope_needs_a_consent_date_in_the_row_or_in_lotse(program, alice, tmp_path):
    ParticipantFactory(
        program=program, code="P-OLD01", consent_on=dt.date(2023, 5, 1), consent_scope="support"
    )
    ParticipantFactory(program=program, code="P-OLD02")
    path = _participants(
        tmp_path,
        ["P-OLD01", "evaluation"],
        ["P-OLD02", "evaluation"],
        header=("code", "consent_scope"),
    )

    result = run_import(program, path, by=alice)

    assert messages(result) == [
        "participants, row 3, consent_scope: a consent scope needs the date of the consent "
        "(consent_on)"
    ]
    assert not result.written
    assert program.participants.get(code="P-OLD01").consent_scope == "support"


def test_a_changed_consent_scope_updates_the_participant(program, alice, tmp_path):
    person = ParticipantFactory(
        program=program, code="P-OLD01", consent_on=dt.date(2023, 5, 1), consent_scope="support"
    )
    path = _participants(tmp_path, ["P-OLD01", "evaluation"], header=("code", "consent_scope"))

    result = run_import(program, path, by=alice)

    assert counts(result) == {"participants": (0, 1, 0)}
    person.refresh_from_db()
    assert (person.consent_on, person.consent_scope) == (dt.date(2023, 5, 1), "evaluation")


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (("code", "consent_on", "consent_scope"), ["P-OLD01", "2023-05-01", ""]),
        (("code", "consent_on"), ["P-OLD01", "2023-05-01"]),
    ],
    ids=["empty cell", "no column"],
)
def test_an_empty_or_missing_consent_scope_keeps_the_recorded_one(
    program, alice, tmp_path, header, row
):
    person = ParticipantFactory(
        program=program, code="P-OLD01", consent_on=dt.date(2023, 5, 1), consent_scope="referral"
    )

    result = run_import(program, _participants(tmp_path, row, header=header), by=alice)

    assert counts(result) == {"participants": (0, 0, 1)}
    person.refresh_from_db()
    assert person.consent_scope == "referral"


def test_an_empty_consent_date_withdraws_the_consent_with_its_scope(program, alice, tmp_path):
    person = ParticipantFactory(
        program=program, code="P-OLD01", consent_on=dt.date(2023, 5, 1), consent_scope="evaluation"
    )

    result = run_import(program, _participants(tmp_path, ["P-OLD01", "", ""]), by=alice)

    assert counts(result) == {"participants": (0, 1, 0)}
    person.refresh_from_db()
    assert (person.consent_on, person.consent_scope) == (None, "")
