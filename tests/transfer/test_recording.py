"""The rows a check read, recorded as JSON and replayed for the import."""

import datetime as dt
import io
import tempfile

import pytest

from core.spreadsheets import SheetSource, Source
from transfer.importing import recording

ROWS = [
    (1, ("ref", "date", "when", "minutes", "share", "done", "note")),
    (2, ("A1", dt.datetime(2024, 3, 31), dt.time(9, 30), 90, 0.5, True, None)),
    (3, ("A2", dt.date(2024, 4, 1), dt.datetime(2024, 4, 1, 9, 5, 7), 45.0, -1, False, "x\ty\n")),
    (5, ("A3 “quoted”\u2028", "2024-04-02", "", 2**60, 1e300, None, "=SUM(A1)")),
]


def _source() -> Source:
    return Source(
        sheets={
            "sites": SheetSource("sites", lambda: iter([])),
            "activities": SheetSource("activities", lambda: iter(ROWS)),
        },
        ignored=["notes"],
    )


def _recorded(upload: str = "abc") -> tuple[io.BufferedRandom, recording.Recorder]:
    file = tempfile.TemporaryFile()
    recorder = recording.Recorder(_source(), file, upload=upload)
    for sheet in recorder.source.sheets.values():
        list(sheet.rows())
    return file, recorder


def test_the_rows_replay_as_the_reader_gave_them_as_often_as_a_pass_reads_them():
    file, recorder = _recorded()

    replayed = recording.replay(file, upload="abc")

    assert list(replayed.sheets) == ["sites", "activities"]
    assert replayed.ignored == ["notes"]
    assert list(replayed.sheets["sites"].rows()) == []
    first = list(replayed.sheets["activities"].rows())
    assert first == ROWS
    assert [type(v) for _n, values in first for v in values] == [
        type(v) for _n, values in ROWS for v in values
    ]
    assert list(replayed.sheets["activities"].rows()) == ROWS
    assert recording.file_digest(file) == recorder.digest


def test_rows_of_another_upload_or_format_are_refused():
    file, _recorder = _recorded()

    with pytest.raises(recording.NotTheseRows):
        recording.replay(file, upload="another")
    with pytest.raises(recording.NotTheseRows):
        recording.replay(io.BytesIO(b"\x80\x04not json\n"))
