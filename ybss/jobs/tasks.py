"""The tasks a job runs: thin wrappers around the transfer and cleaning services (STYLE:
background jobs are thin wrappers). Each takes the job and its progress reporter and returns an
:class:`Outcome`: a JSON-able result and the files it wrote in the job's folder (name → (path,
download name))."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ybss.cleaning.selectors import duplicate_scan_groups
from ybss.cleaning.services import duplicate_scan_run
from ybss.transfer.columns import TEMPLATES
from ybss.transfer.exporting import export_to_file
from ybss.transfer.importing import ImportOptions, ImportReport, report_to_xlsx, run_import

from .models import Job, JobKind
from .runner import Reporter

#: Issues kept in the job's result for the job page; the report file has them all.
SHOWN_ISSUES = 50


@dataclass
class Outcome:
    result: dict[str, Any]
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)


def _folder(job: Job) -> Path:
    from .services import job_folder

    folder = job_folder(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _issue(i: Any) -> dict[str, Any]:
    return {
        "row": i.row,
        "column": i.column,
        "value": str(i.value)[:200],
        "code": i.code,
        "message": i.message,
        "error": i.is_error,
    }


def import_result(report: ImportReport) -> dict[str, Any]:
    """What the job page shows of an import: the counts and the first ``SHOWN_ISSUES`` issues."""
    issues = report.sorted_issues()
    return {
        "outcome": report.state,
        "dry_run": report.dry_run,
        "file_name": report.file_name,
        "rows": report.rows,
        "rows_ok": report.rows_ok,
        "rows_rejected": report.rows_rejected,
        "created": report.total("created"),
        "updated": report.total("updated"),
        "unchanged": report.total("unchanged"),
        "counts": report.counts,
        "queued_addresses": report.queued_addresses,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "issues_total": len(issues) + report.issues_not_listed,
        "issues": [_issue(i) for i in issues[:SHOWN_ISSUES]],
        "import_run_id": report.import_run_id,
        "seconds": round(report.seconds, 1),
    }


def run_import_task(job: Job, reporter: Reporter) -> Outcome:
    from .services import job_path

    p = job.params
    folder = _folder(job)
    stem = PurePath(p["file_name"]).stem or "import"
    options = ImportOptions(
        dry_run=p.get("dry_run", False),
        good_rows=p.get("good_rows", False),
        fixable_path=folder / "fixable.xlsx",
        file_name=p["file_name"],
    )
    report = run_import(
        actor=job.actor,
        kind=p["kind"],
        path=job_path(job.input_file),
        options=options,
        progress=reporter,
        on_stage=reporter.stage,
    )
    report_label, fix_label = _("import report"), _("to fix")
    files = {"report": (report_to_xlsx(report, folder / "report.xlsx"), f"{stem}-{report_label}.xlsx")}
    if report.fixable_path is not None:
        files["fixable"] = (Path(report.fixable_path), f"{stem}.{fix_label}.xlsx")
    return Outcome(import_result(report), files)


def _audit_request(ip: str) -> HttpRequest | None:
    """A stand-in request carrying the submitter's address, for the export's audit event."""
    if not ip:
        return None
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = ip
    return request


def run_export_task(job: Job, reporter: Reporter) -> Outcome:
    p = job.params
    kind, fmt = p["kind"], p["format"]
    target = _folder(job) / f"export.{fmt}"
    reporter.stage("export")
    result = export_to_file(
        kind,
        job.actor,
        target,
        filters=p.get("filters") or {},
        fmt=fmt,
        purpose=p.get("purpose", ""),
        channel="web",
        request=_audit_request(p.get("ip", "")),
        progress=reporter,
    )
    stamp = timezone.localtime(result.exported_at).strftime("%Y%m%d-%H%M")
    download = f"{TEMPLATES[kind].title}-{stamp}.{fmt}"
    return Outcome(
        {
            "rows": result.rows,
            "format": fmt,
            "exported_at": result.exported_at.isoformat(),
            "exporter": result.exporter,
            "audit_event_id": result.audit_event_id,
        },
        {"export": (target, download)},
    )


def run_duplicates_task(job: Job, reporter: Reporter) -> Outcome:
    """The county-wide duplicate search, stored (``cleaning.services.duplicate_scan_run``). The
    result holds the scan and how many of its groups lie in the starter's jurisdiction, nothing
    about the rest of the county."""
    reporter.stage("duplicates")
    run = duplicate_scan_run(actor=job.actor, job_id=job.pk, progress=reporter)
    groups = duplicate_scan_groups(actor=job.actor, scan=run.scan)
    return Outcome({"scan_id": run.scan.pk, "groups": len(groups)})


def run_quality_task(job: Job, reporter: Reporter) -> Outcome:
    """The full quality scan with the ledger update (``quality.scan.scan_and_record``); the result
    holds the scan's counts, not the findings."""
    from ybss.quality.scan import CHECK_MODULES, scan_and_record

    steps = [m.rsplit(".", 1)[-1] for m in CHECK_MODULES] + ["ledger"]

    def step(label: str) -> None:
        if label in steps:
            reporter.stage(label)
            reporter(steps.index(label), len(steps))

    scan, _findings = scan_and_record(actor=job.actor, progress=step)
    reporter(len(steps), len(steps))
    return Outcome(
        {"scan_id": scan.pk, "findings": scan.findings, "opened": scan.opened, "fixed": scan.fixed}
    )


def run_rates_task(job: Job, reporter: Reporter) -> Outcome:
    """Count every rate for today now (``supervision.rates.rates_refresh``)."""
    from ybss.supervision.definitions import RATES
    from ybss.supervision.rates import rates_refresh

    steps = list(RATES)
    reporter.stage("count")

    def step(code: str) -> None:
        reporter(steps.index(code) + 1, len(steps))

    rows = rates_refresh(trigger="job", progress=step)
    return Outcome({"facts": rows})


def run_bulletin_task(job: Job, reporter: Reporter) -> Outcome:
    """Issue a bulletin draft (``supervision.bulletins.bulletin_issue``): render its PDF, Word and
    Excel files from the stored content and freeze it."""
    from ybss.supervision.bulletins import bulletin_issue

    reporter.stage("render")
    reporter(0, 1)
    b = bulletin_issue(actor=job.actor, bulletin=int(job.params["bulletin"]))
    reporter(1, 1)
    return Outcome({"bulletin": b.pk, "number": b.number, "year": b.year, "version": b.version})


def run_watchlist_task(job: Job, reporter: Reporter) -> Outcome:
    """Compare a watch list with the population (``casework.services.watchlist_run``), reporting
    persons compared; the run and its audit entry are the service's."""
    from ybss.casework.services import watchlist_run

    reporter.stage("compare")

    def step(done: int, total: int | None) -> None:
        reporter(done, total)

    run = watchlist_run(
        actor=job.actor,
        pk=int(job.params["watch_list"]),
        request=_audit_request(job.params.get("ip", "")),
        progress=step,
    )
    return Outcome(
        {
            "watch_list": run.watch_list_id,
            "run": run.pk,
            "compared": run.compared,
            "hits": run.hits,
            "new_leads": run.new_leads,
        }
    )


TASKS: dict[str, Callable[[Job, Reporter], Outcome]] = {
    JobKind.IMPORT: run_import_task,
    JobKind.EXPORT: run_export_task,
    JobKind.DUPLICATES: run_duplicates_task,
    JobKind.QUALITY: run_quality_task,
    JobKind.RATES: run_rates_task,
    JobKind.BULLETIN: run_bulletin_task,
    JobKind.WATCHLIST: run_watchlist_task,
}
