"""The /api/v1/ import job endpoints per persona: scoped, with their progress and error report."""

from __future__ import annotations

import pytest

from linli.conftest import NQ_GRID, NQ_GRID_2, TQ_GRID
from linli.org.models import Unit
from linli.registry.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(persona, settings, tmp_path):
    settings.VAR_DIR = tmp_path

    def make(code: str, name: str) -> ImportJob:
        import uuid

        unit = Unit.objects.get(code=code)
        return ImportJob.objects.create(
            uuid=uuid.uuid4(), kind="residents", unit=unit, unit_path=unit.path, uploaded_by=persona("admin"),
            original_name=name, stored_name="x.csv", state="validated", total_rows=10, rejected=2,
            report_name="x-report.xlsx",
        )  # fmt: skip

    return {
        "nq": make(NQ_GRID, "南桥.csv"),
        "nq2": make(NQ_GRID_2, "南桥二.csv"),
        "tq": make(TQ_GRID, "头桥.csv"),
    }


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("grid-nq", {"南桥.csv"}),
        ("nanqiao", {"南桥.csv", "南桥二.csv"}),
        ("auditor", {"南桥.csv", "南桥二.csv", "头桥.csv"}),
        ("grid-tq", {"头桥.csv"}),
        ("zhian", set()),
    ],
)
def test_import_jobs_are_scoped(api_for, jobs, username, expected):
    body = api_for(username).get("/api/v1/imports").json()
    assert {j["original_name"] for j in body["items"]} == expected


def test_import_job_detail(api_for, jobs):
    job = jobs["nq"]
    body = api_for("grid-nq").get(f"/api/v1/imports/{job.uuid}").json()
    assert (body["state"], body["state_label"], body["total_rows"], body["rejected"]) == (
        "validated",
        "已校验",
        10,
        2,
    )
    assert body["unit"] == {"code": NQ_GRID, "name": "第一网格"}
    assert body["report_url"] == f"/imports/{job.uuid}/report.xlsx"
    assert body["uploaded_by"] == "admin"
    for username in ("grid-tq", "zhian", "touqiao"):
        response = api_for(username).get(f"/api/v1/imports/{job.uuid}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到"}
    assert api_for("admin").get("/api/v1/imports/not-a-uuid").status_code == 422
