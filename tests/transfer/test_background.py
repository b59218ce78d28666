"""Imports in the background: the request stores and queues, the worker checks and imports.

The worker's part runs as ``manage.py db_worker`` runs it (django-tasks-db's ``Worker``) where
a test is about the queue; elsewhere the tasks run inline (tests/conftest.py).
"""

import pytest
from auditlog.models import LogEntry
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from programs.models import SecurityEvent
from transfer import jobs, services
from transfer.importing import ImportCancelled
from transfer.models import ImportJob

from .helpers import run_import, sample_sheets, write_xlsx

pytestmark = pytest.mark.django_db

State = ImportJob.State


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queue(settings):
    """The real queue: tasks wait in the database for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def work_off_the_queue() -> int:
    """Run the waiting tasks as ``manage.py db_worker`` does; returns how many ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    ran = 0
    while (waiting := DBTaskResult.objects.ready().first()) is not None:
        waiting.claim("test")
        worker.run_task(waiting)
        ran += 1
    return ran


@pytest.fixture
def sample(tmp_path):
    return write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())


def _post(client, program, path, captured):
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with captured(execute=True):
        return client.post(reverse("program_import", args=[program.slug]), {"file": upload})


def _stored_files() -> list[str]:
    return default_storage.listdir("imports")[1] if default_storage.exists("imports") else []


def _ten_megabytes_of_activities(path):
    """A CSV of activities just under the 10 MB limit (never read in the request)."""
    line = "XL-{:07d},2024-03-01,group,Unterkunft 001,V-0001,ar; de,Sleep,90,12,6,5,3,\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write("ref,date,kind,site,facilitators,languages,topics,duration_minutes,")
        out.write("attendees_total,attendees_women,attendees_men,attendees_children,participant\n")
        for number in range(10 * 1024 * 1024 // len(line.format(0)) - 2):
            out.write(line.format(number))
    return path


def test_a_10_mb_upload_is_stored_and_queued_without_being_read(
    login, program, alice, tmp_path, monkeypatch, queue, django_capture_on_commit_callbacks
):
    path = _ten_megabytes_of_activities(tmp_path / "activities.csv")
    assert 9.9 * 1024 * 1024 < path.stat().st_size <= 10 * 1024 * 1024

    def reading(*args, **kwargs):
        raise AssertionError("the request read the file")

    monkeypatch.setattr("transfer.format.open_import", reading)
    monkeypatch.setattr("transfer.jobs.program_data_import", reading)
    client = login(alice)
    client.get(reverse("program_import", args=[program.slug]))  # the page the form is on
    response = _post(client, program, path, django_capture_on_commit_callbacks)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("program_import_job", args=[program.slug, job.pk])
    assert job.state == State.QUEUED and job.created_by == alice
    assert job.filename == "activities.csv"
    assert default_storage.size(job.stored_file) == path.stat().st_size
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path == "transfer.tasks.preview_import"
    assert waiting.args_kwargs["args"] == [job.pk]
    assert job.task_id == str(waiting.id)
    page = client.get(response.url).content.decode()
    assert "The file is stored and waits for the background worker." in page
    assert 'hx-trigger="every 1s"' in page
    assert "Cancel the import" in page


def test_the_worker_checks_then_imports_and_the_result_stays(
    login, program, alice, sample, queue, django_capture_on_commit_callbacks
):
    client = login(alice)
    url = _post(client, program, sample, django_capture_on_commit_callbacks).url

    assert work_off_the_queue() == 1
    preview = client.get(url)
    job = preview.context["job"]
    assert job.state == State.PREVIEWED
    assert job.rows_total == job.rows_done > 0
    assert "Import now" in preview.content.decode()
    assert not program.sites.exists()

    choices = {"token": str(job.pk)}
    choices.update({f.name: f.value() for f in preview.context["confirm"].new_value_fields()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, choices)
    assert "Checking again before saving" in client.get(url).content.decode()
    assert work_off_the_queue() == 1

    done = client.get(url)
    job.refresh_from_db()
    assert job.state == State.DONE and job.finished_at is not None
    assert job.stored_file == "" and _stored_files() == []
    assert program.activities.count() == 2
    page = done.content.decode()
    assert "The data is imported." in page
    assert done.context["result"].counts["activities"].new == 2
    assert SecurityEvent.objects.filter(kind="import", program=program, user=alice).exists()
    states = [
        entry.changes_dict["state"][1]
        for entry in LogEntry.objects.get_for_object(job).order_by("pk")
        if "state" in entry.changes_dict
    ]
    assert states == ["queued", "previewing", "previewed", "importing", "done"]


def test_the_progress_panel_polls_while_the_job_runs_and_reloads_at_the_end(login, program, alice):
    job = ImportJob.objects.create(
        program=program, created_by=alice, filename="big.xlsx", state=State.IMPORTING
    )
    ImportJob.objects.filter(pk=job.pk).update(rows_done=20_000, rows_total=50_000, writing=True)
    client = login(alice)
    url = reverse("program_import_progress", args=[program.slug, job.pk])

    running = client.get(url)
    assert "Saving: 20,000 of 50,000 rows" in running.content.decode()
    assert 'value="40"' in running.content.decode()
    assert "HX-Refresh" not in running

    ImportJob.objects.filter(pk=job.pk).update(state=State.DONE)
    finished = client.get(url)
    assert finished["HX-Refresh"] == "true"
    assert "hx-trigger" not in finished.content.decode()


def test_cancelling_a_queued_check_deletes_the_upload_and_the_worker_skips_it(
    login, program, alice, sample, queue, django_capture_on_commit_callbacks
):
    client = login(alice)
    url = _post(client, program, sample, django_capture_on_commit_callbacks).url
    assert len(_stored_files()) == 1

    response = client.post(url, {"cancel": "1"}, follow=True)

    assert "Nothing was imported." in response.content.decode()
    assert _stored_files() == []
    work_off_the_queue()
    job = ImportJob.objects.get()
    assert job.state == State.CANCELLED and job.result == {}


@pytest.mark.django_db(transaction=True)  # the cancel is committed, as by another request
def test_a_cancel_during_the_write_rolls_everything_back(
    login, program, alice, sample, monkeypatch, django_capture_on_commit_callbacks
):
    client = login(alice)
    url = _post(client, program, sample, django_capture_on_commit_callbacks).url
    job = ImportJob.objects.get()
    preview = client.get(url)
    writing_seen = []
    original = jobs._Progress.progress

    def progress(self, rows, writing):
        original(self, rows, writing)
        if writing:
            writing_seen.append(rows)
            # The coordinator presses cancel while the first sheet is being written: another
            # request commits it, which the worker reads beside its transaction (PostgreSQL).
            side = self.side or connection
            with side.cursor() as cursor:
                cursor.execute(
                    "UPDATE transfer_importjob SET cancel_requested = %s WHERE id = %s",
                    [True, self.pk],
                )

    monkeypatch.setattr(jobs._Progress, "progress", progress)
    choices = {"token": str(job.pk)}
    choices.update({f.name: f.value() for f in preview.context["confirm"].new_value_fields()})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, choices)

    job.refresh_from_db()
    assert writing_seen  # it had started writing
    assert job.state == State.CANCELLED
    assert not program.sites.exists() and not program.areas.exists()
    assert _stored_files() == []
    assert "Nothing was imported." in client.get(url).content.decode()


def test_the_engine_reports_progress_and_stops_when_cancelled(program, sample):
    from transfer.format import open_import
    from transfer.importing import program_data_import

    heard = []
    with open_import(sample) as source:
        result = program_data_import(
            program=program, source=source, progress=lambda rows, w: heard.append((rows, w))
        )
    assert result.written
    assert (2, False) in heard and (2, True) in heard  # two activity rows, both passes

    program.activities.all().delete()
    with open_import(sample) as source, pytest.raises(ImportCancelled):
        program_data_import(program=program, source=source, cancelled=lambda: True)
    assert not program.activities.exists()


def test_the_stored_preview_reads_back_as_the_engine_gave_it(program, sample):
    result = run_import(program, sample, dry_run=True)

    again = jobs.result_of(jobs.result_data(result))

    assert again.counts == result.counts
    assert again.warnings == result.warnings
    assert again.preview == result.preview
    assert list(again.new_values) == list(result.new_values)
    assert [(v.decision, v.suggestion) for v in again.new_values.values()] == [
        (v.decision, v.suggestion) for v in result.new_values.values()
    ]
    assert again.options == result.options


def test_a_failed_task_shows_the_job_failed_and_removes_the_upload(
    login, program, alice, sample, queue, monkeypatch, django_capture_on_commit_callbacks
):
    client = login(alice)
    url = _post(client, program, sample, django_capture_on_commit_callbacks).url

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "program_data_import", crash)
    work_off_the_queue()

    page = client.get(url).content.decode()
    assert "The import failed unexpectedly; nothing was imported." in page
    assert ImportJob.objects.get().state == State.FAILED
    assert _stored_files() == []


def test_the_import_page_lists_past_imports_of_the_program_only(
    login, program, other_program, alice, charlie
):
    ImportJob.objects.create(
        program=program, created_by=alice, filename="ours.xlsx", state=State.DONE
    )
    ImportJob.objects.create(
        program=other_program, created_by=charlie, filename="theirs.xlsx", state=State.DONE
    )

    page = login(alice).get(reverse("program_import", args=[program.slug])).content.decode()

    assert "Past imports" in page and "ours.xlsx" in page
    assert "theirs.xlsx" not in page
    other = reverse("program_import_job", args=[program.slug, ImportJob.objects.last().pk])
    assert login(alice).get(other).status_code == 404


def test_a_job_the_worker_never_confirmed_is_swept_with_its_upload(program, alice, sample):
    job = services.job_start(
        program=program,
        by=alice,
        upload=SimpleUploadedFile("x.xlsx", sample.read_bytes()),
        language="en",
    )
    jobs.job_preview(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == State.PREVIEWED and default_storage.exists(job.stored_file)

    ImportJob.objects.filter(pk=job.pk).update(finished_at=job.created_at.replace(year=2000))
    assert jobs.expire_previews() == 1

    job.refresh_from_db()
    assert job.state == State.CANCELLED and _stored_files() == []


def _previewed(program, alice, path) -> ImportJob:
    """A file uploaded and checked by the worker, its preview confirmed as preselected."""
    job = services.job_start(
        program=program,
        by=alice,
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language="en",
    )
    jobs.job_preview(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == State.PREVIEWED
    choices = {(what, name.casefold()): "new" for what, name, *_rest in job.result["new_values"]}
    assert services.job_confirm(job=job, choices=choices)
    return job


def test_the_import_replays_the_rows_its_check_read_without_reading_the_file_again(
    program, alice, sample, monkeypatch
):
    job = _previewed(program, alice, sample)
    assert default_storage.exists(job.checked_rows)

    def reading(*args, **kwargs):
        raise AssertionError("the import read the workbook again")

    monkeypatch.setattr("transfer.format.open_import", reading)
    jobs.job_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == State.DONE
    assert sorted(program.activities.values_list("ref", flat=True)) == ["A1", "A2"]
    assert program.sites.get(name="Übergangsheim Nord").capacity == 120
    assert job.checked_rows == "" and _stored_files() == []


def test_checked_rows_changed_after_the_check_are_not_trusted(program, alice, sample):
    job = _previewed(program, alice, sample)
    path = default_storage.path(job.checked_rows)
    with open(path, "rb") as stored:
        rows = stored.read()
    with open(path, "wb") as stored:
        stored.write(rows.replace(b"120", b"999"))

    jobs.job_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == State.DONE
    assert program.sites.get(name="Übergangsheim Nord").capacity == 120  # as the file says


def test_checked_rows_of_another_upload_are_not_replayed(program, alice, sample, tmp_path):
    job = _previewed(program, alice, sample)
    sheets = sample_sheets()
    sheets["sites"][1][4] = 80
    other = write_xlsx(tmp_path / "other.xlsx", sheets)
    # The rows are intact, but the upload beside them is another file.
    with open(default_storage.path(job.stored_file), "wb") as stored:
        stored.write(other.read_bytes())

    jobs.job_import(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == State.DONE
    assert program.sites.get(name="Übergangsheim Nord").capacity == 80
