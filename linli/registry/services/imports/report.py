"""What an import tells its user: a whole-file error, or a report of row errors and counts (R4)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from linli.core.errors import ServiceError
from linli.core.spreadsheet import Column, csv_bytes, xlsx_bytes


class ImportFileError(ServiceError):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell; `row` is the spreadsheet row number (the header is row 1)."""

    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        state = "已写入" if self.written else "未写入"
        return (
            f"共 {self.total_rows} 行：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}，"
            f"有误 {self.rejected_rows}（{state}）"
        )


REPORT_COLUMNS = [Column("行号", width=8), Column("列"), Column("问题")]


def report_rows(report: ImportReport) -> Iterator[list[str]]:
    """The error report as table rows (行号, 列, 问题), for a csv or xlsx download."""
    yield [column.title for column in REPORT_COLUMNS]
    for error in report.errors:
        yield [str(error.row), error.column, error.message]


def report_xlsx(report: ImportReport) -> bytes:
    """The error report as a workbook; messages quote what the file said, and stay text."""
    return xlsx_bytes(
        sheet_title="错误报告",
        title=None,
        columns=REPORT_COLUMNS,
        # Row numbers as numbers, so that the report sorts and filters as a clerk expects.
        rows=([error.row, error.column, error.message] for error in report.errors),
    )


def report_csv(report: ImportReport) -> str:
    """The error report as csv text (the caller writes it as UTF-8 with a BOM); formula-safe."""
    data = csv_bytes(
        columns=REPORT_COLUMNS, rows=([error.row, error.column, error.message] for error in report.errors)
    )
    return data.decode("utf-8-sig")
