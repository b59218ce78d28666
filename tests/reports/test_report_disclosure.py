"""Suppression in everything a funder sees: preview, PDF, XLSX, targets table, funder pages.

One program, January to June 2024, counted by hand:

- 27 people reached: 12 women, 14 men, 1 diverse; 2 aged 0-17, 25 aged 27-49;
- activities: a group session in March (40 contacts, all 27 people) and one in April
  (10 contacts) at the shelter; four one-to-one talks in April with one person each, three in
  the private flat "Musterstraße 12, 2. OG" and one in "Hauptstraße 3": 6 activities,
  54 contacts. Two contacts in December 2023, before the period;
- 4 referrals, all attended (median days to the appointment rest on 4 people);
- 5 matches started more than six months before the end, 3 still running: 60 % of 5;
- targets: referrals over the report's period (4), contacts from December 2023 (56), people
  reached over the report's period (27), 6-month retention;
- 3 active volunteers speaking Arabic (2) and Persian (1).

Without secondary suppression a reader works the small numbers out: diverse = 27 - 12 - 14,
aged 0-17 = 27 - 25, the one-to-one contacts = 54 - 50, the contacts before the period =
56 - 54; "4 activities with <5 contacts" are 4 contacts; the targets table printed the 4
referrals that the section withholds.
"""

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from programs.models import ActivityKind, Language, Membership, Participant
from referrals.models import Referral
from reports import document
from reports.exports import report_xlsx
from reports.generation import report_figures
from reports.models import Report
from reports.pdf import render_report_pdf
from sessions_log.models import Match

from ..factories import (
    ActivityFactory,
    MatchFactory,
    MembershipFactory,
    ParticipantFactory,
    ReferralFactory,
    SiteFactory,
    TargetFactory,
    UserFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
START, END = D(2024, 1, 1), D(2024, 6, 30)
FLATS = ("Musterstraße 12, 2. OG", "Hauptstraße 3")


@pytest.fixture
def world(program):
    shelter = SiteFactory(program=program, name="Gemeinschaftsunterkunft")
    flats = [SiteFactory(program=program, name=name, kind="private_flat") for name in FLATS]
    female, male, diverse = (
        Participant.Gender.FEMALE,
        Participant.Gender.MALE,
        Participant.Gender.DIVERSE,
    )
    people = (
        [ParticipantFactory(program=program, gender=female, year_of_birth=2012)]
        + [ParticipantFactory(program=program, gender=female) for _ in range(11)]
        + [ParticipantFactory(program=program, gender=male, year_of_birth=2011)]
        + [ParticipantFactory(program=program, gender=male) for _ in range(13)]
        + [ParticipantFactory(program=program, gender=diverse)]
    )
    volunteers = [VolunteerFactory(program=program, joined_on=D(2023, 1, 1)) for _ in range(3)]
    volunteers[0].languages.set([Language.objects.get(code="ar")])
    volunteers[1].languages.set([Language.objects.get(code="ar")])
    volunteers[2].languages.set([Language.objects.get(code="fa")])

    def activity(kind, day, site, total, persons):
        a = ActivityFactory(
            program=program,
            kind=kind,
            date=day,
            site=site,
            attendees_total=total,
            attendees_women=0,
            attendees_men=0,
        )
        a.participants.set(persons)
        a.facilitators.set(volunteers)
        return a

    group, one = ActivityKind.GROUP, ActivityKind.ONE_TO_ONE
    activity(group, D(2024, 3, 5), shelter, 40, people)
    activity(group, D(2024, 4, 9), shelter, 10, people[:10])
    for day, flat in ((10, flats[0]), (11, flats[0]), (12, flats[0]), (15, flats[1])):
        activity(one, D(2024, 4, day), flat, 1, [people[day]])
    activity(group, D(2023, 12, 5), shelter, 2, [])

    for day in (1, 2, 3, 4):
        ReferralFactory(
            program=program,
            referred_on=D(2024, 2, day),
            sent_on=D(2024, 2, day),
            appointment_on=D(2024, 2, day + 10),
            status=Referral.Status.ATTENDED,
            consent_to_share=True,
            consent_on=D(2024, 2, day),
        )
    for index in range(5):
        ended = index >= 3
        MatchFactory(
            program=program,
            proposed_on=D(2023, 1, 1),
            started_on=D(2023, 1, 10),
            status=Match.Status.ENDED if ended else Match.Status.ACTIVE,
            ended_on=D(2023, 3, 10) if ended else None,
            end_reason=Match.EndReason.PARTICIPANT_WITHDREW if ended else "",
        )

    TargetFactory(program=program, indicator="referrals", value=10, starts_on=START, ends_on=END)
    TargetFactory(
        program=program, indicator="contacts", value=100, starts_on=D(2023, 12, 1), ends_on=END
    )
    TargetFactory(
        program=program, indicator="people_reached", value=30, starts_on=START, ends_on=END
    )
    TargetFactory(
        program=program, indicator="match_retention_6m", value=75, starts_on=START, ends_on=END
    )
    return program


def make_report(program, **fields) -> Report:
    fields = {"language": "en", **fields}
    return Report(
        program=program, title="Halbjahresbericht", period_start=START, period_end=END, **fields
    )


def sections(program) -> dict:
    doc = document.build(report_figures(make_report(program)))
    return {s.key: s for s in doc.sections} | {"": doc}


def table(section, title) -> dict:
    found = next(t for t in section.tables if t.title == title)
    return {row[0]: row[1:] for row in found.cells}


def figures(section) -> dict:
    return {f.label: f.value for f in section.figures}


# ---- the layout every output prints ------------------------------------------------------


def test_no_small_count_can_be_recomputed_from_a_total(world):
    s = sections(world)
    people = s["people_reached"]
    assert figures(people)["People reached"] == "27"
    # Diverse 1 of 27: the women are withheld too, so 27 - 12 - 14 does not work.
    assert table(people, "People reached by gender") == {
        "Female": ["×"],
        "Male": ["14"],
        "Diverse": ["<5"],
    }
    # Aged 0-17: 2 of 27; 27 - 25 does not work.
    ages = table(people, "People reached by age")
    assert ages["0–17"] == ["<5"] and ages["27–49"] == ["×"]
    assert ages["18–26"] == ["0"] and ages["50+"] == ["0"]


def test_activities_of_a_row_with_withheld_contacts_are_withheld_too(world):
    activities = sections(world)["activities"]
    # One-to-one: 4 talks with 4 contacts; "4 activities, <5 contacts" would say 4 contacts.
    assert table(activities, "Activities by kind") == {
        "Group session": ["×", "×", "180"],
        "One-to-one talk": ["×", "<5", "360"],
    }
    assert figures(activities)["Activities"] == "6"
    # By month nothing is small: March 1 activity with 40 contacts, April 5 with 14.
    assert table(activities, "Activities by month")["April 2024"] == ["5", "14"]


def test_private_flats_are_one_unnamed_row(world):
    s = sections(world)
    by_site = table(s["activities"], "Activities by site")
    assert by_site == {"Gemeinschaftsunterkunft": ["×", "×"], "Private flats": ["×", "<5"]}
    assert table(s["contacts"], "Contacts by site") == {
        "Gemeinschaftsunterkunft": ["×"],
        "Private flats": ["<5"],
    }
    printed = json.dumps([[t.cells for t in sec.tables] for sec in s[""].sections])
    assert not any(flat.split(",")[0] in printed for flat in FLATS)


def test_shares_means_and_medians_over_few_persons_are_not_shown(world):
    s = sections(world)
    referrals = figures(s["referrals"])
    assert referrals["Referrals to services"] == "<5"
    assert referrals["Median days from referral to appointment"] == "–*"  # over 4 people
    assert referrals["Share of sent referrals attended"] == "–*"
    # 60 % of 5 matches: 3 matches, 2 ended; not "<5" as if it were a count.
    assert figures(s["matches"])["Matches still running after 6 months"] == "–*"
    assert figures(s["volunteers"])["Retention over the period"] == "–*"  # 3 volunteers
    for section in s[""].sections:
        if any(f.value == "–*" for f in section.figures):
            assert any("“–*”" in note for note in section.footnotes), section.key


def test_volunteers_by_language_are_counts_of_persons(world):
    languages = table(sections(world)["volunteers"], "Languages spoken by active volunteers")
    assert languages == {"Arabic": ["<5"], "Persian": ["<5"]}


def test_the_targets_table_withholds_what_the_sections_withhold(world):
    s = sections(world)
    targets = table(s["targets"], "Targets and results")
    # Referrals over the report's period: the same 4 referrals as the section, "<5" in both.
    assert targets["Referrals to services"][2:4] == ["<5", "–*"]
    # Contacts since December 2023: 56, and 56 - 54 = 2 contacts before the period.
    assert targets["Contacts"][2:4] == ["×", "–*"]
    # People reached over the report's period: 27 of 30, published as in the section.
    assert targets["People reached"][2:4] == ["27", "90 %"]
    # The retention target prints the section's rate, 3 of 5: withheld as a whole with its
    # deviation from the target; a rate target has no share of the target ("–").
    retention = targets["Matches still running after 6 months"]
    assert (retention[2:4], retention[-1]) == (["–*", "–"], "–*")


def test_key_figures_chosen_by_the_program_are_withheld_as_in_their_sections(world):
    world.headline_indicators = ["referrals", "match_retention_6m", "people_reached"]
    world.save()
    s = sections(world)
    key_figures = {f.label: f.value for f in s[""].key_figures}
    assert key_figures == {
        "Referrals to services": "<5",
        "Matches still running after 6 months": "–*",
        "People reached": "27",
    }
    assert figures(s["referrals"])["Referrals to services"] == "<5"
    assert figures(s["matches"])["Matches still running after 6 months"] == "–*"


def test_outcome_figures_over_few_pairs_or_revealing_few_pairs_are_not_shown(world):
    snapshot = report_figures(make_report(world))
    five_pairs = {
        "instrument": "who5",
        "label": "WHO-5",
        "n": 5,
        "mean_before": 40.0,
        "mean_after": 52.0,
        "mean_change": 12.0,
        "ci_low": 2.0,
        "ci_high": 22.0,
        "improved_share": 0.6,  # 3 of 5
        "cutoff_label": "≤ 50 %",
        "below_cutoff_before": 1.0,
        "below_cutoff_after": 0.4,  # 2 of 5
        "suppressed": False,
    }
    snapshot["outcomes"] = {"instruments": [five_pairs], "note": ""}
    outcomes = {s.key: s for s in document.build(snapshot).sections}["outcomes"]
    change = table(outcomes, "Change between baseline and latest follow-up")["WHO-5"]
    assert change == ["5", "40", "52", "12", "2 – 22"]
    assert table(outcomes, "Reliable improvement")["WHO-5"][-1] == "–*"  # 3 of 5
    assert table(outcomes, "Share in the cut-off band")["WHO-5"] == ["≤ 50 %", "100 %", "–*"]

    snapshot["disclosure"]["threshold"] = 10  # 5 pairs are too few for a threshold of 10
    outcomes = {s.key: s for s in document.build(snapshot).sections}["outcomes"]
    change = table(outcomes, "Change between baseline and latest follow-up")["WHO-5"]
    assert change == ["<10", "–*", "–*", "–*", "–*"]
    assert outcomes.charts == []


def test_a_threshold_of_ten_withholds_counts_up_to_nine(world):
    world.disclosure_threshold = 10
    world.save()
    s = sections(world)
    # April: 5 activities with 14 contacts; the group sessions' 10 contacts stand.
    assert table(s["contacts"], "Contacts by site")["Private flats"] == ["<10"]
    ages = table(s["people_reached"], "People reached by age")
    assert ages["0–17"] == ["<10"]
    assert "the threshold set for this program is 10" in s[""].suppression_note
    assert "Counts of 1 to 9 persons are shown as “<10”" in s[""].suppression_note


def test_the_methods_annex_states_the_rule_in_the_reports_language(world):
    for language, words in (("de", "Schwellenwert ist 5"), ("da", "dette program, er 5")):
        with translation.override(language):
            snapshot = report_figures(make_report(world, language=language))
            doc = document.build(snapshot)
        assert words in doc.suppression_note and "<5" in doc.suppression_note
        people = next(s for s in doc.sections if s.key == "people_reached")
        assert any("×" in note and "5" in note for note in people.footnotes), people.footnotes


# ---- each output -------------------------------------------------------------------------


def test_the_xlsx_prints_the_same_markers_and_no_flat(world):
    report = make_report(world)
    workbook = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, report_figures(report))))
    gender = {r[0]: r[1] for r in workbook["People reached"].iter_rows(values_only=True) if r[0]}
    assert (gender["Female"], gender["Male"], gender["Diverse"]) == ("×", 14, "<5")
    targets = {
        r[0]: r[3:5] for r in workbook["Targets and results"].iter_rows(values_only=True) if r[0]
    }
    assert targets["Referrals to services"] == ("<5", "–*")
    assert targets["Contacts"] == ("×", "–*")
    assert targets["People reached"] == (27, 0.9)
    sites = {r[0]: r[1:3] for r in workbook["Activities"].iter_rows(values_only=True) if r[0]}
    assert sites["Private flats"] == ("×", "<5")
    text = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    assert "Musterstraße" not in text and "Hauptstraße" not in text
    assert "“×”: withheld so that a number below 5 cannot be worked out from totals." in text


def test_the_pdf_prints_the_same_markers_and_no_flat(world, tmp_path):
    report = make_report(world)
    path = tmp_path / "report.pdf"
    path.write_bytes(render_report_pdf(report, report_figures(report)))
    text = "\n".join(p.extract_text(extraction_mode="layout") for p in PdfReader(path).pages)
    assert re.search(r"^\s*Diverse\s+<5\s*$", text, re.MULTILINE)
    assert re.search(r"^\s*Female\s+×\s*$", text, re.MULTILINE)
    assert re.search(r"^\s*Private flats\s+×\s+<5\s*$", text, re.MULTILINE)
    assert re.search(r"^\s*Referrals\s+.*\s10\s+<5\s+–\*\s+", text, re.MULTILINE)
    assert "Musterstraße" not in text and "Hauptstraße" not in text
    assert "Protection of small numbers" in text


def test_the_funder_sees_the_preview_and_downloads_suppressed(world, client, login):
    funder = UserFactory()
    MembershipFactory(user=funder, program=world, role=Membership.Role.FUNDER)
    report = make_report(world)
    report.kpi_snapshot = report_figures(report)
    report.status = Report.Status.PUBLISHED
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.checksum = "0" * 64
    report.generated_at = report.published_at = timezone.now()
    report.save()

    client = login(funder)
    page = client.get(reverse("report_detail", args=[world.slug, report.pk])).text
    assert '<th scope="row">Diverse</th><td class="num">&lt;5</td>' in page
    assert '<th scope="row">Female</th><td class="num">×</td>' in page
    assert "Private flats" in page and "Musterstraße" not in page
    assert "the threshold set for this program is 5" in page
    assert "are withheld as its methods annex explains" in page  # the note above the preview
    download = client.get(reverse("report_xlsx", args=[world.slug, report.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    gender = {r[0]: r[1] for r in workbook["People reached"].iter_rows(values_only=True) if r[0]}
    assert gender["Diverse"] == "<5" and gender["Female"] == "×"


def test_the_command_line_json_is_raw_and_says_so(world, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    path = tmp_path / "kpis.json"
    call_command(
        "build_report",
        program=world.slug,
        start=START.isoformat(),
        end=END.isoformat(),
        output=str(path),
        file_format="json",
        language="en",
        stdout=out,
        stderr=err,
    )
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data)[:2] == ["notice", "suppressed"]
    assert "NOT suppressed" in data["notice"] and data["suppressed"] is False
    assert "internal use only" in err.getvalue()
    genders = {row["key"]: row["people"] for row in data["people_reached"]["by_gender"]}
    assert genders["diverse"] == 1  # raw
    assert any(row["label"] == FLATS[0] for row in data["activities"]["by_site"])
