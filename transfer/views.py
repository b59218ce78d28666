"""Import (upload → preview → confirm), export and the template workbook of a program's data.

An upload is stored through Django's storage API and checked in the background
(``transfer/jobs.py``, run by the task worker); the request only stores it and queues the
check, so the page answers at once. The job's page shows a progress bar (polled by htmx)
and a cancel button, then the preview: the rows that would change, and every area, topic or
provider the file names that the program does not have, each with the choice to create it or
use an existing one. Confirming queues the import itself, all or nothing; the result stays
readable on the job's page, and the import page lists the program's past imports.
"""

import tempfile

from django.contrib import messages
from django.db import OperationalError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

from programs.access import Perm, program_view
from programs.security import export_record
from programs.selectors import exportable

from . import exporter, jobs, services
from . import format as fmt
from .forms import ExportForm, ImportConfirmForm, ImportUploadForm
from .importing import ImportResult
from .importing.lookups import existing_values
from .models import ImportJob

SHOWN_PROBLEMS = jobs.KEPT_PROBLEMS
SHOWN_JOBS = 20
TEMPLATE_FILENAME = "lotse-import-template.xlsx"
State = ImportJob.State


def _context(request, **kwargs) -> dict:
    return {
        "program": request.program,
        "sheets": fmt.SHEETS,
        "shown_problems": SHOWN_PROBLEMS,
        **kwargs,
    }


def _with_result(context: dict, result: ImportResult) -> dict:
    shown = result.problems[:SHOWN_PROBLEMS]
    context.update(
        result=result,
        problems=shown,
        more_problems=result.problem_count - len(shown),
        changed=[(sheet, p) for sheet, p in result.preview.items() if p.total],
    )
    return context


def _summary(result: ImportResult) -> str:
    parts = [
        gettext("%(sheet)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged")
        % {"sheet": sheet, "new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for sheet, c in result.counts.items()
    ]
    return gettext("The data is imported. %(counts)s.") % {"counts": "; ".join(parts)}


def _confirm_form(job: ImportJob, result: ImportResult, data=None) -> ImportConfirmForm:
    """The confirmation of a valid preview: a choice per new value."""
    new_values = list(result.new_values.values())
    if data is None:
        return ImportConfirmForm(
            initial={"token": str(job.pk)}, new_values=new_values, options=result.options
        )
    whats = dict.fromkeys(value.what for value in new_values)
    return ImportConfirmForm(
        data,
        new_values=new_values,
        options={what: existing_values(job.program, what) for what in whats},
    )


def _job(request, job_id) -> ImportJob:
    return get_object_or_404(request.program.import_jobs.select_related("created_by"), pk=job_id)


@program_view(Perm.MANAGE_PROGRAM)
def program_import(request, program_slug):
    """Upload a file; it is stored and checked in the background, nothing is written."""
    context = _context(request, form=ImportUploadForm())
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            job = services.job_start(
                program=request.program,
                by=request.user,
                upload=form.cleaned_data["file"],
                language=get_language() or "en",
            )
            return redirect("program_import_job", program_slug, job.pk)
    context["jobs"] = list(request.program.import_jobs.select_related("created_by")[:SHOWN_JOBS])
    return render(request, "transfer/import.html", context)


@program_view(Perm.MANAGE_PROGRAM)
def program_import_job(request, program_slug, job_id):
    """One import: its progress, its preview to confirm or cancel, or its result."""
    job = services.job_check(_job(request, job_id))
    if request.method == "POST":
        return _act(request, job)
    context = _context(request, job=job)
    if job.result:
        result = jobs.result_of(job.result)
        _with_result(context, result)
        if job.state == State.DONE:
            context["summary"] = _summary(result)
        if job.state == State.PREVIEWED and result.valid:
            context["confirm"] = _confirm_form(job, result)
            context["may_confirm"] = job.created_by_id == request.user.pk
            if job.result.get("asked_again"):
                # The import found a new value undecided (the program's values changed
                # meanwhile, or a choice was not valid): nothing is written, it asks again.
                context["asked_again"] = gettext(
                    "Nothing was imported yet: choose for each new value below whether to "
                    "create it or which existing one to use."
                )
    return render(request, "transfer/import_job.html", context)


def _act(request, job: ImportJob):
    slug = request.program.slug
    if "cancel" in request.POST:
        try:
            job = services.job_cancel(job=job)
        except OperationalError:  # SQLite while the import writes: too late to cancel
            messages.error(
                request, gettext("The import is being written; it cannot be cancelled now.")
            )
            return redirect("program_import_job", slug, job.pk)
        if job.state == State.CANCELLED:
            messages.info(request, gettext("Nothing was imported."))
        elif job.cancel_requested and job.running:
            messages.info(
                request, gettext("Cancelling: the import stops after the rows it is reading.")
            )
        return redirect("program_import_job", slug, job.pk)
    if job.state != State.PREVIEWED or job.created_by_id != request.user.pk:
        messages.error(
            request, gettext("This preview can no longer be imported; upload the file again.")
        )
        return redirect("program_import_job", slug, job.pk)
    form = _confirm_form(job, jobs.result_of(job.result), request.POST)
    form.is_valid()  # a choice that is not valid (any more) is asked for again
    if not services.job_confirm(job=job, choices=form.mapping()):
        messages.error(
            request, gettext("This preview can no longer be imported; upload the file again.")
        )
    return redirect("program_import_job", slug, job.pk)


@require_GET
@program_view(Perm.MANAGE_PROGRAM)
def program_import_progress(request, program_slug, job_id):
    """The progress panel, polled by htmx while the job runs; the whole page once it ends."""
    job = services.job_check(_job(request, job_id))
    response = render(request, "transfer/_import_progress.html", _context(request, job=job))
    if not job.running:
        response["HX-Refresh"] = "true"  # the page now shows the preview or the result
    return response


@program_view(Perm.MANAGE_PROGRAM)
def program_import_template(request, program_slug):
    """The empty workbook with every sheet's header and a help sheet."""
    response = HttpResponse(
        exporter.template_workbook(), content_type=exporter.CONTENT_TYPES[exporter.XLSX]
    )
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response


@program_view(Perm.MANAGE_PROGRAM)
def program_export(request, program_slug):
    """The program's data in the import format, for a date range."""
    program = request.program
    form = ExportForm(request.GET if "start" in request.GET else None, program=program)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        file_format = form.cleaned_data["file_format"]
        out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        result = exporter.program_data_export(
            program=program, start=start, end=end, out=out, file_format=file_format
        )
        out.seek(0)
        export_record(
            request=request,
            what="program_data",
            fmt=file_format,
            filters={"start": start.isoformat(), "end": end.isoformat()},
            withheld=result.withheld,
            # The participants sheet: everyone the other sheets may name.
            participants=program.participants.filter(exportable()).values_list("pk", flat=True),
        )
        if withheld := result.withheld_message():
            messages.warning(request, withheld)
        response = FileResponse(
            out,
            as_attachment=True,
            filename=f"{program.slug}-{start.isoformat()}-{end.isoformat()}.{file_format}",
            content_type=exporter.CONTENT_TYPES[file_format],
        )
        response["Cache-Control"] = "no-store"
        return response
    context = {
        "program": program,
        "form": form,
        "withheld": exporter.withheld_participants(program),
    }
    return render(request, "transfer/export.html", context)
