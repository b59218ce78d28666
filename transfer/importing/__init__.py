"""Importing a program's data from a workbook or CSV files (the format is in ``format.py``).

:func:`program_data_import` makes two passes. The first checks every row of every sheet and
counts what importing would do (new, updated, unchanged per sheet) without writing anything;
it reports every problem as ``sheet, row, column: message``, keeps the first 50 rows per sheet
that would be added or changed for the preview, and lists the areas, topics and providers the
file names that the program does not have: each is created only when the caller says so, or
mapped to an existing one. Only when the whole file is valid
(and it is not a dry run) does the second pass write, in one transaction: if anything goes
wrong there, nothing is kept. The second pass replays the rows the first one read from a
temporary spool file instead of parsing the workbook again; a file where every row is
unchanged needs no second pass.

Both passes stream the rows in batches: references are resolved with dicts loaded once per
run, existing records are compared with ``values()`` loaded per batch by natural key, and
writes are ``bulk_create`` / ``bulk_update`` per batch, with many-to-many rows inserted into
the through tables directly (``COPY`` on PostgreSQL), so memory stays bounded however long
the file is.

Natural keys: site name, volunteer code, participant code, self-help group name, the ref of
activities, referrals, matches, questionnaires, trainings, training sessions and supervision
sessions, and an enrolment's training and volunteer together. A ref of the form ``A-<id>``
(``R-<id>``, ``M-<id>``, ``Q-<id>``, ``T-<id>``, ``TS-<id>``, ``S-<id>``) that the exporter gave
a record without a ref of its own refers to that record of the program, so an edited export
can be imported back. A column that is missing from a sheet leaves that field of existing
records as it is; an empty cell in a present column clears it.

The modules: ``engine`` makes the passes and the all-or-nothing write; ``results`` holds what
an import found and did; ``lookups`` the references of one pass and the new values;
``preview`` the rows the preview shows; ``rows`` reads a row's cells by type; ``sheets`` has
one handler per sheet, mapping its rows to a model.
"""

from .engine import ImportCancelled, program_data_import
from .results import CREATE, Counts, ImportResult, NewValue, Problem

__all__ = [
    "CREATE",
    "Counts",
    "ImportCancelled",
    "ImportResult",
    "NewValue",
    "Problem",
    "program_data_import",
]
