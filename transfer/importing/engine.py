"""A pass over the file, and the import as a whole: check it all, then write it all or nothing."""

import tempfile
from collections.abc import Callable, Iterator, Mapping
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext

from core import bulk
from core.spreadsheets import FileRefused, Source, cell_text, quoted
from programs.models import Program
from sessions_log.selectors import forget_session_languages

from .. import format as fmt
from . import preview, recording
from .lookups import DataChanged, Run
from .results import Counts, ImportResult, Problem
from .rows import ABSENT, Row
from .sheets import HANDLERS
from .sheets.base import BATCH, Handler


class ImportCancelled(Exception):  # noqa: N818 (what happened, not an error)
    """The caller's ``cancelled`` check said to stop; nothing of the run was kept."""


class _Ticker:
    """Tells the caller how many rows a pass has read, and asks whether to go on.

    ``progress(rows, writing)`` is called after each batch with the rows read so far in this
    pass; ``cancelled()`` is asked after each batch and stops the run with
    :class:`ImportCancelled` (inside the write pass's transaction, so nothing is kept).
    """

    def __init__(self, progress=None, cancelled=None, *, writing: bool):
        self.progress = progress
        self.cancelled = cancelled
        self.writing = writing
        self.rows = 0

    def tick(self, rows: int) -> None:
        self.rows += rows
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled
        if self.progress is not None:
            self.progress(self.rows, self.writing)


def _column_name(value) -> str:
    return cell_text(value).strip().rstrip("*").strip().casefold().replace(" ", "_")


def _header(run: Run, sheet: fmt.Sheet, values: tuple) -> tuple[dict[str, int], bool]:
    """Column name -> index, and whether rows can be imported (required columns present)."""
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        name = _column_name(value)
        if not name:
            continue
        if name not in sheet.names:
            run.problem(
                sheet.name,
                1,
                quoted(cell_text(value)),
                gettext("unknown column; the columns of this sheet are: %(columns)s")
                % {"columns": ", ".join(sheet.names)},
            )
        elif name in columns:
            run.problem(sheet.name, 1, name, gettext("the column appears twice"))
        else:
            columns[name] = index
    complete = True
    for name in sheet.required:
        if name not in columns:
            complete = False
            run.problem(sheet.name, 1, name, gettext("this required column is missing"))
    return columns, complete


def _batches(iterator: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(iterator, size)):
        yield batch


def _blank(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _import_sheet(
    run: Run, handler: Handler, rows: Iterator[tuple[int, tuple]], ticker: _Ticker | None = None
) -> None:
    sheet = handler.sheet
    counts = run.result.counts.setdefault(sheet.name, Counts())
    first = next(rows, None)
    while first is not None and _blank(first[1]):
        first = next(rows, None)
    if first is None:
        return
    columns, complete = _header(run, sheet, first[1])
    if sheet.key not in columns:
        return
    seen: dict[str, int] = {}
    defaults = handler.defaults()
    shown = None if run.write else preview.Collector(run.result, handler)
    for batch in _batches(rows, BATCH):
        if ticker is not None:
            ticker.tick(len(batch))
        parsed = []
        for number, values in batch:
            if _blank(values):
                continue
            cells = {
                name: values[index] if index < len(values) else None
                for name, index in columns.items()
            }
            row = Row(run, sheet, number, cells)
            run.at = (sheet.name, number)
            key = handler.row_key(row)
            if key and key in seen:
                row.error(
                    sheet.key,
                    gettext("“%(value)s” is already in row %(row)s")
                    % {"value": quoted(key), "row": seen[key]},
                )
            elif key:
                seen[key] = number
                handler.register(key)
            data = handler.parse(row)
            parsed.append((row, key, data))
        if not complete:
            continue
        with bulk.ahead(connection):  # the batches written before hold none of these keys
            existing = handler.existing([key for row, key, _data in parsed if row.ok and key])
        creates, updates = [], []
        for row, key, data in parsed:
            if not row.ok:
                continue
            old = existing.get(key)
            merged = (
                dict(old.values)
                if old is not None
                else {
                    **defaults,
                    **{name: frozenset() for name in handler.m2m},
                }
            )
            merged.update({name: v for name, v in data.items() if v is not ABSENT})
            handler.complete(row, merged, data, old)
            if not row.ok:
                continue
            if old is None:
                counts.new += 1
                creates.append((key, merged))
            elif any(merged[name] != value for name, value in old.values.items()):
                counts.updated += 1
                updates.append((key, merged, old))
            else:
                counts.unchanged += 1
                continue
            if shown is not None:
                shown.add(row.number, key, merged, old)
        if run.write and run.result.valid:
            handler.write(creates, updates)
    handler.finish()


class _Spool:
    """The rows read in the first pass, recorded in a temporary file for the second, so that
    it need not parse the workbook again; memory stays at one batch."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.recorder: recording.Recorder | None = None

    def record(self, source: Source) -> Source:
        self.recorder = recording.Recorder(source, self.file)
        return self.recorder.source

    def replay(self) -> Source:
        self.file.flush()
        return recording.replay(self.file)

    def close(self) -> None:
        self.file.close()


def _run(
    *,
    program: Program,
    source: Source,
    by,
    write: bool,
    create_new: bool = True,
    mapping: Mapping | None = None,
    progress: Callable[[int, bool], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportResult:
    """One pass over the file: checking only, or checking and writing (``write``).

    A pass that only checks also gathers the preview: the rows that change, and the new values with
    the existing ones they may be mapped to.
    """
    result = ImportResult(ignored=list(source.ignored))
    run = Run(
        program=program,
        by=by,
        write=write,
        result=result,
        create_new=create_new,
        mapping=mapping,
    )
    ticker = _Ticker(progress, cancelled, writing=write) if progress or cancelled else None
    for sheet in fmt.SHEETS:
        if sheet.name not in source.sheets:
            continue
        try:
            _import_sheet(run, HANDLERS[sheet.name](run), source.sheets[sheet.name].rows(), ticker)
        except FileRefused as error:  # found while reading the rows (encoding, damage)
            run.problem(sheet.name, None, "", str(error))
    if not write:
        for what in dict.fromkeys(value.what for value in result.new_values.values()):
            result.options[what] = run.existing(what)[0]
        if result.valid:
            preview.label(result)
    return result


def program_data_import(
    *,
    program: Program,
    source: Source,
    by=None,
    dry_run: bool = False,
    create_new: bool = True,
    mapping: Mapping | None = None,
    progress: Callable[[int, bool], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    checked: bool = False,
) -> ImportResult:
    """Check the whole file, then (unless ``dry_run`` or invalid) write it in one transaction.

    The result counts new, updated and unchanged records per sheet, lists the problems and
    previews the rows that change; ``written`` says whether anything was saved.

    An area, topic or provider the file names that the program does not have is created if
    ``mapping`` says so (``(what, casefolded name) -> CREATE``) or, when the mapping does not
    name it, if ``create_new``; a mapping to the pk of an existing one uses that one instead.
    Without either, the value is undecided (``result.undecided``) and nothing is written.

    ``progress(rows, writing)`` hears after each batch how many rows the pass has read
    (``writing`` in the second pass); ``cancelled()``, asked after each batch, stops the
    import with :class:`ImportCancelled` when it returns true, and nothing is written.

    ``checked`` says that a dry run of this file has just passed and ``mapping`` decides its
    new values (a confirmed preview): the file is then read once, checked and written in the
    same pass, which is rolled back if a problem shows (the program's data may have changed
    meanwhile). Should a new value have no valid decision, the whole import is checked again
    as without ``checked``, so the result asks for the decision.
    """
    choices = {
        "create_new": create_new,
        "mapping": mapping,
        "progress": progress,
        "cancelled": cancelled,
    }
    if checked and not dry_run:
        try:
            return _write(program=program, source=source, by=by, **choices)
        except DataChanged:
            pass
        except IntegrityError:
            return _changed(ImportResult(ignored=list(source.ignored)))
    spool = None if dry_run else _Spool()
    try:
        first = source if spool is None else spool.record(source)
        result = _run(program=program, source=first, by=by, write=False, **choices)
        if not result.valid or dry_run or result.undecided:
            return result
        if not result.created and not any(c.new or c.updated for c in result.counts.values()):
            result.written = True  # every row is unchanged: there is nothing to write
            return result
        return _write(program=program, source=spool.replay(), by=by, **choices)
    except (IntegrityError, DataChanged):
        return _changed(ImportResult(counts=result.counts, ignored=result.ignored))
    finally:
        if spool is not None:
            spool.close()


def _write(*, program: Program, **pass_options) -> ImportResult:
    """The writing pass in one transaction, rolled back if it finds a problem."""
    with transaction.atomic():
        # One import at a time per program.
        list(Program.objects.select_for_update().filter(pk=program.pk).values_list("pk"))
        # The server writes and checks each batch while the next is read and checked.
        with bulk.write_behind(connection):
            written = _run(program=program, write=True, **pass_options)
        if not written.valid:
            transaction.set_rollback(True)
            return written
        written.written = True
        transaction.on_commit(lambda: forget_session_languages(program.pk))
    return written


def _changed(failed: ImportResult) -> ImportResult:
    failed.add_problem(
        Problem(
            gettext("file"),
            None,
            "",
            gettext(
                "The program's data changed while importing, so nothing was imported. "
                "Please try again."
            ),
        )
    )
    return failed
