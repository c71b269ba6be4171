"""What every kind of import shares: the context it validates against, a row in flight, and the
interface a kind implements (:class:`KindImporter`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from ybss.core.data import known_region_codes
from ybss.core.identifiers import check_id_number, check_phone, normalize_phone
from ybss.org.models import User
from ybss.transfer import columns

from .parse import CodeMaps, clean_all, parse_bool, parse_date, parse_decimal, parse_int
from .report import Issue
from .resolve import AddressIndex, CollectorIndex

Changes = dict[str, tuple[Any, Any]]


@dataclass
class Context:
    """Everything validation looks up, loaded once per import."""

    actor: User
    kind: str
    file_name: str
    today: date
    dry_run: bool
    headers: dict[str, str]  # column key → the header text the file uses
    codes: CodeMaps
    addresses: AddressIndex
    collectors: CollectorIndex
    county_code: str = field(default_factory=lambda: settings.YBSS_COUNTY_CODE)
    regions: frozenset[str] = field(default_factory=known_region_codes)
    #: normalised address text → [raw text, first row, source_ref, times seen]
    unmatched: dict[str, list[Any]] = field(default_factory=dict)

    def header(self, key: str) -> str:
        return self.headers.get(key) or columns.TEMPLATES[self.kind].column(key).header

    def __post_init__(self) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # stored text: the installation's language
            self._reason = _("Import %(file)s row %(row)d")
            self._by = _("; collected by %(name)s")
            self._at = _("; collected at %(time)s")

    def reason(self, row: int, collector: str = "", collected_at: str = "") -> str:
        """The history reason for a row: "导入 <file> 第N行", with the collector and time if given."""
        text = self._reason % {"file": self.file_name, "row": row}
        if collector:
            text += self._by % {"name": collector}
        if collected_at:
            text += self._at % {"time": collected_at}
        return text


@dataclass
class Row:
    """One data row: the cells as read, the cells by column key, what is wrong, and the plan
    (kind-specific, picklable) of what writing it would do."""

    number: int
    cells: list[str]
    values: dict[str, str]
    clean: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    plan: Any = None
    #: (key, column) pairs that must be unique within the file, e.g. the document number
    unique: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(i.is_error for i in self.issues)

    @classmethod
    def read(cls, number: int, cells: list[str], columns: list[tuple[int, str]]) -> Row:
        """A row from the file's cells; ``columns`` are (position, key) of the known columns."""
        values = {k: cells[i] for i, k in columns}
        return cls(number, cells, values, dict(zip(values, clean_all(list(values.values())), strict=True)))

    def text(self, key: str) -> str:
        """The cleaned text of column ``key`` ("" when absent)."""
        return self.clean.get(key, "")


class KindImporter:
    """One kind of import. ``check`` validates a chunk of rows (with bulk look-ups), setting each
    row's issues, ``unique`` and ``plan``; ``write`` applies the plans of good rows in one batch
    inside the import's transaction and counts the outcomes into the report."""

    kind: ClassVar[str]
    codelists: ClassVar[tuple[str, ...]] = ()
    #: plan slot → the record type its operation writes ("p" → "registry.person")
    slots: ClassVar[dict[str, str]] = {}

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def issue(self, row: Row, key: str, code: str, message: Any, severity: str = "error") -> None:
        row.issues.append(
            Issue(
                row=row.number,
                column=self.ctx.header(key),
                value=self.value_of(row, key),
                code=code,
                message=str(message),
                severity=severity,
            )
        )

    def value_of(self, row: Row, key: str) -> str:
        return row.values.get(key, "")

    def code(self, row: Row, key: str, slug: str, *, required: bool = False) -> str:
        """The code a coded cell stands for ("" when blank); an issue when unknown or missing."""
        text = row.text(key)
        if not text:
            if required:
                self.issue(row, key, "required", _("This field is required."))
            return ""
        code = self.ctx.codes.lookup(slug, text)
        if code is None:
            self.issue(
                row,
                key,
                "code.unknown",
                _("“%(value)s” is not a valid choice.") % {"value": text},
            )
            return ""
        return code

    def max_length(self, row: Row, key: str, value: str, n: int) -> None:
        if len(value) > n:
            self.issue(row, key, "too_long", _("Ensure this value has at most %(n)d characters.") % {"n": n})

    # --- typed cells: each returns the value (None / "" when blank) and records an issue -------

    def date(self, row: Row, key: str, *, not_future: bool = True) -> Any:
        text = row.text(key)
        if not text:
            return None
        value, problem = parse_date(text)
        if problem:
            self.issue(row, key, *problem)
        elif not_future and value and value > self.ctx.today:
            self.issue(row, key, "date.future", _("The date cannot be in the future."))
        return value

    def number(self, row: Row, key: str, lo: float, hi: float, *, places: int | None = None) -> Any:
        """An int (``places`` None) or a Decimal with ``places`` decimals, within [lo, hi]."""
        text = row.text(key)
        if not text:
            return None
        value, problem = parse_int(text) if places is None else parse_decimal(text, places)
        if problem:
            self.issue(row, key, *problem)
            return None
        if value is None or not lo <= float(value) <= hi:
            self.issue(
                row, key, "number.range", _("Enter a value between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}
            )
            return None
        return value

    def boolean(self, row: Row, key: str) -> bool | None:
        value, problem = parse_bool(row.text(key))
        if problem:
            self.issue(row, key, *problem)
        return value

    def phone(self, row: Row, key: str) -> str:
        text = row.text(key)
        if not text:
            return ""
        for f in check_phone(text):
            self.issue(row, key, f.code, f.message, f.severity)
        return normalize_phone(text)

    def id_card(self, row: Row, key: str) -> tuple[str, Any]:
        """A resident ID number in a secondary column (owner, legal representative): the
        normalised number and its birth date; errors as for persons, without sex/birth checks."""
        text = row.text(key).replace(" ", "")
        if not text:
            return "", None
        checked = check_id_number(text, today=self.ctx.today, known_regions=self.ctx.regions)
        for f in checked.findings:
            self.issue(row, key, f.code, f.message, f.severity)
        return checked.value, checked.birth_date

    def text_of(self, row: Row, key: str, n: int) -> str:
        value = row.text(key)
        if len(value) > n:
            self.max_length(row, key, value, n)
        return value

    # --- addresses -------------------------------------------------------------------------

    def resolve_place(self, row: Row, key: str) -> Any:
        """The standard address the cell ``key`` names in the user's jurisdiction, or None with an
        issue; an unmatched text goes to the cleaning queue (when the import writes)."""
        text = row.text(key)
        if not text:
            self.issue(row, key, "required", _("This field is required."))
            return None
        place, problem = self.ctx.addresses.resolve(text)
        if place is None:
            self.queue_address(row, key, text, problem)
        return place

    def queue_address(self, row: Row, key: str, text: str, problem: str) -> None:
        ctx = self.ctx
        if problem == "address.ambiguous":
            message = _("The address matches several standard addresses; added to the cleaning queue.")
        elif ctx.dry_run:
            message = _("Address not matched; a real import adds it to the cleaning queue.")
        else:
            message = _("Address not matched; added to the cleaning queue.")
        self.issue(row, key, problem, message)
        normalised = ctx.addresses.normalise(text)[:300]
        entry = ctx.unmatched.get(normalised)
        if entry is None:
            ctx.unmatched[normalised] = [text[:300], row.number, row.text("source_ref")[:64], 1]
        else:
            entry[3] += 1

    def tally(self, plan: Any, report: Any) -> None:
        """Count what a plan would do (for a dry run's report)."""
        outcome = {"new": "created", "upd": "updated", "same": "unchanged"}
        for slot, record_type in self.slots.items():
            op = plan.get(slot)
            if op is not None and op[0] in outcome:
                report.count(record_type, outcome[op[0]])

    def check(self, rows: list[Row]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def write(self, rows: list[Row], w: Any) -> None:  # pragma: no cover - interface
        raise NotImplementedError
