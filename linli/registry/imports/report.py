# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.services.imports.report import ImportReport, RowError, report_csv

__all__ = ["ImportReport", "RowError", "report_csv"]
