"""manage.py import_program_data and export_program_data."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from sessions_log.models import Topic

from ..factories import ActivityFactory, ParticipantFactory, SiteFactory
from .helpers import run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db


def _call(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_import_command_imports_and_prints_the_counts(program, alice, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())

    out, _err = _call(
        "import_program_data",
        "--program",
        program.slug,
        "--user",
        alice.username,
        "--create-new",
        str(path),
    )

    assert "activities             2         0          0" in out
    assert "Imported into in2balance." in out
    assert program.activities.count() == 2
    assert program.activities.first().logged_by == alice
    assert program.topics.get().name == "Resilienz"


def test_without_create_new_the_command_lists_the_new_values_and_writes_nothing(program, tmp_path):
    Topic.objects.create(program=program, name="Resilience")
    topics_before = Topic.objects.count()
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())
    out = io.StringIO()

    with pytest.raises(CommandError, match="4 new areas, topics or services; nothing was"):
        call_command("import_program_data", "--program", program.slug, str(path), stdout=out)

    assert "sites, row 2, area: “Nord” is new to the program\n" in out.getvalue()
    assert (
        "activities, row 2, topics: “Resilienz” is new to the program; the closest existing one "
        "is “Resilience”"
    ) in out.getvalue()
    assert "referrals, row 3, provider: “Sozialamt” is new to the program" in out.getvalue()
    assert not program.sites.exists() and not program.activities.exists()
    assert not program.areas.exists() and not program.providers.exists()
    assert Topic.objects.count() == topics_before


def test_a_dry_run_writes_nothing(program, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", sample_sheets())

    out, _err = _call("import_program_data", "--program", program.slug, "--dry-run", str(path))

    assert "activities             2         0          0" in out
    assert "Dry run: nothing was written." in out
    assert "activities, row 2, topics: “Resilienz” is new to the program" in out
    assert not program.sites.exists()
    assert not program.areas.exists()
    assert not program.activities.exists()


def test_the_import_command_lists_every_problem_and_fails(program, tmp_path):
    sheets = sample_sheets()
    sheets["sites"][1][1] = "castle"
    sheets["activities"][1][1] = "soon"
    path = write_xlsx(tmp_path / "data.xlsx", sheets)
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problems; nothing was imported."):
        call_command(
            "import_program_data", "--program", program.slug, str(path), stderr=err, stdout=err
        )

    assert "sites, row 2, kind: “castle” is not allowed" in err.getvalue()
    assert "activities, row 2, date: “soon” is not a date" in err.getvalue()
    assert not program.sites.exists()


def test_the_import_command_refuses_an_unreadable_file(program, tmp_path):
    path = tmp_path / "data.xlsx"
    path.write_bytes(b"hello")

    with pytest.raises(CommandError, match="This is not a spreadsheet"):
        _call("import_program_data", "--program", program.slug, str(path))


def test_the_import_command_needs_a_program(tmp_path):
    with pytest.raises(CommandError, match="There is no program “nope”."):
        _call("import_program_data", "--program", "nope", str(tmp_path))


@pytest.mark.parametrize("suffix", ["xlsx", "zip"])
def test_the_export_command_writes_a_file_that_imports(program, other_program, tmp_path, suffix):
    SiteFactory(program=program, name="Haus A")
    ActivityFactory(program=program)
    path = tmp_path / f"export.{suffix}"

    out, _err = _call(
        "export_program_data",
        "--program",
        program.slug,
        "--start",
        "2024-01-01",
        "--end",
        "2024-12-31",
        str(path),
    )

    assert "activities             1" in out
    result = run_import(other_program, path)
    assert result.valid
    assert other_program.activities.count() == 1
    if suffix == "xlsx":
        assert load_workbook(path).sheetnames[0] == "sites"


def test_the_export_command_says_what_consent_left_out(program, tmp_path):
    ParticipantFactory(
        program=program, code="P-OK001", consent_on="2024-01-01", consent_scope="referral"
    )
    ParticipantFactory(
        program=program, code="P-OK002", consent_on="2024-01-01", consent_scope="evaluation"
    )
    path = tmp_path / "export.zip"

    out, _err = _call(
        "export_program_data",
        "--program",
        program.slug,
        "--start",
        "2024-01-01",
        "--end",
        "2024-12-31",
        str(path),
    )

    assert "participants           1" in out
    assert (
        "1 participant and 0 referrals were left out: their consent does not cover exports." in out
    )


def test_the_export_command_checks_its_arguments(program, tmp_path):
    with pytest.raises(CommandError, match="is not a date"):
        _call(
            "export_program_data",
            "--program",
            program.slug,
            "--start",
            "1.1.2024",
            "--end",
            "2024-12-31",
            str(tmp_path / "x.xlsx"),
        )
    with pytest.raises(CommandError, match="must end in .xlsx or .zip"):
        _call(
            "export_program_data",
            "--program",
            program.slug,
            "--start",
            "2024-01-01",
            "--end",
            "2024-12-31",
            str(tmp_path / "x.csv"),
        )


def test_the_import_command_prints_the_warnings_as_well(program, alice, tmp_path):
    sheets = sample_sheets()
    sheets["activities"][1][7] = 300  # five hours: possible, but asked about
    path = write_xlsx(tmp_path / "data.xlsx", sheets)

    out, _err = _call("import_program_data", "--program", program.slug, "--create-new", str(path))

    assert (
        "Warning: activities, row 2, duration_minutes: 300 minutes is more than 4 hours: "
        "is that right?" in out
    )
    assert program.activities.get(ref="A1").minutes == 300
