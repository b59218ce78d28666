"""What an import found and did: the problems, the counts per sheet, the rows that change.

Besides the counts, the first pass keeps what the preview shows: the first
:data:`PREVIEW_ROWS` rows per sheet that would be added or changed (:class:`SheetPreview`),
and every area, topic or provider the file names that the program does not have yet
(:class:`NewValue`), each with what to do about it.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

MAX_STORED_PROBLEMS = 10_000
PREVIEW_ROWS = 50  # per sheet
# The decision to create a new area, topic or provider (the alternative is an existing pk).
CREATE = "new"


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row is None:
            return gettext("%(sheet)s: %(message)s") % values
        if not self.column:
            return gettext("%(sheet)s, row %(row)s: %(message)s") % values
        return gettext("%(sheet)s, row %(row)s, %(column)s: %(message)s") % values


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class Change:
    """One field of a row: the value stored (``None`` for a new record) and the file's value.

    The values are the row's own (primary keys, sets) until the pass ends; then they are the
    texts the preview shows.
    """

    column: str
    field: str
    old: Any
    new: Any


@dataclass
class PreviewRow:
    number: int  # the spreadsheet's row
    key: str
    new: bool  # added (else changed)
    changes: list[Change]


@dataclass
class SheetPreview:
    """The first :data:`PREVIEW_ROWS` rows of a sheet that would be added or changed."""

    rows: list[PreviewRow] = field(default_factory=list)
    more: int = 0  # how many more would be added or changed

    @property
    def total(self) -> int:
        return len(self.rows) + self.more


@dataclass
class NewValue:
    """An area, topic or provider the file names that the program does not have yet."""

    what: str  # "area", "topic" or "provider"
    name: str  # as the file first writes it
    sheet: str
    row: int | None  # where the file first names it
    decision: Any = None  # CREATE, the pk of an existing record, or None (not decided)
    suggestion: Any = None  # the pk of the closest existing value, if one is close
    pk: Any = None  # what the rows refer to in this pass

    @property
    def key(self) -> tuple[str, str]:
        return (self.what, self.name.casefold())


@dataclass
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)  # per sheet in the file
    problems: list[Problem] = field(default_factory=list)  # the first MAX_STORED_PROBLEMS
    problem_count: int = 0
    ignored: list[str] = field(default_factory=list)  # sheets/files not in the format
    created: Counter = field(default_factory=Counter)  # areas, topics, providers added
    written: bool = False  # the import was carried out (committed)
    preview: dict[str, SheetPreview] = field(default_factory=dict)  # per sheet (first pass)
    new_values: dict[tuple[str, str], NewValue] = field(default_factory=dict)
    # The program's existing values to map new ones to: what -> [(pk, label)] (first pass).
    options: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    # Values that are unusual but possible; confirming the preview imports them.
    warnings: list[Problem] = field(default_factory=list)  # the first MAX_STORED_PROBLEMS
    warning_count: int = 0

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    @property
    def undecided(self) -> list[NewValue]:
        """New values neither confirmed nor mapped: the import waits for a decision."""
        return [value for value in self.new_values.values() if value.decision is None]

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(problem)

    @property
    def warnings_full(self) -> bool:
        """Whether no more warnings are kept: the next ones are only counted."""
        return len(self.warnings) >= MAX_STORED_PROBLEMS

    def add_warning(self, warning: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_STORED_PROBLEMS:
            self.warnings.append(warning)
