"""The provider import refuses every hostile file the program import refuses, quickly and
without filling memory: both read uploads through the one hardened reader.

A file is refused on the form, or (a sheet that is damaged after a header the provider import
does not take, say) by the problems of its preview; either way nothing can be imported."""

import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals.models import ServiceProvider

from ..transfer import hostile_files
from ..transfer.hostile_files import HOSTILE_FILES

pytestmark = pytest.mark.django_db

MAX_SECONDS = 5
MAX_PEAK_MB = 8  # most of it is the test client and Django holding an upload of 1 MB


@pytest.mark.parametrize("hostile", HOSTILE_FILES, ids=lambda hostile: hostile.id)
def test_it_refuses_a_hostile_file_within_seconds_and_bounded_memory(
    login, program, alice, tmp_path, settings, hostile
):
    if hostile.max_bytes is not None:
        settings.LOTSE_IMPORT_MAX_BYTES = hostile.max_bytes
    path = hostile.build(tmp_path)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    client = login(alice)
    url = reverse("provider_import", args=[program.slug])
    client.get(url)  # the page's code and templates are loaded before measuring

    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post(url, {"file": upload})
        seconds = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

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


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused(login, program, alice, tmp_path):
    path = hostile_files.csv_million_character_cell(tmp_path)

    response = _post(login(alice), program, path)

    assert response.context["form"].errors["file"] == [
        "A cell in row 2 of “sites.csv” holds more than 32,767 characters, "
        "the most a spreadsheet cell can hold."
    ]
