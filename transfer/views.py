"""Import (upload → preview → confirm), export and the template workbook of a program's data.

The uploaded file is kept until the coordinator confirms the preview: under
``MEDIA_ROOT/imports/`` with a random name, referred to by a signed token that names the
program and the user and expires after an hour. Confirming or cancelling deletes it; files
left behind are swept away once they are older than that.

The preview lists the rows that would change and every area, topic or provider the file names
that the program does not have; the token carries that list, and the confirmation posts for
each whether to create it or which existing one to use. Nothing new is created otherwise.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from core.spreadsheets import FileRefused
from programs.access import Perm, program_view
from programs.security import export_record, import_record
from programs.selectors import exportable

from . import exporter
from . import format as fmt
from .forms import ExportForm, ImportConfirmForm, ImportUploadForm
from .importing import ImportResult, NewValue, program_data_import
from .importing.lookups import existing_values

IMPORT_SALT = "transfer.import"
IMPORT_MAX_AGE = 60 * 60
UPLOAD_SUFFIXES = (".xlsx", ".zip", ".csv", ".txt")
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{32}(\.(xlsx|zip|csv|txt))?$")
SHOWN_PROBLEMS = 200
TEMPLATE_FILENAME = "lotse-import-template.xlsx"


def import_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _sweep() -> None:
    """Delete uploads that were never confirmed."""
    directory = import_dir()
    if not directory.is_dir():
        return
    limit = time.time() - IMPORT_MAX_AGE
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue  # another server swept it first


def _store(upload) -> str:
    directory = import_dir()
    directory.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "").suffix.lower()
    name = secrets.token_urlsafe(24) + (suffix if suffix in UPLOAD_SUFFIXES else "")
    with open(directory / name, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    (directory / name).chmod(0o600)
    return name


def _discard(name: str) -> None:
    (import_dir() / name).unlink(missing_ok=True)


def _check(
    request, stored: str, original: str, *, dry_run: bool, mapping: dict | None = None
) -> ImportResult:
    """The import of a stored upload; new values only as ``mapping`` decides them."""
    with fmt.open_import(import_dir() / stored, original) as source:
        return program_data_import(
            program=request.program,
            source=source,
            by=request.user,
            dry_run=dry_run,
            create_new=False,
            mapping=mapping or {},
        )


def _summary(result: ImportResult) -> str:
    parts = [
        gettext("%(sheet)s: %(new)s new, %(updated)s updated, %(unchanged)s unchanged")
        % {"sheet": sheet, "new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for sheet, c in result.counts.items()
    ]
    return gettext("The data is imported. %(counts)s.") % {"counts": "; ".join(parts)}


def _confirmed_upload(request) -> dict | None:
    """The stored upload a confirm or cancel button refers to, if the token is good."""
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return None
    try:
        payload = signing.loads(
            form.cleaned_data["token"], salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE
        )
    except signing.BadSignature:
        return None
    if (
        payload.get("p") != request.program.pk
        or payload.get("u") != request.user.pk
        or not STORED_NAME.match(payload.get("f", ""))
        or not isinstance(payload.get("v"), list)
    ):
        return None
    return payload


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


def _offer(request, context: dict, result: ImportResult, stored: str, original: str) -> None:
    """The confirmation of a valid preview: the token and a choice per new value."""
    new_values = list(result.new_values.values())
    token = signing.dumps(
        {
            "p": request.program.pk,
            "u": request.user.pk,
            "f": stored,
            "n": original,
            "v": [[v.what, v.name, v.sheet, v.row] for v in new_values],
        },
        salt=IMPORT_SALT,
    )
    context["confirm"] = ImportConfirmForm(
        initial={"token": token}, new_values=new_values, options=result.options
    )


def _choices(request, payload: dict) -> dict:
    """What the confirmation decided for each new value of its preview (the valid choices)."""
    new_values = [NewValue(what, name, sheet, row) for what, name, sheet, row in payload["v"]]
    whats = dict.fromkeys(value.what for value in new_values)
    form = ImportConfirmForm(
        request.POST,
        new_values=new_values,
        options={what: existing_values(request.program, what) for what in whats},
    )
    form.is_valid()  # a choice that is not valid (any more) is asked for again
    return form.mapping()


@program_view(Perm.MANAGE_PROGRAM)
def program_import(request, program_slug):
    """Upload a file, see what importing it would do, then confirm; nothing is written before."""
    _sweep()
    context = _context(request, form=ImportUploadForm())
    if request.method == "POST" and "token" in request.POST:
        payload = _confirmed_upload(request)
        if payload is None or not (import_dir() / payload["f"]).is_file():
            messages.error(request, gettext("The preview has expired; upload the file again."))
            return redirect("program_import", program_slug)
        if "cancel" in request.POST:
            _discard(payload["f"])
            messages.info(request, gettext("Nothing was imported."))
            return redirect("program_import", program_slug)
        try:
            result = _check(
                request,
                payload["f"],
                payload["n"],
                dry_run=False,
                mapping=_choices(request, payload),
            )
        except FileRefused as error:
            result = None
            context["form"].add_error(None, str(error))
        if result is not None and result.valid and not result.written:
            # A new value is still undecided (the program's values changed meanwhile).
            messages.warning(
                request,
                gettext(
                    "Nothing was imported yet: choose for each new value below whether to "
                    "create it or which existing one to use."
                ),
            )
            _with_result(context, result)
            _offer(request, context, result, payload["f"], payload["n"])
            return render(request, "transfer/import.html", context)
        _discard(payload["f"])
        if result is not None and result.written:
            import_record(
                request=request,
                what="program_data",
                counts={
                    sheet: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
                    for sheet, c in result.counts.items()
                },
            )
            messages.success(request, _summary(result))
            return redirect("program_import", program_slug)
        if result is not None:
            _with_result(context, result)
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            stored = _store(upload)
            try:
                result = _check(request, stored, upload.name, dry_run=True)
            except FileRefused as error:
                _discard(stored)
                form.add_error("file", str(error))
            else:
                _with_result(context, result)
                if result.valid:
                    _offer(request, context, result, stored, upload.name)
                else:
                    _discard(stored)
    return render(request, "transfer/import.html", context)


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
