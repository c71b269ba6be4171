"""Bulk import of the four entities from csv/xlsx/xls (issue 3): see :mod:`.run` for the flow.

``run_import`` is the service; ``report_to_xlsx`` writes its report for download.
"""

from .report import ImportReport, Issue, report_to_xlsx
from .run import ImportOptions, run_import

__all__ = ["ImportOptions", "ImportReport", "Issue", "report_to_xlsx", "run_import"]
