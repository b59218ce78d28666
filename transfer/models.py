"""An import of a program's data that runs in the background (``transfer/jobs.py``).

The upload is kept through Django's storage API (``default_storage``) under ``imports/`` until
the import is done, cancelled or failed, or its preview expires; then it is deleted, and so are
the rows its check read, kept beside it for the import. What the
preview and the import found (counts, problems, warnings, the rows that change) is kept in
``result`` as plain JSON, so the page can show it afterwards.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.models import Program


class ImportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to be checked")
        PREVIEWING = "previewing", _("checking the file")
        PREVIEWED = "previewed", _("checked, waiting for confirmation")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("not imported")
        CANCELLED = "cancelled", _("cancelled")

    # States in which a task works (or is about to) and the page shows progress.
    RUNNING = (State.QUEUED, State.PREVIEWING, State.IMPORTING)
    # States after which nothing more happens; the stored upload is gone.
    FINISHED = (State.DONE, State.FAILED, State.CANCELLED)

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("program"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    # The upload's name in default_storage; empty once it is deleted.
    stored_file = models.CharField(_("stored file"), max_length=255, blank=True)
    # The rows the check read, as JSON in default_storage (transfer.importing.recording), and
    # their SHA-256: the import replays them instead of reading the upload again.
    checked_rows = models.CharField(_("checked rows"), max_length=255, blank=True)
    checked_rows_sha256 = models.CharField(_("checked rows' SHA-256"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    writing = models.BooleanField(_("writing"), default=False)
    # The decision for each new area, topic or provider: [[what, casefolded name, choice]].
    choices = models.JSONField(_("choices"), default=list, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data import")
        verbose_name_plural = _("data imports")
        ordering = ["program_id", "-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "-created_at"], name="importjob_program_time")]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in self.RUNNING

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
