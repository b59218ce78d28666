"""What an import found and did: the problems, and the counts per sheet."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext

MAX_STORED_PROBLEMS = 10_000


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
class ImportResult:
    counts: dict[str, Counts] = field(default_factory=dict)  # per sheet in the file
    problems: list[Problem] = field(default_factory=list)  # the first MAX_STORED_PROBLEMS
    problem_count: int = 0
    ignored: list[str] = field(default_factory=list)  # sheets/files not in the format
    created: Counter = field(default_factory=Counter)  # areas, topics, providers added
    written: bool = False  # the import was carried out (committed)
    # Values that are unusual but possible; confirming the preview imports them.
    warnings: list[Problem] = field(default_factory=list)  # the first MAX_STORED_PROBLEMS
    warning_count: int = 0

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_STORED_PROBLEMS:
            self.problems.append(problem)

    def add_warning(self, warning: Problem) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_STORED_PROBLEMS:
            self.warnings.append(warning)
