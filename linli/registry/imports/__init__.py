"""Bulk intake of the spreadsheets offices already keep (R4): read → validate every row → report → write.

`tables` reads a file as rows, `report` holds what the user is told, `residents` validates and imports
residents, `writers` writes validated rows at database speed inside the import's one transaction.
"""

from __future__ import annotations

from linli.registry.imports.report import ImportFileError, ImportReport, RowError, report_csv, report_rows
from linli.registry.imports.residents import import_residents
from linli.registry.imports.tables import read_table

__all__ = [
    "ImportFileError",
    "ImportReport",
    "RowError",
    "import_residents",
    "read_table",
    "report_csv",
    "report_rows",
]
