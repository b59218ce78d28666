"""The rows a pass over a file read, written down so that a later pass need not read the file
again: the import of a confirmed preview replays the rows its preview read, and the engine's
second pass replays its first.

The rows are plain JSON (never pickles), one line per batch of rows: the sheet's name, a tab,
and the batch as ``[[row number, [cell, …]], …]``. Cells are what the spreadsheet reader gives
(text, numbers, yes/no, empty), dates and times as ``{"date": "2024-03-31"}``,
``{"datetime": …}`` or ``{"time": …}``. The first line says which sheets the file had, which
it ignored, and the SHA-256 of the upload the rows were read from, so that rows kept apart from
their upload (through the storage API) are only replayed for the same file.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from itertools import islice
from typing import BinaryIO

from core.spreadsheets import Rows, SheetSource, Source

FORMAT = 1
BATCH = 1000  # rows per line

_DECODERS = {
    "date": dt.date.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
    "time": dt.time.fromisoformat,
}


class NotTheseRows(Exception):  # noqa: N818 (what was found, not a failure)
    """The recorded rows are not of this format or not of this upload."""


def _default(value):
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    raise TypeError(f"a cell of type {type(value).__name__} cannot be recorded")


def _tagged(obj: dict):
    if len(obj) != 1:
        raise ValueError("not a recorded cell")
    ((tag, text),) = obj.items()
    return _DECODERS[tag](text)


_encode = json.JSONEncoder(
    default=_default, ensure_ascii=False, check_circular=False, separators=(",", ":")
).encode
_decode = json.JSONDecoder(object_hook=_tagged).decode


def file_digest(file: BinaryIO) -> str:
    """The SHA-256 of an open binary file, read from its start."""
    file.seek(0)
    return hashlib.file_digest(file, "sha256").hexdigest()


class Recorder:
    """Writes the rows of ``source`` to ``file`` as :attr:`source`'s sheets are read.

    Only the rows a pass reads are written, in the order it reads them; a replay gives a pass
    the same rows. ``upload`` is the SHA-256 of the file they come from (``""`` for a
    temporary recording that never leaves the process). :attr:`digest` is the SHA-256 of all
    that was written.
    """

    def __init__(self, source: Source, file: BinaryIO, *, upload: str = ""):
        self.file = file
        self._hash = hashlib.sha256()
        self._write(
            {
                "format": FORMAT,
                "upload": upload,
                "sheets": list(source.sheets),
                "ignored": list(source.ignored),
            }
        )
        self.source = Source(
            sheets={
                name: SheetSource(name, lambda name=name, sheet=sheet: self._record(name, sheet))
                for name, sheet in source.sheets.items()
            },
            ignored=list(source.ignored),
        )

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()

    def _write(self, data, name: str = "") -> None:
        line = (name + "\t" if name else "").encode() + _encode(data).encode() + b"\n"
        self._hash.update(line)
        self.file.write(line)

    def _record(self, name: str, sheet: SheetSource) -> Rows:
        rows = sheet.rows()
        while batch := list(islice(rows, BATCH)):
            self._write(batch, name)
            yield from batch


def replay(file: BinaryIO, *, upload: str = "") -> Source:
    """The rows recorded in ``file`` (open, binary, seekable) as a :class:`Source` whose sheets
    can be read as often as a pass needs. Raises :class:`NotTheseRows` if the file is not a
    recording of this format, or (``upload`` given) not of that upload."""
    file.seek(0)
    try:
        header = json.loads(file.readline())
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise NotTheseRows("not a recording of rows")
        if upload and header.get("upload") != upload:
            raise NotTheseRows("the rows are of another file")
        sheets = list(header["sheets"])
        ignored = list(header["ignored"])
    except (ValueError, KeyError, TypeError) as error:
        raise NotTheseRows("not a recording of rows") from error
    # Where each sheet's lines start (a recording holds a few lines per thousand rows).
    starts: dict[str, int] = {}
    while True:
        position = file.tell()
        line = file.readline()
        if not line:
            break
        name = line.partition(b"\t")[0].decode()
        starts.setdefault(name, position)
    return Source(
        sheets={
            name: SheetSource(name, lambda name=name: _replay(file, name, starts.get(name)))
            for name in sheets
        },
        ignored=ignored,
    )


def _replay(file: BinaryIO, name: str, position: int | None) -> Iterator[tuple[int, tuple]]:
    if position is None:
        return
    prefix = name.encode() + b"\t"
    while True:
        file.seek(position)  # another sheet's replay may have moved the file
        line = file.readline()
        position = file.tell()
        if not line.startswith(prefix):
            return
        for number, values in _decode(line[len(prefix) :].decode()):
            yield number, tuple(values)
