"""Rows streamed with COPY, in the caller's thread and sent behind it (PostgreSQL)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from core import bulk
from programs.models import ActivityKind
from sessions_log.models import Activity
from transfer.importing.sheets.base import Handler

from ..transfer.helpers import messages, run_import, sample_sheets, write_xlsx

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

ROWS = [
    [
        "tab\there, new\nline, back\\slash, return\r, \\N as text",
        7,
        True,
        dt.date(2026, 2, 28),
        dt.datetime(2026, 3, 1, 23, 59, 58, 123456, tzinfo=dt.UTC),
        Decimal("12.50"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
        ActivityKind.GROUP,
    ],
    [None, None, False, None, None, None, None, None],
]


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_probe (s text, i integer UNIQUE, b boolean, d date, "
            "t timestamptz, n numeric(6, 2), u uuid, k text)"
        )
    yield "bulk_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bulk_probe")


def _stored(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s, i, b, d, t, n, u, k FROM {table} ORDER BY i NULLS LAST")  # noqa: S608
        return [list(row) for row in cursor.fetchall()]


def test_every_kind_of_value_arrives_as_it_was(table):
    bulk.copy_rows(connection, table, ["s", "i", "b", "d", "t", "n", "u", "k"], ROWS)

    assert _stored(table) == [[*ROWS[0][:7], "group"], ROWS[1]]


def test_rows_sent_behind_are_written_before_the_next_statement_reads(table):
    with transaction.atomic(), bulk.write_behind(connection):
        bulk.copy_rows(connection, table, ["s", "i", "b", "d", "t", "n", "u", "k"], ROWS)
        assert len(_stored(table)) == 2


def test_a_copy_that_fails_behind_raises_in_the_block_and_keeps_nothing(table):
    columns = ["s", "i", "b", "d", "t", "n", "u", "k"]
    with pytest.raises(IntegrityError):
        with transaction.atomic(), bulk.write_behind(connection):
            bulk.copy_rows(connection, table, columns, ROWS)
            bulk.copy_rows(connection, table, columns, ROWS[:1])  # the same number again
            _stored(table)  # waits for both, and fails for the second
    assert _stored(table) == []


def test_an_import_that_meets_a_record_written_meanwhile_imports_nothing(
    program, tmp_path, monkeypatch
):
    sample = write_xlsx(tmp_path / "in2balance.xlsx", sample_sheets())
    assert run_import(program, sample).written
    before = Activity.objects.count()
    # As if another import had written the same refs after this one looked them up.
    monkeypatch.setattr(Handler, "existing", lambda self, keys: {})

    result = run_import(program, sample)

    assert not result.written
    assert "The program's data changed while importing" in " ".join(messages(result))
    assert Activity.objects.count() == before
