"""Rows streamed into PostgreSQL with COPY, in the caller's thread or sent behind it.

COPY (psycopg 3) writes tens of thousands of rows without building or parsing any SQL per row,
which at that scale costs more than the rows' own writing.

Inside :func:`write_behind`, a thread of the transaction's own sends each COPY while the caller
goes on preparing the next rows, so that the database server inserts (and checks) one batch
while the caller's process checks the next; on two cores that is the difference between the two
processes' times added and the longer of them. Every other statement of the caller waits until
the COPYs sent before it are done, so it sees what they wrote, unless it runs inside
:func:`ahead`, which says that it reads nothing they write.
"""

import datetime as dt
import queue
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from decimal import Decimal

_WRITER = "_lotse_write_behind"
MAX_BLOCK = 8000  # sequence values drawn ahead at a time (next_ids)
# While writing behind, the caller's thread hands the interpreter over this often (instead of
# every 5 ms), so that the writer goes on at once after each wait for the network.
SWITCH_INTERVAL = 0.0005


def copies(connection) -> bool:
    """Whether rows can be streamed with COPY (PostgreSQL through psycopg 3)."""
    return connection.vendor == "postgresql" and hasattr(connection.Database, "Copy")


def copy_rows(connection, table: str, columns: list[str], rows: Sequence[Sequence]) -> None:
    """Stream ``rows`` (values as ``get_db_prep_save`` gives them) into ``table``.

    The rows are written out as COPY's text here, in the caller's thread (see _text), so that
    a writer behind it only sends them."""
    try:
        text = "".join(["\t".join([_text(value) for value in row]) + "\n" for row in rows])
    except TypeError:  # a value psycopg adapts itself (JSON, arrays, ranges)

        def send(cursor):
            with cursor.copy(_statement(connection, table, columns)) as copy:
                for row in rows:
                    copy.write_row(row)

        _send(connection, table, columns, send)
    else:
        _copy_text(connection, table, columns, text)


_SIMPLE = {
    str: lambda value: (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    ),
    int: int.__repr__,  # also of a subclass (an enumeration, psycopg's Int2) as its number
    float: repr,
    Decimal: str,
    bool: lambda value: "t" if value else "f",
    dt.date: dt.date.isoformat,
    dt.datetime: dt.datetime.isoformat,
    dt.time: dt.time.isoformat,
    uuid.UUID: str,
}


def _text(value) -> str:
    """A value in COPY's text format, as psycopg would write it, for the types of values
    Django's fields prepare; TypeError for any other. (The escapes: backslash, tab, newline
    and carriage return; str.replace finds them far faster than str.translate.)"""
    if value is None:
        return "\\N"
    kind = type(value)
    convert = _SIMPLE.get(kind)
    if convert is None:
        # A subclass of one of them (a choice of an enumeration type): as its base.
        base = next((base for base in kind.__mro__ if base in _SIMPLE), None)
        if base is None or base is bool:
            raise TypeError(f"no text for COPY of {kind.__name__}")
        convert = _SIMPLE[kind] = _SIMPLE[base]
    return convert(value)


def _copy_text(connection, table: str, columns: list[str], text: str) -> None:
    """Stream ``text``, rows already in COPY's text format, into ``table``."""

    def send(cursor):
        with cursor.copy(_statement(connection, table, columns)) as copy:
            copy.write(text.encode())

    _send(connection, table, columns, send)


def next_ids(connection, table: str, column: str, count: int) -> list[int]:
    """``count`` new values of the sequence of ``table``'s ``column``, for records a COPY will
    write (COPY returns none).

    Behind a write they are drawn ahead in growing blocks (1,000, 2,000, 4,000, then 8,000 at a
    time), so that few batches wait for the COPY in flight; values drawn and not used are left
    out of the sequence, as a rolled-back transaction's are."""
    writer = getattr(connection, _WRITER, None)
    if writer is None:
        return _draw(connection, table, column, count)
    drawn = writer.drawn.setdefault((table, column), [])
    if len(drawn) < count:
        block = writer.blocks.get((table, column), 0)
        block = max(count - len(drawn), min(2 * block, MAX_BLOCK) or count)
        writer.blocks[(table, column)] = block
        with ahead(connection):
            drawn += _draw(connection, table, column, block)
    ids = drawn[:count]
    del drawn[:count]
    return ids


def _draw(connection, table: str, column: str, count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _statement(connection, table: str, columns: list[str]) -> str:
    quote = connection.ops.quote_name
    return f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"


def _send(connection, table: str, columns: list[str], send: Callable) -> None:
    started = time.monotonic()
    writer = getattr(connection, _WRITER, None)
    if writer is not None:
        writer.submit(send)
    else:
        with connection.cursor() as cursor:
            send(cursor.cursor)
    if connection.queries_logged:  # as Django logs the statements it runs (DEBUG, tests)
        connection.queries_log.append(
            {
                "sql": _statement(connection, table, columns),
                "time": f"{time.monotonic() - started:.3f}",
            }
        )


class _Writer:
    """Runs the COPYs handed to it, in order, on the connection's own database connection (the
    caller's transaction), in a thread of its own."""

    def __init__(self, connection):
        self.connection = connection
        self.database = connection.connection  # psycopg's connection: its lock orders the use
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.pending = 0
        self.done = threading.Condition()
        self.error: BaseException | None = None
        self.abandoned = False
        self.ahead = 0  # the caller's statements that need not wait for the COPYs sent
        self.asking = 0  # such statements waiting for the connection: they go first
        self.drawn: dict[tuple, list[int]] = {}  # sequence values drawn ahead (next_ids)
        self.blocks: dict[tuple, int] = {}
        self.thread = threading.Thread(target=self._work, name="copy-writer", daemon=True)
        self.thread.start()

    def submit(self, send: Callable) -> None:
        self.raise_error()
        with self.done:
            self.pending += 1
        self.jobs.put(send)

    def _work(self) -> None:
        while (send := self.jobs.get()) is not None:
            with self.done:
                while self.asking:
                    self.done.wait()
            try:
                if self.error is None and not self.abandoned:
                    with self.database.cursor() as cursor:
                        send(cursor)
            except BaseException as error:  # handed to the caller's thread
                self.error = error
            finally:
                with self.done:
                    self.pending -= 1
                    self.done.notify_all()

    def wait(self) -> None:
        """Until every COPY sent so far is done; raises the first that failed."""
        with self.done:
            while self.pending:
                self.done.wait()
        self.raise_error()

    def raise_error(self) -> None:
        if self.error is not None:
            with self.connection.wrap_database_errors:  # as Django's own errors
                raise self.error

    def before_statement(self, execute, sql, params, many, context):
        if not self.ahead:
            self.wait()
            return execute(sql, params, many, context)
        with self.done:
            self.asking += 1
        try:
            return execute(sql, params, many, context)
        finally:
            with self.done:
                self.asking -= 1
                self.done.notify_all()

    def close(self, *, abandon: bool) -> None:
        self.abandoned = abandon
        self.jobs.put(None)
        self.thread.join()


@contextmanager
def write_behind(connection):
    """Send the COPYs of this block behind it, in a transaction (PostgreSQL; elsewhere, and
    outside a transaction, the block runs as it is).

    Foreign keys are checked as each statement ends rather than at commit, so that their
    checks, too, run beside the caller's work: nothing the block writes may refer to a record
    written after it. On leaving, every COPY is done (when the block raised, the rest are
    dropped), and the first that failed is raised as Django's database error.
    """
    if not copies(connection) or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    writer = _Writer(connection)
    setattr(connection, _WRITER, writer)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with connection.execute_wrapper(writer.before_statement):
            yield
            writer.wait()
    except BaseException:
        writer.close(abandon=True)
        writer.raise_error()  # the cause, where a statement after it failed for it
        raise
    else:
        writer.close(abandon=False)
    finally:
        sys.setswitchinterval(interval)
        delattr(connection, _WRITER)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def ahead(connection):
    """Statements of this block need not wait for the COPYs sent behind: they read nothing
    those write (a sequence's next values, the records a batch is about to write)."""
    writer = getattr(connection, _WRITER, None)
    if writer is None:
        yield
        return
    writer.ahead += 1
    try:
        yield
    finally:
        writer.ahead -= 1
