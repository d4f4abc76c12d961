"""Hostile files never reach a server process: parsing runs in a limited child, every failure ends the job.

The corpus (hostile_corpus.py, over 200 files generated into a temporary folder) goes through the upload
page as a signed-in community officer and through the CLI (`linli import`), every kind in turn. Both
paths hand the file to the same sandboxed reader, and a child process costs a tenth of a second or more,
so to keep the suite's time each file takes one path: on SQLite the page takes the even files and the CLI
the odd ones (about 110 each); on PostgreSQL, whose behaviour differs only in the write that never
happens, each takes every eighth file (about 30 each).
"""

from __future__ import annotations

import io
import re
import resource
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django.utils.html import escape

from linli.audit.models import AuditEvent
from linli.conftest import NQ_GRID
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing, ImportJob, Resident
from linli.registry.services.imports import tables
from linli.registry.services.imports.jobs import import_jobs_fail_stuck
from linli.registry.services.imports.report import ImportFileError
from linli.registry.services.imports.residents import import_residents
from linli.registry.tasks import validate_import_job
from linli.registry.tests import hostile_corpus

pytestmark = pytest.mark.django_db

KINDS = ("residents", "addresses", "housing", "businesses")
HEADER = hostile_corpus.HEADER
CHINESE = re.compile(r"[\u4e00-\u9fff]")
RUNNING = (ImportJob.State.UPLOADED, ImportJob.State.VALIDATING, ImportJob.State.WRITING)
# What the user is told for the files the issue names (name prefix → words of the message).
EXPECTED = {
    "bomb-sheet": "压缩炸弹",
    "bomb-shared": "压缩炸弹",
    "bad-crc": "文件已损坏",
    "lying-size-tiny": "文件已损坏",
    "lying-size-huge": "压缩炸弹",
    "encrypted-entry": "加密",
    "cfb-encrypted": "加密",
    "xml-laughs": "DTD",
    "xml-external": "DTD",
    "dimension-xfd1048576": "A1:XFD1048576",
    "cell-ref-xfe1": "XFE1",
    "cell-ref-1a": "无效的单元格引用",
    "too-many-columns.": "列的上限",
    "huge-cell-inline": "个字符的上限",
    "huge-cell-shared": "个字符的上限",
    "formula-f": "公式",
    "formula-x-prefix": "公式",
    "formula-s-prefix": "公式",
    "binary-": "不是文本表格",
    "truncated-5": "文件已损坏",
    "nul-in-cell": "不是文本表格",
    "very-long-line-one": "上限",
}


def _id(n: int) -> str:
    return make_id_number("310120", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), 2 * n + 1, "M")


def _counts() -> tuple[int, int, int, int]:
    return (
        Resident.objects.count(),
        Address.objects.count(),
        Housing.objects.count(),
        Business.objects.count(),
    )


def _expected(name: str) -> str:
    return next((words for prefix, words in EXPECTED.items() if name.startswith(prefix)), "")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return hostile_corpus.write(tmp_path_factory.mktemp("hostile"))


def _share(corpus: list[Path], *, path: str) -> list[Path]:
    """The files a path takes on this database: see the module docstring."""
    if connection.vendor == "sqlite":
        return corpus[::2] if path == "web" else corpus[1::2]
    return corpus[::8] if path == "web" else corpus[4::8]


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def no_parsing_here(monkeypatch):
    """The server process must never open a workbook itself: calamine raises if it is called here."""
    import python_calamine

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("python_calamine was called in the server process")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse, raising=False)
    monkeypatch.setattr(python_calamine, "load_workbook", refuse)


def test_the_corpus_holds_every_kind_of_hostile_file(corpus):
    names = [path.name for path in corpus]
    assert len(names) >= 200
    for prefix in (
        "bomb-", "lying-size", "bad-crc", "encrypted-entry", "cfb-encrypted", "binary-", "truncated-", "gbk",
        "utf16-", "huge-cell", "dimension-xfd1048576", "cell-ref-xfd1048576", "too-many-columns",
        "header-duplicate", "header-missing", "formula-f-shared", "formula-x-prefix", "formula-s-prefix",
        "nul-", "very-long-line", "xml-laughs", "xml-external",
    ):  # fmt: skip
        assert any(name.startswith(prefix) for name in names), prefix


def test_every_file_through_the_cli_fails_or_is_reported_and_writes_nothing(corpus, no_parsing_here):
    files = _share(corpus, path="cli")
    before = _counts()
    outcomes: dict[str, str] = {}
    for index, path in enumerate(files):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import", KINDS[index % 4], str(path), unit=NQ_GRID, stdout=out, stderr=err)
        except CommandError as exc:
            message = str(exc)
            assert CHINESE.search(message), (path.name, message)
            assert "Traceback" not in message and "Error" not in message, (path.name, message)
            assert _expected(path.name) in message, (path.name, message)
            outcomes[path.name] = "failed"
        else:
            # Read, with at least one wrong row: reported, and nothing written without --write-valid.
            assert "有错误行，未写入任何数据" in out.getvalue(), (path.name, out.getvalue())
            assert CHINESE.search(err.getvalue()), path.name
            assert not _expected(path.name), path.name
            outcomes[path.name] = "reported"
    assert _counts() == before
    assert not AuditEvent.objects.filter(action__endswith=".import").exists()
    assert list(outcomes.values()).count("failed") > len(files) // 2


def test_every_file_uploaded_through_the_page_ends_failed_or_reported(corpus, client_for, no_parsing_here):
    files = _share(corpus, path="web")
    client = client_for("officer-nq")
    before = _counts()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for index, path in enumerate(files):
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        response = client.post("/imports/new/", {"kind": KINDS[index % 4], "grid": NQ_GRID, "file": upload})
        if response.status_code == 200:  # refused by the form itself
            assert "errorlist" in response.content.decode() or "error" in response.content.decode(), path.name
            continue
        assert response.status_code == 302, (path.name, response.status_code)
        job = ImportJob.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])
        if job.state == ImportJob.State.UPLOADED:  # a large file: the worker's turn
            validate_import_job.call(str(job.uuid))
            job.refresh_from_db()
        page = client.get(f"/imports/{job.uuid}/").content.decode()
        if job.state == ImportJob.State.FAILED:
            assert CHINESE.search(job.failure), (path.name, job.failure)
            assert _expected(path.name) in job.failure, (path.name, job.failure)
            assert escape(job.failure) in page, path.name
        else:
            assert job.state == ImportJob.State.VALIDATED, (path.name, job.state)
            assert job.rejected >= 1, path.name
            assert not _expected(path.name), path.name
            assert "只写入正确的行" in page or "没有正确的行" in page or job.rejected == job.total_rows
    assert not ImportJob.objects.filter(state__in=RUNNING).exists()
    assert _counts() == before
    # The server process grew by no more than a few pages of rows: the files were parsed elsewhere.
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kib < 150 * 1024


# The limits, one at a time.


def test_a_declared_sheet_of_xfd1048576_is_refused_before_any_reader_sees_it(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(hostile_corpus.xlsx(sheet=hostile_corpus.sheet_xml(dimension="A1:XFD1048576")))
    grid = Unit.objects.get(code=NQ_GRID)
    with pytest.raises(ImportFileError, match="XFD1048576"):
        import_residents(actor=None, path=path, unit=grid)


def test_rows_columns_and_cells_beyond_the_settings_are_refused(tmp_path, settings):
    grid = Unit.objects.get(code=NQ_GRID)
    path = tmp_path / "r.csv"
    path.write_text("\n".join([",".join(HEADER), *(f"居民{i},{_id(i)}" for i in range(6))]), encoding="utf-8")
    settings.LINLI_IMPORT_MAX_ROWS = 5
    with pytest.raises(ImportFileError, match="5 行的上限"):
        import_residents(actor=None, path=path, unit=grid, dry_run=True)
    settings.LINLI_IMPORT_MAX_ROWS = 100
    settings.LINLI_IMPORT_MAX_COLUMNS = 4
    with pytest.raises(ImportFileError, match="4 列的上限"):
        import_residents(actor=None, path=path, unit=grid, dry_run=True)
    settings.LINLI_IMPORT_MAX_COLUMNS = 10
    settings.LINLI_IMPORT_MAX_CELL_CHARS = 5
    with pytest.raises(ImportFileError, match="5 个字符的上限"):
        import_residents(actor=None, path=path, unit=grid, dry_run=True)
    # Declared by an xlsx: refused from its <dimension>, before a row is read.
    settings.LINLI_IMPORT_MAX_ROWS = 10
    workbook = tmp_path / "r.xlsx"
    workbook.write_bytes(hostile_corpus.xlsx(sheet=hostile_corpus.sheet_xml(dimension="A1:E12")))
    with pytest.raises(ImportFileError, match="A1:E12"):
        import_residents(actor=None, path=workbook, unit=grid, dry_run=True)


def _child(monkeypatch, code: str) -> None:
    """Replace the sandbox by a child running `code` (argv: file, output, limits)."""
    monkeypatch.setattr(
        tables,
        "sandbox_command",
        lambda path, out, limits: [sys.executable, "-I", "-c", code, str(path), str(out)],
    )


_ROWS_THEN = (
    "import json, os, signal, sys\n"
    "out = open(sys.argv[2], 'w')\n"
    "out.write(json.dumps([{header}]) + '\\n')\n"
    "out.write(json.dumps([{row}]) + '\\n')\n"
    "out.flush()\n"
)


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ("os.abort()", "超出内存上限"),  # what calamine does when a 512 GiB allocation fails
        ("os.kill(os.getpid(), signal.SIGSEGV)", "超出内存上限"),
        ("sys.exit(1)", "无法解析该文件"),
        ("sys.exit(0)", "无法解析该文件"),  # an exit without the end line is no success either
        ("out.write('{{not json\\n'); out.flush()", "无法解析该文件"),
        ("out.write('[[1, 2]]\\n'); out.flush()", "无法解析该文件"),  # cells that are not text
    ],
)
def test_a_child_that_dies_after_sending_rows_fails_the_import_and_writes_nothing(
    tmp_path, monkeypatch, ending, message
):
    header, row = HEADER, ["孩子", _id(7), "", "户籍", "育秀路1号"]
    _child(monkeypatch, _ROWS_THEN.format(header=header, row=row) + ending.format())
    path = tmp_path / "r.csv"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command(
            "import", "residents", str(path), unit=NQ_GRID, stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not Resident.objects.filter(name="孩子").exists()


def test_a_child_past_the_request_time_limit_is_killed_and_the_job_fails(client_for, monkeypatch):
    from linli.registry.services.imports import jobs

    # LINLI_IMPORT_SECONDS stays at its default: a parse inside a request gets the shorter limit.
    monkeypatch.setattr(jobs, "IN_REQUEST_SECONDS", 1)
    _child(monkeypatch, "import time; time.sleep(60)")
    response = client_for("officer-nq").post(
        "/imports/new/",
        {"kind": "residents", "grid": NQ_GRID, "file": SimpleUploadedFile("r.csv", b"a,b\n")},
    )
    job = ImportJob.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.state == ImportJob.State.FAILED
    assert "解析文件超过 1 秒仍未完成" in job.failure


def test_a_child_past_the_wall_clock_limit_is_killed_and_the_command_fails(tmp_path, monkeypatch, settings):
    settings.LINLI_IMPORT_SECONDS = 1
    _child(monkeypatch, "import time; time.sleep(60)")
    path = tmp_path / "r.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="解析文件超过 1 秒仍未完成"):
        call_command("import", "housing", str(path), unit=NQ_GRID, stdout=io.StringIO(), stderr=io.StringIO())


def test_the_child_runs_under_its_memory_limit(tmp_path, settings):
    """One csv line of three million cells: the child runs out of its memory, the server does not."""
    settings.LINLI_IMPORT_MEMORY_MB = 64
    path = tmp_path / "r.csv"
    path.write_bytes(b"12," * 3_000_000)
    with pytest.raises(ImportFileError, match="超出内存上限"):
        import_residents(actor=None, path=path, unit=Unit.objects.get(code=NQ_GRID), dry_run=True)


def test_formula_like_text_is_imported_as_its_text(tmp_path):
    texts = ['=HYPERLINK("http://x.example","点")', "+1", "-1", "@SUM(1)", "=cmd|' /C calc'!A0"]
    path = tmp_path / "r.csv"
    lines = [
        ",".join(HEADER),
        *(f'公式{i},{_id(i)},,户籍,"{t.replace(chr(34), chr(34) * 2)}"' for i, t in enumerate(texts)),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_residents(actor=None, path=path, unit=Unit.objects.get(code=NQ_GRID))
    assert (report.created, report.errors) == (5, [])
    assert sorted(
        Resident.objects.filter(name__startswith="公式").values_list("reported_address", flat=True)
    ) == sorted(texts)


def test_a_utf16_csv_as_excel_saves_unicode_text_is_read(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(("\n".join([",".join(HEADER), f"宽字,{_id(3)},,户籍,育秀路"]) + "\n").encode("utf-16"))
    report = import_residents(actor=None, path=path, unit=Unit.objects.get(code=NQ_GRID))
    assert report.created == 1
    assert Resident.objects.filter(name="宽字").exists()


# Jobs left running are failed by `linli tick`.


def _job(persona, state: str, age: timedelta) -> ImportJob:
    job = ImportJob.objects.create(
        uuid=uuid.uuid4(),
        kind="residents",
        unit=Unit.objects.get(code=NQ_GRID),
        unit_path=NQ_GRID,
        uploaded_by=persona("officer-nq"),
        original_name="人口.xlsx",
        stored_name="x.xlsx",
        state=state,
    )
    ImportJob.objects.filter(pk=job.pk).update(state_changed_at=timezone.now() - age)
    return job


def test_tick_fails_a_job_stuck_validating_and_leaves_the_others(persona, settings):
    settings.LINLI_IMPORT_STUCK_MINUTES = 60
    stuck = _job(persona, ImportJob.State.VALIDATING, timedelta(hours=3))
    stuck_writing = _job(persona, ImportJob.State.WRITING, timedelta(minutes=61))
    recent = _job(persona, ImportJob.State.VALIDATING, timedelta(minutes=5))
    waiting = _job(persona, ImportJob.State.VALIDATED, timedelta(days=3))  # waits for the user: not stuck
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "终止卡住的导入任务 2" in out.getvalue()
    for job, state in (
        (stuck, ImportJob.State.FAILED), (stuck_writing, ImportJob.State.FAILED),
        (recent, ImportJob.State.VALIDATING), (waiting, ImportJob.State.VALIDATED),
    ):  # fmt: skip
        job.refresh_from_db()
        assert job.state == state
    assert "超过 60 分钟仍未完成" in stuck.failure
    assert stuck.finished_at is not None
    events = AuditEvent.objects.filter(action="import_job.fail_stuck")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(
        [str(stuck.pk), str(stuck_writing.pk)]
    )
    assert import_jobs_fail_stuck() == 0  # once only


def test_a_job_failed_as_stuck_is_not_written_by_a_late_worker(persona, settings, client_for, monkeypatch):
    from linli.registry.services.imports import jobs

    client = client_for("officer-nq")
    rows = "\n".join([",".join(HEADER), f"迟到,{_id(11)},,户籍,育秀路"]) + "\n"
    response = client.post(
        "/imports/new/",
        {"kind": "residents", "grid": NQ_GRID, "file": SimpleUploadedFile("r.csv", rows.encode())},
    )
    job = ImportJob.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.state == ImportJob.State.VALIDATED
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WRITING)
    real_import = jobs.import_residents

    def tick_meanwhile(**kwargs):
        report = real_import(**kwargs)
        # While the write is still open, the job stops being this worker's (as when `linli tick` fails
        # it from another process; here on the same connection, so the rollback undoes this too).
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, failure="卡住")
        return report

    monkeypatch.setattr(jobs, "import_residents", tick_meanwhile)
    jobs.import_job_run_write(job_uuid=job.uuid, actor_id=persona("officer-nq").pk)
    job.refresh_from_db()
    assert job.state != ImportJob.State.DONE
    assert not Resident.objects.filter(name="迟到").exists()
    assert not AuditEvent.objects.filter(action="resident.import").exists()
