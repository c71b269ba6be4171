"""What an import found and did: :class:`ImportReport`, its Excel form, and the fixable file.

A report lists every problem as an :class:`Issue`: the row number as the user sees it in the file
(None for the file as a whole), the column header, the cell's value, a stable ``code`` (what
tests and the web UI match on), the message in the user's language, and the severity ("error"
rejects the row; "warning" is kept for review).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

#: More issues than this are counted but not listed (the report of a garbage file stays small).
MAX_LISTED_ISSUES = 100_000
FIX_COLUMN = "错误说明"


@dataclass(frozen=True)
class Issue:
    row: int | None
    column: str
    value: str
    code: str
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class ImportReport:
    """The outcome of one import (or dry run).

    ``state``: "written" (everything written), "partial" (good rows written, bad rows in
    ``fixable_path``), "rejected" (nothing written) or "dry_run" (nothing written by request).
    ``counts`` maps a record type ("registry.person") to created / updated / unchanged numbers
    (for a dry run: what would have happened).
    """

    kind: str
    file_name: str
    state: str = "rejected"
    dry_run: bool = False
    rows: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    issues_not_listed: int = 0
    queued_addresses: int = 0
    fixable_path: Path | None = None
    import_run_id: int | None = None
    seconds: float = 0.0

    @property
    def file_errors(self) -> list[Issue]:
        return [i for i in self.issues if i.row is None and i.is_error]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def written(self) -> bool:
        return self.state in ("written", "partial")

    def add(self, issue: Issue) -> None:
        if len(self.issues) < MAX_LISTED_ISSUES:
            self.issues.append(issue)
        else:
            self.issues_not_listed += 1

    def count(self, record_type: str, outcome: str, n: int = 1) -> None:
        c = self.counts.setdefault(record_type, {"created": 0, "updated": 0, "unchanged": 0})
        c[outcome] += n

    def total(self, outcome: str) -> int:
        return sum(c.get(outcome, 0) for c in self.counts.values())

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.row or 0, i.severity != "error"))


def report_to_xlsx(report: ImportReport, path: str | Path) -> Path:
    """Write the report as an Excel file: a summary sheet and one row per issue (write-only mode,
    so a long report does not sit in memory twice). Uses the active language for labels."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(_("Summary"))
    state_labels = {
        "written": _("Written"),
        "partial": _("Good rows written, bad rows returned"),
        "rejected": _("Rejected: nothing written"),
        "dry_run": _("Dry run: nothing written"),
    }
    summary.append([_("File"), report.file_name])
    summary.append([_("Outcome"), state_labels.get(report.state, report.state)])
    summary.append([_("Rows"), report.rows])
    summary.append([_("Rows without errors"), report.rows_ok])
    summary.append([_("Rows with errors"), report.rows_rejected])
    summary.append([_("Records created"), report.total("created")])
    summary.append([_("Records updated"), report.total("updated")])
    summary.append([_("Records unchanged"), report.total("unchanged")])
    summary.append([_("Addresses queued for cleaning"), report.queued_addresses])
    if report.issues_not_listed:
        summary.append([_("Issues not listed"), report.issues_not_listed])
    sheet = wb.create_sheet(_("Issues"))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Problem"), _("Code"), _("Severity")])
    severity = {"error": _("Error"), "warning": _("Warning")}
    for i in report.sorted_issues():
        sheet.append(
            [
                i.row if i.row is not None else _("File"),
                i.column,
                i.value,
                i.message,
                i.code,
                severity[i.severity],
            ]
        )
    wb.save(path)
    return path


class FixableWriter:
    """The bad rows of a good-rows import, with their original cells and one more column saying
    what is wrong; the file re-imports once fixed (the extra column is ignored on import)."""

    def __init__(self, path: Path, headers: list[str]) -> None:
        from openpyxl import Workbook

        self.path = path
        self.rows = 0
        self._wb = Workbook(write_only=True)
        self._sheet = self._wb.create_sheet(_("Rows to fix"))
        self._width = len(headers)
        self._sheet.append([*headers, FIX_COLUMN])

    def add(self, cells: list[str], messages: Iterable[str]) -> None:
        row = (cells + [""] * self._width)[: self._width]
        self._sheet.append([*row, "；".join(dict.fromkeys(messages))])
        self.rows += 1

    def close(self) -> Path:
        self._wb.save(self.path)
        return self.path
