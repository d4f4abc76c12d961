"""The import API under its first name; the code lives in linli.registry.imports."""

from __future__ import annotations

from linli.registry.imports import (
    ImportFileError,
    ImportReport,
    RowError,
    import_residents,
    read_table,
    report_csv,
    report_rows,
)

__all__ = [
    "ImportFileError",
    "ImportReport",
    "RowError",
    "import_residents",
    "read_table",
    "report_csv",
    "report_rows",
]
