"""Export in the import format; export then import reproduces the program's data."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from privacy.services import participant_erase
from programs.models import ActivityKind, Participant
from sessions_log.models import Topic
from transfer import format as fmt
from transfer.exporter import CSV_ZIP, XLSX, program_data_export

from ..factories import (
    ActivityFactory,
    AreaFactory,
    ParticipantFactory,
    ReferralFactory,
    ServiceProviderFactory,
    SiteFactory,
    VolunteerFactory,
)
from .helpers import counts, messages, run_import

pytestmark = pytest.mark.django_db

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)


@pytest.fixture
def busy(program):
    """A program with a bit of everything, some of it outside the exported period."""
    area = AreaFactory(program=program, name="Nord")
    shelter = SiteFactory(program=program, name="Shelter Nord", area=area, city="Düren")
    SiteFactory(program=program, name="Flat Süd", kind="private_flat", capacity=4)
    amina = VolunteerFactory(program=program, code="V-1", name="Amina", email="a@example.org")
    amina.languages.set(["ar", "de"])
    jonas = VolunteerFactory(
        program=program,
        code="V-2",
        status="left",
        joined_on=dt.date(2020, 1, 1),
        left_on=dt.date(2023, 1, 1),
        employed_by=program.lead_organisation,
    )
    people = [
        ParticipantFactory(
            program=program,
            code=f"P-{i}",
            site=shelter,
            country_of_origin="SY",
            consent_on=dt.date(2024, 2, 1 + i),
            consent_scope=Participant.ConsentScope.EVALUATION,
        )
        for i in range(4)
    ]
    people[0].languages.set(["prs", "fa"])
    sleep = Topic.objects.get(key="sleep")
    own_topic = Topic.objects.create(program=program, name="Resilienz")
    for day in range(1, 6):
        group = ActivityFactory(program=program, site=shelter, date=dt.date(2024, 3, day))
        group.facilitators.set([amina, jonas])
        group.topics.set([sleep, own_topic])
        group.languages.set(["ar"])
    talk = ActivityFactory(
        program=program,
        kind=ActivityKind.ONE_TO_ONE,
        date=dt.date(2024, 4, 1),
        attendees_total=1,
        attendees_women=1,
        attendees_men=0,
        ref="Einzel-7",
    )
    talk.participants.set([people[0]])
    ActivityFactory(program=program, date=dt.date(2023, 6, 1))  # outside the period
    provider = ServiceProviderFactory(program=program, name="PSZ")
    ReferralFactory(
        program=program,
        participant=people[1],
        provider=provider,
        status="appointment",
        sent_on=dt.date(2024, 3, 2),
        appointment_on=dt.date(2024, 3, 20),
        consent_to_share=True,
        consent_on=dt.date(2024, 2, 1),
        referred_on=dt.date(2024, 3, 1),
    )
    ReferralFactory(program=program, participant=people[2], provider=provider, direction="inbound")
    ReferralFactory(program=program, participant=people[3], referred_on=dt.date(2023, 1, 5))
    return program


def _export(program, file_format=XLSX, start=START, end=END) -> bytes:
    out = io.BytesIO()
    program_data_export(program=program, start=start, end=end, out=out, file_format=file_format)
    return out.getvalue()


def _rows(content: bytes, file_format: str) -> dict[str, list[dict]]:
    """Each sheet's rows of an exported file, as column name -> text."""
    sheets = {}
    if file_format == XLSX:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        for sheet in fmt.SHEETS:
            header, *rows = workbook[sheet.name].iter_rows(values_only=True)
            sheets[sheet.name] = [
                {
                    name: "" if value is None else str(value)
                    for name, value in zip(header, row, strict=True)
                }
                for row in rows
            ]
        return sheets
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for sheet in fmt.SHEETS:
            text = archive.read(f"{sheet.name}.csv").decode("utf-8-sig")
            sheets[sheet.name] = list(csv.DictReader(io.StringIO(text)))
    return sheets


@pytest.mark.parametrize("file_format", [XLSX, CSV_ZIP])
def test_export_then_import_into_an_empty_program_gives_the_same_counts(
    busy, other_program, tmp_path, file_format
):
    path = tmp_path / f"export.{file_format}"
    path.write_bytes(_export(busy, file_format))

    result = run_import(other_program, path)

    assert result.valid, messages(result)
    assert counts(result) == {
        "sites": (2, 0, 0),
        "volunteers": (2, 0, 0),
        "participants": (4, 0, 0),
        "activities": (6, 0, 0),
        "referrals": (2, 0, 0),
        "matches": (0, 0, 0),
        "selfhelp_groups": (0, 0, 0),
        "outcomes": (0, 0, 0),
    }
    assert other_program.sites.count() == busy.sites.count()
    assert other_program.volunteers.count() == busy.volunteers.count()
    assert other_program.participants.count() == busy.participants.count()
    assert other_program.activities.count() == 6
    assert other_program.referrals.count() == 2

    def contacts(program):
        return sorted(
            (
                a.date,
                a.kind,
                a.attendees_total,
                a.attendees_women,
                a.site.name if a.site else "",
                tuple(sorted(v.code for v in a.facilitators.all())),
                tuple(sorted(t.name for t in a.topics.all())),
                tuple(sorted(p.code for p in a.participants.all())),
                tuple(sorted(lang.code for lang in a.languages.all())),
            )
            for a in program.activities.filter(date__gte=START)
        )

    assert contacts(other_program) == contacts(busy)
    assert other_program.volunteers.get(code="V-2").employed_by == other_program.lead_organisation
    copied = other_program.referrals.get(status="appointment")
    assert (copied.participant.code, copied.provider.name) == ("P-1", "PSZ")

    def consents(program):
        return sorted(program.participants.values_list("code", "consent_on", "consent_scope"))

    assert consents(other_program) == consents(busy)
    again = _rows(_export(other_program, file_format), file_format)
    assert again["participants"] == _rows(_export(busy, file_format), file_format)["participants"]


def test_importing_the_export_into_the_same_program_changes_nothing(busy, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(_export(busy))

    result = run_import(busy, path)

    assert result.valid, messages(result)
    assert counts(result) == {
        "sites": (0, 0, 2),
        "volunteers": (0, 0, 2),
        "participants": (0, 0, 4),
        "activities": (0, 0, 6),
        "referrals": (0, 0, 2),
        "matches": (0, 0, 0),
        "selfhelp_groups": (0, 0, 0),
        "outcomes": (0, 0, 0),
    }


def test_the_export_has_the_format_header_and_stable_refs(busy):
    workbook = load_workbook(io.BytesIO(_export(busy)), read_only=True)

    assert workbook.sheetnames == [sheet.name for sheet in fmt.SHEETS]
    for sheet in fmt.SHEETS:
        header = next(workbook[sheet.name].iter_rows(max_row=1, values_only=True))
        assert list(header) == list(sheet.names)
    refs = [row[0] for row in workbook["activities"].iter_rows(min_row=2, values_only=True)]
    assert "Einzel-7" in refs
    generated = sorted(ref for ref in refs if ref != "Einzel-7")
    assert generated == sorted(
        f"A-{pk}"
        for pk in busy.activities.filter(ref="", date__gte=START).values_list("pk", flat=True)
    )
    assert (
        refs
        == [row[0] for row in load_workbook(io.BytesIO(_export(busy)))["activities"].values][1:]
    )


def test_the_export_holds_activities_and_referrals_of_the_period_only(busy):
    workbook = load_workbook(io.BytesIO(_export(busy, start=dt.date(2024, 3, 2), end=END)))

    dates = [row[1] for row in workbook["activities"].iter_rows(min_row=2, values_only=True)]
    assert len(dates) == 5
    assert all(day.date() >= dt.date(2024, 3, 2) for day in dates)  # written as date cells
    assert workbook["referrals"].max_row == 1  # both referrals are of 1 March: header only
    assert workbook["participants"].max_row == 5  # people are exported whole


def test_the_export_writes_lists_codes_and_yes_no(busy):
    workbook = load_workbook(io.BytesIO(_export(busy)))
    volunteers = {row[0]: row for row in workbook["volunteers"].iter_rows(values_only=True)}

    assert volunteers["V-1"][3] == "ar; de"
    assert volunteers["V-1"][7] == "no"
    assert volunteers["V-2"][7] == "yes"
    group = next(workbook["activities"].iter_rows(min_row=2, values_only=True))
    assert group[4] == "V-1; V-2"
    assert group[6] == "Resilienz; Sleep"


@pytest.fixture
def withheld(busy):
    """Besides the consenting people of ``busy``: three whose consent does not cover exports
    (none recorded, support only, referrals only) and one erased, all met in the period."""
    kept = busy.participants.get(code="P-0")
    people = [
        ParticipantFactory(program=busy, code="P-NONE"),
        ParticipantFactory(
            program=busy,
            code="P-SUPP",
            consent_on=dt.date(2024, 2, 1),
            consent_scope=Participant.ConsentScope.SUPPORT,
        ),
        ParticipantFactory(
            program=busy,
            code="P-REFE",
            consent_on=dt.date(2024, 2, 1),
            consent_scope=Participant.ConsentScope.REFERRAL,
        ),
    ]
    session = ActivityFactory(
        program=busy, date=dt.date(2024, 5, 2), ref="Gruppe-9", attendees_total=9
    )
    session.participants.set([kept, *people])
    for person in people:
        ReferralFactory(program=busy, participant=person, referred_on=dt.date(2024, 5, 3))
    ReferralFactory(program=busy, participant=people[0], referred_on=dt.date(2023, 5, 3))
    gone = ParticipantFactory(
        program=busy,
        code="P-GONE",
        consent_on=dt.date(2024, 2, 1),
        consent_scope=Participant.ConsentScope.EVALUATION,
    )
    ReferralFactory(program=busy, participant=gone, referred_on=dt.date(2024, 5, 4))
    participant_erase(participant=gone, reason="asked for it")
    return busy


@pytest.mark.parametrize("file_format", [XLSX, CSV_ZIP])
def test_only_participants_consenting_to_evaluation_exports_leave_lotse(withheld, file_format):
    erased = withheld.participants.get(erased_at__isnull=False).code
    sheets = _rows(_export(withheld, file_format), file_format)

    assert [row["code"] for row in sheets["participants"]] == ["P-0", "P-1", "P-2", "P-3"]
    assert {row["consent_scope"] for row in sheets["participants"]} == {"evaluation"}
    session = next(row for row in sheets["activities"] if row["ref"] == "Gruppe-9")
    assert session["participants"] == "P-0"
    assert session["attendees_total"] == "9"  # the head count stays
    assert sorted(row["participant"] for row in sheets["referrals"]) == ["P-1", "P-2"]
    every_cell = {value for rows in sheets.values() for row in rows for value in row.values()}
    for code in ("P-NONE", "P-SUPP", "P-REFE", erased):
        assert not any(code in value for value in every_cell), code


def test_the_export_says_how_many_participants_and_referrals_it_left_out(withheld):
    result = program_data_export(program=withheld, start=START, end=END, out=io.BytesIO())

    assert result.counts["participants"] == 4
    assert result.counts["referrals"] == 2
    # Three people without consent to exports (the erased record is no person any more);
    # the referrals of the period of those three and of the erased one.
    assert result.withheld == {"participants": 3, "referrals": 4}
    assert result.withheld_message() == (
        "3 participants and 4 referrals were left out: their consent does not cover exports."
    )


def test_an_export_with_everyone_consenting_leaves_nothing_out(busy):
    result = program_data_export(program=busy, start=START, end=END, out=io.BytesIO())

    assert result.withheld == {"participants": 0, "referrals": 0}
    assert result.withheld_message() == ""


def test_a_participant_whose_consent_is_raised_to_evaluation_is_exported(withheld):
    Participant.objects.filter(code="P-REFE").update(
        consent_scope=Participant.ConsentScope.EVALUATION
    )

    sheets = _rows(_export(withheld), XLSX)

    assert "P-REFE" in [row["code"] for row in sheets["participants"]]
    session = next(row for row in sheets["activities"] if row["ref"] == "Gruppe-9")
    assert session["participants"] == "P-0; P-REFE"
    assert "P-REFE" in [row["participant"] for row in sheets["referrals"]]


def test_importing_the_export_back_keeps_the_people_it_left_out(withheld, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(_export(withheld))
    session = withheld.activities.get(ref="Gruppe-9")
    before = sorted(session.participants.values_list("code", flat=True))

    result = run_import(withheld, path)

    assert result.valid, messages(result)
    assert counts(result) == {
        "sites": (0, 0, 2),
        "volunteers": (0, 0, 2),
        "participants": (0, 0, 4),
        "activities": (0, 0, 7),
        "referrals": (0, 0, 2),
        "matches": (0, 0, 0),
        "selfhelp_groups": (0, 0, 0),
        "outcomes": (0, 0, 0),
    }
    assert sorted(session.participants.values_list("code", flat=True)) == before
    assert withheld.participants.get(code="P-REFE").consent_scope == "referral"


def test_an_edited_export_keeps_the_left_out_people_in_their_activities(withheld, tmp_path):
    workbook = load_workbook(io.BytesIO(_export(withheld)))
    sheet = workbook["activities"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "Gruppe-9":
            row[header.index("attendees_total")].value = 11
            row[header.index("participants")].value = "P-0; P-1"
    path = tmp_path / "edited.xlsx"
    workbook.save(path)

    result = run_import(withheld, path)

    assert result.valid, messages(result)
    assert counts(result)["activities"] == (0, 1, 6)
    session = withheld.activities.get(ref="Gruppe-9")
    assert session.attendees_total == 11
    assert sorted(session.participants.values_list("code", flat=True)) == [
        "P-0",
        "P-1",
        "P-NONE",
        "P-REFE",
        "P-SUPP",
    ]
