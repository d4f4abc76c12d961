"""Import jobs over HTTP and through their services: upload, validate, report, write; scope and roles."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from linli.audit.models import AuditEvent
from linli.conftest import NQ_COMMUNITY, NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import ImportJob, Resident
from linli.registry.services.imports import jobs
from linli.registry.tasks import validate_import_job, write_import_job

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]


def _id(n: int) -> str:
    return make_id_number("310120", date(1950 + n % 50, 1 + n % 12, 1 + n % 28), 2 * n + 1, "M")


def good_rows(n: int, start: int = 0) -> list[list[str]]:
    return [
        [f"试导入{i}", _id(i), f"1380000{i:04d}", "户籍", f"育秀路{i}号"] for i in range(start, start + n)
    ]


def rows_with_two_bad() -> list[list[str]]:
    """Five rows; the sheet's rows 3 (check digit) and 5 (impossible date, phone, type) are wrong."""
    rows = [HEADER, *good_rows(3)]
    wrong_check = _id(50)[:17] + ("0" if _id(50)[17] != "0" else "1")
    rows.insert(2, ["试坏校验", wrong_check, "", "户籍", ""])
    rows.insert(4, ["试坏日期", "310120199002301234", "12345", "外星", ""])
    return rows


def csv_upload(rows: list[list[str]], name: str = "人口.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def xlsx_upload(rows: Sequence[Sequence[object]], name: str = "人口.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def upload(client, file, grid=NQ_GRID):
    return client.post("/imports/new/", {"kind": "residents", "grid": grid, "file": file})


def job_from(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])


# The page journey: upload, report, write.


def test_upload_with_two_bad_rows_shows_them_by_row_number(client_for, var_dir):
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload(rows_with_two_bad())))
    assert job.state == ImportJob.State.VALIDATED
    assert (job.total_rows, job.rejected, job.uploaded_by.username) == (5, 2, "nanqiao")
    assert (var_dir / "imports" / job.stored_name).exists()
    assert job.stored_name == f"{job.uuid}.csv"
    assert Resident.objects.filter(name__startswith="试").count() == 0  # validation writes nothing
    body = client.get(f"/imports/{job.uuid}/").content.decode()
    assert "已校验" in body
    assert "<td>3</td><td>公民身份号码</td><td>校验位错误" in body
    assert "<td>5</td><td>公民身份号码</td><td>出生日期不存在" in body
    assert "<td>5</td><td>联系电话</td>" in body
    assert "只写入正确的行（3 行）" in body
    assert "写入（" not in body
    assert f'href="/imports/{job.uuid}/report.xlsx"' in body
    assert 'hx-trigger="every 2s"' not in body  # nothing left to poll for
    event = AuditEvent.objects.get(action="import_job.create")
    assert (event.actor_username, event.object_id, event.unit_path) == ("nanqiao", str(job.pk), NQ_GRID)


def test_the_error_report_downloads_as_xlsx_and_is_audited(client_for, tmp_path):
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload(rows_with_two_bad())))
    response = client.get(f"/imports/{job.uuid}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["行号", "列", "问题"]
    # Row numbers are stored as numbers, so that the sheet sorts as a clerk expects.
    assert all(isinstance(r[0], float) for r in rows[1:])
    found = {(int(str(r[0]).removesuffix(".0")), r[1]) for r in rows[1:]}
    assert {(3, "公民身份号码"), (5, "公民身份号码"), (5, "联系电话"), (5, "人口类型")} <= found
    assert {row for row, _column in found} == {3, 5}
    event = AuditEvent.objects.get(action="import_job.report_export")
    assert (event.actor_username, event.object_id) == ("nanqiao", str(job.pk))
    # The auditor may read the report of a job in their scope; that is an export too.
    assert client_for("auditor").get(f"/imports/{job.uuid}/report.xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="import_job.report_export").count() == 2


def test_writing_the_valid_rows_puts_the_residents_in_the_grid(client_for):
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload(rows_with_two_bad())))
    response = client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert job.write_valid_rows is True
    assert (job.created, job.updated, job.unchanged, job.rejected) == (3, 0, 0, 2)
    assert set(Resident.objects.filter(name__startswith="试").values_list("name", flat=True)) == {
        "试导入0", "试导入1", "试导入2",
    }  # fmt: skip
    assert set(Resident.objects.filter(name__startswith="试").values_list("unit_path", flat=True)) == {
        NQ_GRID
    }
    body = client.get(response["Location"]).content.decode()
    assert "已写入：新增 3，更新 0，未变 0" in body
    assert "已完成" in body
    assert "只写入正确的行" not in body
    assert AuditEvent.objects.filter(action="import_job.write", actor_username="nanqiao").exists()
    assert AuditEvent.objects.filter(action="resident.import", actor_username="nanqiao").exists()
    # The residents are found by the search, masked.
    found = client.get("/residents/", {"name": "试导入"}).content.decode()
    assert "试导入2" in found
    assert _id(2) not in found
    # A job is written once.
    again = client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "1"}, follow=True)
    assert "该导入任务已完成，不能再写入" in again.content.decode()


def test_a_file_with_errors_is_not_written_whole(client_for):
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload(rows_with_two_bad())))
    response = client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "0"}, follow=True)
    assert "有 2 行有误" in response.content.decode()
    job.refresh_from_db()
    assert job.state == ImportJob.State.VALIDATED
    assert not Resident.objects.filter(name__startswith="试").exists()


def test_a_clean_xlsx_is_written_with_the_write_button_and_reimport_updates(client_for):
    client = client_for("officer-nq")
    job = job_from(upload(client, xlsx_upload([HEADER, *good_rows(4)]), grid=NQ_GRID_2))
    assert (job.state, job.rejected, job.report_name) == (ImportJob.State.VALIDATED, 0, "")
    body = client.get(f"/imports/{job.uuid}/").content.decode()
    assert "写入（4 行）" in body
    assert "只写入正确的行" not in body
    assert "下载错误报告" not in body
    assert client.get(f"/imports/{job.uuid}/report.xlsx").status_code == 404
    client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "0"})
    job.refresh_from_db()
    assert (job.state, job.created) == (ImportJob.State.DONE, 4)
    second = job_from(upload(client, xlsx_upload([HEADER, *good_rows(4)]), grid=NQ_GRID_2))
    client.post(f"/imports/{second.uuid}/write/", {"write_valid_rows": "0"})
    second.refresh_from_db()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert Resident.objects.filter(name__startswith="试导入").count() == 4


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("人口.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "文件不是文本表格（csv），也不是 Excel 工作簿"),
        ("人口.xlsx", b"PK\x03\x04 this is not really a zip", "文件已损坏"),
        ("人口.csv", "名字不对,号码\n张三,1\n".encode(), "缺少必需的列"),
        ("人口.csv", "姓名,身份证号\n".encode(), "没有数据行"),
    ],
)
def test_a_broken_or_renamed_file_fails_with_a_chinese_message(client_for, name, content, message):
    client = client_for("nanqiao")
    job = job_from(upload(client, SimpleUploadedFile(name, content)))
    assert job.state == ImportJob.State.FAILED
    assert message in job.failure
    body = client.get(f"/imports/{job.uuid}/").content.decode()
    assert message in body
    assert "未写入任何数据" in body
    assert "只写入正确的行" not in body
    assert client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "1"}).status_code == 302
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert not Resident.objects.exists()


def test_wrong_type_empty_or_oversized_uploads_are_refused_on_the_form(client_for, monkeypatch, var_dir):
    client = client_for("nanqiao")
    body = upload(client, SimpleUploadedFile("人口.txt", b"abc")).content.decode()
    assert "只能导入 xlsx、xls 或 csv 文件" in body
    body = upload(client, SimpleUploadedFile("人口.csv", b"")).content.decode()
    assert "文件是空的" in body
    monkeypatch.setattr(jobs, "MAX_UPLOAD_BYTES", 1024)
    body = upload(client, csv_upload([HEADER, *good_rows(40)])).content.decode()
    assert "MB 的上限，请拆分后导入" in body
    assert "请选择要导入的文件" in client.post("/imports/new/", {"grid": NQ_GRID}).content.decode()
    assert not ImportJob.objects.exists()
    assert not (var_dir / "imports").exists() or not any((var_dir / "imports").iterdir())


def test_the_target_must_be_a_grid(client_for):
    client = client_for("nanqiao")
    # The admin has too many grids for a select: a code box instead.
    body = client_for("admin").post(
        "/imports/new/", {"kind": "residents", "grid": NQ_COMMUNITY, "file": csv_upload([HEADER])}
    )
    assert "请选择网格作为导入目标" in body.content.decode()
    # The office picks from a select of its own grids; a community is not among them.
    page = client.get("/imports/new/").content.decode()
    assert f'<option value="{NQ_GRID}">第一网格</option>' in page
    assert f'value="{TQ_GRID}"' not in page
    assert "选择一个有效的选项" in upload(client, csv_upload([HEADER]), grid=NQ_COMMUNITY).content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_form_offers_every_kind(client_for):
    page = client_for("nanqiao").get("/imports/new/").content.decode()
    assert '<option value="residents" selected>实有人口</option>' in page
    for label in ["标准地址", "实有房屋", "实有单位"]:
        assert label in page
    prefilled = client_for("nanqiao").get(f"/imports/new/?grid={NQ_GRID_2}").content.decode()
    assert f'<option value="{NQ_GRID_2}" selected>' in prefilled


def test_addresses_then_housing_then_businesses_through_the_page(client_for):
    from linli.registry.models import Address, Business, Housing

    client = client_for("officer-nq")

    def run(kind: str, rows: list[list[str]]) -> ImportJob:
        response = client.post(
            "/imports/new/", {"kind": kind, "grid": NQ_GRID, "file": csv_upload(rows, f"{kind}.csv")}
        )
        job = job_from(response)
        assert job.state == ImportJob.State.VALIDATED, job.failure
        client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "0"})
        job.refresh_from_db()
        return job

    assert run("addresses", [["地址"], ["育秀路100弄12号401室"], ["育秀路100弄12号402室"]]).created == 2
    housing = run("housing", [["房屋地址", "使用情况"], ["育秀路100弄12号401室", "出租"]])
    assert (housing.state, housing.created) == (ImportJob.State.DONE, 1)
    shops = run("businesses", [["单位名称", "地址"], ["育秀便利店", "育秀路100弄12号402室"]])
    assert shops.created == 1
    assert Address.objects.filter(unit_path=NQ_GRID).count() == 2
    assert Housing.objects.get().usage == "rented"
    assert Business.objects.get().address is not None


# Roles and scope.


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "auditor", "zhian", "jingzhen"])
def test_read_only_roles_get_403_on_upload(client_for, username):
    client = client_for(username)
    assert client.get("/imports/new/").status_code == 403
    response = upload(client, csv_upload([HEADER, *good_rows(2)]))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("username", "grid"), [("touqiao", NQ_GRID), ("officer-nq", TQ_GRID), ("nanqiao", TQ_GRID)]
)
def test_upload_to_a_grid_outside_scope_is_refused(client_for, username, grid):
    # Their grids come as a select; a grid outside it is not a valid choice (the admin's code box: 404 below).
    response = upload(client_for(username), csv_upload([HEADER, *good_rows(2)]), grid=grid)
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_admin_types_a_grid_code_and_outsiders_codes_are_404(client_for, persona):
    response = upload(client_for("admin"), csv_upload([HEADER, *good_rows(2)]), grid="150623.01.001.01")
    assert response.status_code == 404
    assert not ImportJob.objects.exists()
    job = job_from(upload(client_for("admin"), csv_upload([HEADER, *good_rows(2)]), grid=TQ_GRID))
    assert job.unit.code == TQ_GRID


@pytest.fixture
def nq_job(client_for) -> ImportJob:
    return job_from(upload(client_for("nanqiao"), csv_upload(rows_with_two_bad())))


@pytest.mark.parametrize("username", ["grid-nq", "squad-nq", "auditor"])
def test_read_only_roles_see_the_job_but_get_403_on_write(client_for, nq_job, username):
    client = client_for(username)
    body = client.get(f"/imports/{nq_job.uuid}/").content.decode()
    assert "已校验" in body
    assert "只写入正确的行（" not in body
    assert "等待有导入权限的人员确认写入" in body
    response = client.post(f"/imports/{nq_job.uuid}/write/", {"write_valid_rows": "1"})
    assert response.status_code == 403
    nq_job.refresh_from_db()
    assert nq_job.state == ImportJob.State.VALIDATED
    assert not Resident.objects.exists()


@pytest.mark.parametrize("username", ["grid-tq", "touqiao", "zhian", "jingzhen", "angsu", "officer-nq"])
def test_jobs_outside_scope_are_404(client_for, username):
    # officer-nq holds 310120.01.001 and .002; this job targets the first grid of .003.
    grid = "310120.01.003.01" if username == "officer-nq" else NQ_GRID
    job = job_from(upload(client_for("nanqiao"), csv_upload(rows_with_two_bad()), grid=grid))
    client = client_for(username)
    for suffix in ("", "status/", "report.xlsx"):
        assert client.get(f"/imports/{job.uuid}/{suffix}").status_code == 404
    assert client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "1"}).status_code == 404
    assert job.original_name not in client.get("/imports/").content.decode()
    assert not AuditEvent.objects.filter(action="import_job.report_export").exists()


def test_a_missing_job_is_404(client_for):
    assert client_for("admin").get("/imports/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_the_job_list_shows_the_jobs_in_scope_with_their_state(client_for, nq_job):
    for username in ("nanqiao", "grid-nq", "auditor", "admin"):
        body = client_for(username).get("/imports/").content.decode()
        assert "人口.csv" in body
        assert "已校验" in body
        assert "有误 2 行" in body
    assert "新建导入" in client_for("nanqiao").get("/imports/").content.decode()
    assert "新建导入" not in client_for("grid-nq").get("/imports/").content.decode()
    assert "暂无导入记录" in client_for("grid-tq").get("/imports/").content.decode()
    assert "暂无导入记录" in client_for("zhian").get("/imports/").content.decode()


def test_the_job_list_costs_the_same_few_queries_for_many_jobs(client_for, django_assert_max_num_queries):
    client = client_for("nanqiao")
    for grid in (NQ_GRID, NQ_GRID_2, "310120.01.002.01", "310120.01.003.01"):
        job_from(upload(client, csv_upload([HEADER, *good_rows(1)]), grid=grid))
    with django_assert_max_num_queries(8):
        body = client.get("/imports/").content.decode()
    assert body.count('class="state state-validated"') == 4


# Large files go through the worker.


def test_a_large_file_is_validated_and_written_by_the_worker(client_for, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(jobs, "SYNC_MAX_BYTES", {})
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload([HEADER, *good_rows(3)])))
    assert job.state == ImportJob.State.UPLOADED
    queued = DBTaskResult.objects.get(task_path="linli.registry.tasks.validate_import_job")
    assert queued.args_kwargs == {"args": [str(job.uuid)], "kwargs": {}}
    # While it runs the card polls every 2 s; the status fragment is the card alone.
    body = client.get(f"/imports/{job.uuid}/").content.decode()
    assert f'hx-get="/imports/{job.uuid}/status/" hx-trigger="every 2s"' in body
    assert "尚未写入任何数据" in body
    fragment = client.get(f"/imports/{job.uuid}/status/").content.decode()
    assert fragment.startswith('<section id="job"')
    assert "every 2s" in fragment

    validate_import_job.call(str(job.uuid))
    job.refresh_from_db()
    assert (job.state, job.total_rows) == (ImportJob.State.VALIDATED, 3)
    assert "every 2s" not in client.get(f"/imports/{job.uuid}/status/").content.decode()
    validate_import_job.call(str(job.uuid))  # a second run of the same step does nothing
    job.refresh_from_db()
    assert job.state == ImportJob.State.VALIDATED

    client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "0"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.WRITING
    assert not Resident.objects.exists()
    written = DBTaskResult.objects.get(task_path="linli.registry.tasks.write_import_job")
    actor_id = job.uploaded_by_id
    assert written.args_kwargs == {"args": [str(job.uuid), actor_id], "kwargs": {}}
    assert "正在写入" in client.get(f"/imports/{job.uuid}/").content.decode()
    write_import_job.call(str(job.uuid), actor_id)
    job.refresh_from_db()
    assert (job.state, job.created) == (ImportJob.State.DONE, 3)
    assert Resident.objects.filter(name__startswith="试导入").count() == 3


def test_a_failure_inside_the_write_leaves_nothing(client_for, monkeypatch):
    client = client_for("nanqiao")
    job = job_from(upload(client, csv_upload([HEADER, *good_rows(3)])))

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "import_residents", broken)
    client.post(f"/imports/{job.uuid}/write/", {"write_valid_rows": "0"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "内部错误" in job.failure
    assert not Resident.objects.exists()


def test_services_check_the_capability_themselves(persona, var_dir):
    from linli.core.errors import ServiceError

    grid = Unit.objects.get(code=NQ_GRID)
    with pytest.raises(ServiceError):
        jobs.import_job_create(
            actor=persona("grid-nq"), unit=grid, upload=csv_upload([HEADER, *good_rows(1)])
        )
    job = jobs.import_job_create(
        actor=persona("nanqiao"), unit=grid, upload=csv_upload([HEADER, *good_rows(1)])
    )
    with pytest.raises(ServiceError):
        jobs.import_job_write(actor=persona("auditor"), job=job, write_valid_rows=False)
    assert Path(var_dir / "imports" / job.stored_name).exists()
