"""The provider import refuses every hostile file the program import refuses, quickly and
without filling memory: both read uploads through the one hardened reader.

A file is refused on the form, or (a sheet that is damaged after a header the provider import
does not take, say) by the problems of its preview; either way nothing can be imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.importing import MAX_ERRORS
from referrals.models import ServiceProvider

from ..transfer import hostile_files
from ..transfer.hostile_files import HOSTILE_FILES, MAX_PEAK_MB, MAX_SECONDS, post_measured

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hostile", HOSTILE_FILES, ids=lambda hostile: hostile.id)
def test_it_refuses_a_hostile_file_within_seconds_and_bounded_memory(
    login, program, alice, tmp_path, settings, hostile
):
    if hostile.max_bytes is not None:
        settings.LOTSE_IMPORT_MAX_BYTES = hostile.max_bytes
    path = hostile.build(tmp_path)
    response, seconds, peak = post_measured(
        login(alice), reverse("provider_import", args=[program.slug]), path
    )

    assert response.status_code == 200
    preview = response.context.get("preview")
    refusal = response.context["form"].errors.get("file") or (preview and preview.errors)
    assert refusal, "the file was not refused"
    assert "confirm" not in response.context
    assert not ServiceProvider.objects.exists()
    assert seconds < MAX_SECONDS
    assert peak < MAX_PEAK_MB * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"


def _post(client, program, path):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("provider_import", args=[program.slug]), {"file": upload})


def test_a_long_wrong_value_is_quoted_shortened_in_each_problem(login, program, alice, tmp_path):
    path = hostile_files.shared_string_in_every_row(tmp_path, rows=2)
    shortened = ("Lang " * 12).strip() + "…"  # the first 60 characters

    response = _post(login(alice), program, path)

    errors = [str(error) for error in response.context["preview"].errors]
    assert f"Row 3, name: “{shortened}” is already in row 2" in errors
    assert any(
        error.startswith(f"Row 2, category: unknown category “{shortened}”; use one of: ")
        for error in errors
    )
    assert max(len(error) for error in errors) < 400  # the category message lists them all


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused(login, program, alice, tmp_path):
    path = hostile_files.csv_million_character_cell(tmp_path)

    response = _post(login(alice), program, path)

    assert response.context["form"].errors["file"] == [
        "A cell in row 2 of “sites.csv” holds more than 32,767 characters, "
        "the most a spreadsheet cell can hold."
    ]


def test_a_file_with_more_problems_than_a_preview_lists_is_refused_with_the_first(
    login, program, alice, tmp_path
):
    path = tmp_path / "providers.csv"
    codes = ";".join(f"x{number:04d}" for number in range(MAX_ERRORS + 1))
    path.write_text(f'name,category,languages\nHaus,other,"{codes}"\n', encoding="utf-8")

    response = _post(login(alice), program, path)

    assert response.context["form"].errors["file"] == [
        f"The file has more than {MAX_ERRORS} problems; Lotse stopped checking it. The first: "
        "Row 2, languages: unknown language code “x0000” (use ISO 639-1 or 639-3)"
    ]
    assert "preview" not in response.context
