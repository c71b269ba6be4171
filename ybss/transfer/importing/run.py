"""The import service: read → validate (streaming) → write (one transaction) → report.

:func:`run_import` is what the command and the web job call. Two passes, both streaming:

1. **Validate.** Rows are read and checked in chunks (bulk look-ups per chunk: existing records
   by key; addresses, houses and collectors are indexed once for the user's jurisdiction). Each
   checked row — cells, issues and the plan of what writing it would do — is spilled to a
   temporary file, so memory does not grow with the file. Keys that must be unique in the file
   (document numbers, credit codes, address codes) are tracked; a repeat flags both rows.
2. **Write.** If the file is accepted (no errors, or ``good_rows``), the spill is read back and
   the good rows' plans are applied in batches with raw ``executemany``/``COPY`` inside ONE
   ``transaction.atomic()``, together with their history rows (action "import", reason
   "导入 <file> 第N行") and the :class:`~ybss.transfer.models.ImportRun`. A killed process or any
   error leaves the database as it was. Bad rows go to the fixable file.

Nothing is written for a dry run. A rejected file (errors, not ``good_rows``) writes no record and
no history, only its ``ImportRun`` (state "rejected") and the cleaning-queue items for its
unmatched addresses. Records are validated against the database as it was during pass 1; a record
changed by someone else before pass 2 aborts the import (``import.concurrent_change``).
"""

from __future__ import annotations

import gc
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.audit.models import AuditAction
from ybss.audit.services import audit_record
from ybss.core.errors import Forbidden
from ybss.org import jurisdiction
from ybss.org.models import User
from ybss.registry.validation import today
from ybss.transfer.models import AddressCleaningItem, CleaningState, ImportRun, ImportState
from ybss.transfer.readers import FileError, Table, open_table

from .addresses import AddressesImport
from .base import Context, KindImporter, Row
from .houses import HousesImport
from .parse import CodeMaps
from .persons import PersonsImport
from .report import FixableWriter, ImportReport, Issue
from .resolve import AddressIndex, CollectorIndex
from .units import UnitsImport
from .write import ConcurrentChange, DeferredIndexes, HistoryWriter, TableWriter, db_now

Progress = Callable[[int, int | None], object]
Stage = Callable[[str], object]

CHUNK = 2000
SEP = "\x1f"  # the ASCII unit separator: joins a row's cells in the spill file
WRITE_BATCH = 5000

IMPORTERS: dict[str, type[KindImporter]] = {
    "persons": PersonsImport,
    "houses": HousesImport,
    "units": UnitsImport,
    "addresses": AddressesImport,
}


def importer_for(kind: str) -> type[KindImporter]:
    try:
        return IMPORTERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind {kind!r}") from None


@dataclass
class ImportOptions:
    """``dry_run``: validate and report, write nothing. ``good_rows``: write the good rows even when
    others are bad, and put the bad ones in ``fixable_path`` (default: beside the file,
    ``<name>.待修正.xlsx``)."""

    dry_run: bool = False
    good_rows: bool = False
    fixable_path: Path | None = None
    file_name: str | None = None


@dataclass
class Writers:
    """What a kind's ``write`` needs: the report to count into, history, raw table writers."""

    report: ImportReport
    history: HistoryWriter
    at: Any
    actor_id: int
    _tables: dict[type[models.Model], TableWriter] = field(default_factory=dict)

    def table(self, model: type[models.Model]) -> TableWriter:
        if model not in self._tables:
            self._tables[model] = TableWriter(model)
        return self._tables[model]


def run_import(
    *,
    actor: User,
    kind: str,
    path: str | Path,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    on_stage: Stage | None = None,
    channel: str = "web",
) -> ImportReport:
    """Import ``path`` (csv/xlsx/xls) of ``kind`` as ``actor``; returns the report.

    Preconditions: ``actor`` may edit (else Forbidden). Must not run inside a transaction the
    caller holds open for long (it opens its own). Never raises for bad input: file-level
    problems come back as report issues with ``row=None``. Every run, dry runs and rejected files
    included, appends one audit event (action "import") with its outcome.
    """
    report = _run(actor, kind, Path(path), options or ImportOptions(), progress, on_stage)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="transfer.importrun" if report.import_run_id else "",
        object_id=report.import_run_id or "",
        detail={
            "kind": kind,
            "file": report.file_name,
            "dry_run": report.dry_run,
            "state": report.state,
            "rows": report.rows,
            "rows_rejected": report.rows_rejected,
            "created": report.total("created"),
            "updated": report.total("updated"),
        },
        result_count=report.rows,
        channel=channel,
    )
    return report


def _run(
    actor: User,
    kind: str,
    path: Path,
    options: ImportOptions,
    progress: Progress | None,
    on_stage: Stage | None,
) -> ImportReport:
    started = time.perf_counter()
    tick = progress or (lambda _done, _total: None)
    stage = on_stage or (lambda _name: None)
    if not (jurisdiction.can_edit(actor) and jurisdiction.can_see_business_data(actor)):
        raise Forbidden()
    importer_cls = importer_for(kind)
    report = ImportReport(kind=kind, file_name=options.file_name or path.name, dry_run=options.dry_run)
    try:
        table = open_table(path, kind)
    except FileError as exc:
        report.add(Issue(None, ", ".join(exc.fields.get("columns", [])), "", exc.code, str(exc.message)))
        report.seconds = time.perf_counter() - started
        return report
    with table, tempfile.TemporaryFile(prefix="ybss-import-") as spill, _no_cyclic_gc():
        for w in table.warnings:
            report.add(Issue(None, "", "", "file.column_ignored", w, "warning"))
        stage("validate")
        ctx = Context(
            actor=actor,
            kind=kind,
            file_name=report.file_name,
            today=today(),
            dry_run=options.dry_run,
            headers={k: h for h, k in zip(table.headers, table.keys, strict=False) if k},
            codes=CodeMaps.load(importer_cls.codelists),
            addresses=AddressIndex(actor),
            collectors=CollectorIndex(actor),
        )
        importer = importer_cls(ctx)
        try:
            late = _validate(table, importer, report, spill, tick)
        except FileError as exc:
            report.add(Issue(None, "", "", exc.code, str(exc.message)))
            report.seconds = time.perf_counter() - started
            return report
        accepted = report.rows_rejected == 0 or options.good_rows
        if report.rows == 0:
            report.add(Issue(None, "", "", "file.no_rows", _("The file has no data rows.")))
        elif options.dry_run:
            report.state = "dry_run"
            for number, _cells, issues, plan in _spilled(spill):
                bad = number in late or (issues and any(i.is_error for i in issues))
                if plan is not None and not bad:
                    importer.tally(plan, report)
        elif not accepted or report.rows_ok == 0:
            _record_rejected(report, ctx)
        else:
            stage("write")
            _write(table, importer, report, ctx, spill, late, options, path, tick, stage)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the import: the rows it creates hold no cycles
    (reference counting frees them), while the long-lived indexes it keeps (keys seen, addresses,
    caches) made every full collection slower as they grew — imports slowed down with file size."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _validate(
    table: Table, importer: KindImporter, report: ImportReport, spill: Any, tick: Progress
) -> dict[int, list[Issue]]:
    """Pass 1. Returns issues found later for rows already spilled (the first of two repeats)."""
    seen: dict[Any, tuple[int, bool]] = {}
    late: dict[int, list[Issue]] = {}
    done = bad = 0
    columns = [(i, k) for i, k in enumerate(table.keys) if k]
    chunk: list[Row] = []

    def flush() -> None:
        nonlocal done, bad
        importer.check(chunk)
        for row in chunk:
            ok = row.ok
            for key, column in row.unique:
                first, first_ok = seen.setdefault(key, (row.number, ok))
                if first != row.number:
                    ok = False
                    header = importer.ctx.header(column)
                    value = row.values.get(column, "")
                    message = _(
                        "The same %(column)s appears more than once in the file (rows %(a)d and %(b)d)."
                    )
                    text = message % {"column": header, "a": first, "b": row.number}
                    row.issues.append(Issue(row.number, header, value, "file.duplicate", text))
                    if first not in late:
                        late[first] = [Issue(first, header, value, "file.duplicate", text)]
                        bad += first_ok
            bad += not ok
            for issue in row.issues:
                report.add(issue)
        # cells as one string: a list of short strings costs several times more to pickle and load
        records = [(r.number, SEP.join(r.cells), r.issues or None, r.plan) for r in chunk]
        pickle.dump(records, spill, pickle.HIGHEST_PROTOCOL)
        done += len(chunk)
        tick(done, table.total)
        chunk.clear()

    for number, cells in table.rows:
        chunk.append(Row.read(number, cells, columns))
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    for issues in late.values():
        for issue in issues:
            report.add(issue)
    report.rows = done
    report.rows_rejected = bad
    report.rows_ok = done - bad
    return late


def _spilled(spill: Any) -> Iterator[tuple[int, str, list[Issue] | None, Any]]:
    spill.seek(0)
    while True:
        try:
            batch = pickle.load(spill)
        except EOFError:
            return
        yield from batch


def _write(
    table: Table,
    importer: KindImporter,
    report: ImportReport,
    ctx: Context,
    spill: Any,
    late: dict[int, list[Issue]],
    options: ImportOptions,
    path: Path,
    tick: Progress,
    stage: Stage,
) -> None:
    fixable = None
    if report.rows_rejected:
        target = options.fixable_path or path.with_name(f"{path.stem}.待修正.xlsx")
        fixable = FixableWriter(Path(target), table.headers)
    started_at, at = db_now()
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                kind=ctx.kind,
                file_name=report.file_name[:255],
                actor=ctx.actor,
                started_at=started_at,
                state=ImportState.PARTIAL if report.rows_rejected else ImportState.WRITTEN,
                good_rows_only=options.good_rows,
                rows=report.rows,
                rows_rejected=report.rows_rejected,
            )
            w = Writers(
                report=report,
                history=HistoryWriter(actor_id=ctx.actor.pk, at=at),
                at=at,
                actor_id=ctx.actor.pk,
            )
            deferred = DeferredIndexes()
            for label in dict.fromkeys(importer.slots.values()):
                deferred.defer(apps.get_model(label), report.rows_ok)
            batch: list[Row] = []
            done = 0
            for number, joined, issues, plan in _spilled(spill):
                extra = late.get(number, [])
                if extra or (issues and any(i.is_error for i in issues)):
                    if fixable is not None:
                        errors = [i.message for i in (*(issues or ()), *extra) if i.is_error]
                        fixable.add(joined.split(SEP), errors)
                    continue
                batch.append(Row(number=number, cells=[], values={}, plan=plan))
                if len(batch) >= WRITE_BATCH:
                    importer.write(batch, w)
                    done += len(batch)
                    tick(done, report.rows_ok)
                    batch = []
            if batch:
                importer.write(batch, w)
                done += len(batch)
                tick(done, report.rows_ok)
            stage("index")
            deferred.rebuild()
            report.queued_addresses = _queue_addresses(ctx, run)
            ImportRun.objects.filter(pk=run.pk).update(
                finished_at=timezone.now(),
                created=report.total("created"),
                updated=report.total("updated"),
                unchanged=report.total("unchanged"),
            )
    except (ConcurrentChange, IntegrityError) as exc:
        report.counts.clear()
        report.queued_addresses = 0
        report.add(
            Issue(
                None,
                "",
                "",
                "import.concurrent_change",
                _("Records changed while the file was being imported; nothing was written. Import it again.")
                + f" ({type(exc).__name__})",
            )
        )
        report.state = "rejected"
        if fixable is not None:
            fixable = None
        return
    report.import_run_id = run.pk
    report.state = "partial" if report.rows_rejected else "written"
    if fixable is not None:
        report.fixable_path = fixable.close()


def _record_rejected(report: ImportReport, ctx: Context) -> None:
    """A rejected file: its ImportRun and the cleaning items of its unmatched addresses."""
    now = timezone.now()
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=ctx.kind,
            file_name=report.file_name[:255],
            actor=ctx.actor,
            started_at=now,
            finished_at=now,
            state=ImportState.REJECTED,
            rows=report.rows,
            rows_rejected=report.rows_rejected,
        )
        report.queued_addresses = _queue_addresses(ctx, run)
    report.import_run_id = run.pk
    report.state = "rejected"


def _queue_addresses(ctx: Context, run: ImportRun) -> int:
    """Add the unmatched addresses to the cleaning queue (one pending item per text and
    jurisdiction; one already pending is counted again instead). Returns how many texts."""
    if not ctx.unmatched:
        return 0
    actor = ctx.actor
    scope = {"division_id": actor.division_id, "police_unit_id": actor.police_unit_id}
    existing = {}
    keys = list(ctx.unmatched)
    for start in range(0, len(keys), 500):
        for item in AddressCleaningItem.objects.filter(
            state=CleaningState.PENDING, normalised_text__in=keys[start : start + 500], **scope
        ).only("id", "normalised_text"):
            existing[item.normalised_text] = item.pk
    now = timezone.now()
    new = []
    for key, (raw, row, source_ref, hits) in ctx.unmatched.items():
        pk = existing.get(key)
        if pk is not None:
            AddressCleaningItem.objects.filter(pk=pk).update(hits=models.F("hits") + hits)
            continue
        new.append(
            AddressCleaningItem(
                raw_text=raw,
                normalised_text=key,
                source_import=run,
                kind=ctx.kind,
                row_number=row,
                source_ref=source_ref,
                hits=hits,
                created_at=now,
                **scope,
            )
        )
    AddressCleaningItem.objects.bulk_create(new, batch_size=2000)
    return len(ctx.unmatched)
