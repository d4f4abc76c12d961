"""Import jobs (R4): an uploaded file is stored, validated, and written when the user chooses.

The row-level work is the rest of `linli.registry.services.imports` (its public API only:
`import_residents`, `ImportFileError`, `report_rows`). A job moves uploaded → validating → validated →
writing → done, or to failed with a Chinese reason. Small files run inside the request; large ones through
a task that `linli worker` runs. Each step claims the job with a conditional update, so a step runs once
even if two workers pick it up, and ends it with another, so a job that `linli tick` failed as stuck stays
failed. No step parses the file itself: `read_table` has a sandboxed child process do that
(linli.registry.services.imports.tables), so a hostile upload can end a job, never the server process.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from linli.accounts.models import Capability
from linli.accounts.selectors.scope import require_capability
from linli.audit.services.events import audit_record
from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.registry.models import ImportJob
from linli.registry.selectors.imports import imports_dir, report_path
from linli.registry.services.imports.report import ImportFileError, ImportReport
from linli.registry.services.imports.residents import import_residents
from linli.registry.services.imports.tables import time_limit
from linli.registry.signals import import_step_queued

logger = logging.getLogger(__name__)

UPLOAD_SUFFIXES = (".xlsx", ".xls", ".csv")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Up to these sizes a step runs inside the request (a few seconds at most): about 10,000 rows of a
# typical 户籍 sheet either way, since xlsx is compressed. Larger files go to the worker.
SYNC_MAX_BYTES = {".csv": 1024 * 1024, ".xlsx": 384 * 1024, ".xls": 1024 * 1024}
# A file parsed during the request gets at most this long (the server kills a worker after 30 s).
IN_REQUEST_SECONDS = 20
RUNNING_STATES = (ImportJob.State.UPLOADED, ImportJob.State.VALIDATING, ImportJob.State.WRITING)
_INTERNAL_FAILURE = "处理文件时发生内部错误，未写入任何数据；请联系管理员"
_STUCK_FAILURE = (
    "导入任务超过 {minutes} 分钟仍未完成（处理进程可能已中止），已终止，未写入任何数据；请重新导入"
)


def _stored_path(job: ImportJob) -> Path:
    return imports_dir() / job.stored_name


def runs_in_request(*, size: int, suffix: str) -> bool:
    """Whether a file of this size is validated and written inside the request, not by the worker."""
    return size <= SYNC_MAX_BYTES.get(suffix, 0)


# Writes.


def import_job_create(
    *, actor: Any, unit: Unit, upload: UploadedFile, kind: str = ImportJob.Kind.RESIDENTS
) -> ImportJob:
    """Keep the uploaded file under VAR_DIR/imports/ and start validating it.

    Small files are validated before this returns; for large ones a task is queued in the same
    transaction as the job (the database task backend), so neither exists without the other.
    """
    require_capability(actor, Capability.MANAGE_REGISTRY, unit.path)
    if kind not in ImportJob.Kind.values:
        raise ServiceError("请选择要导入的数据类型", field="kind")
    if unit.kind != Unit.Kind.GRID:
        raise ServiceError("请选择网格作为导入目标（人员落在该网格）", field="grid")
    original_name = Path(upload.name or "").name
    suffix = Path(original_name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ServiceError("只能导入 xlsx、xls 或 csv 文件", field="file")
    size = upload.size or 0
    if size == 0:
        raise ServiceError("文件是空的", field="file")
    if size > MAX_UPLOAD_BYTES:
        raise ServiceError(
            f"文件超过 {MAX_UPLOAD_BYTES / (1024 * 1024):g} MB 的上限，请拆分后导入", field="file"
        )

    job_uuid = uuid.uuid4()
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{job_uuid}{suffix}"
    with stored.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    in_request = runs_in_request(size=size, suffix=suffix)
    try:
        with transaction.atomic():
            job = ImportJob(
                uuid=job_uuid,
                kind=kind,
                unit=unit,
                unit_path=unit.path,
                uploaded_by=actor,
                original_name=original_name[:255],
                stored_name=stored.name,
                state_changed_at=timezone.now(),
            )
            job.full_clean()
            job.save()
            audit_record(
                actor=actor,
                action="import_job.create",
                obj=job,
                unit_path=unit.path,
                detail={"kind": kind, "bytes": size, "in_request": in_request},
            )
            if not in_request:
                import_step_queued.send(
                    sender=ImportJob, step="validate", job_uuid=str(job_uuid), actor_id=actor.pk
                )
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    if in_request:
        with time_limit(IN_REQUEST_SECONDS):
            import_job_validate(job_uuid=job_uuid)
        job.refresh_from_db()
    return job


def import_job_validate(*, job_uuid: uuid.UUID | str) -> None:
    """Validate every row of an uploaded job (nothing is written) and keep the error report.

    Run by the worker or, for small files, inside the upload request. Does nothing unless the job
    is still waiting for validation.
    """
    claimed = ImportJob.objects.filter(uuid=job_uuid, state=ImportJob.State.UPLOADED).update(
        state=ImportJob.State.VALIDATING, state_changed_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("unit", "uploaded_by").get(uuid=job_uuid)
    try:
        report = _run_import(job, actor=job.uploaded_by, dry_run=True)
        job.report_name = _write_report(job, report) if report.errors else ""
    except ServiceError as exc:  # ImportFileError, or the uploader lost the right to import
        _fail(job, exc.message)
        return
    except Exception:
        logger.exception("validating import job %s failed", job_uuid)
        _fail(job, _INTERNAL_FAILURE)
        return
    # Only if it is still ours: `linli tick` may have failed it as stuck meanwhile.
    ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.VALIDATING).update(
        state=ImportJob.State.VALIDATED,
        state_changed_at=timezone.now(),
        total_rows=report.total_rows,
        rows_done=report.total_rows,
        rejected=report.rejected_rows,
        report_name=job.report_name,
    )


def import_job_write(*, actor: Any, job: ImportJob, write_valid_rows: bool) -> ImportJob:
    """Write a validated job: all rows (only when none has an error) or only the valid rows.

    Small files are written before this returns; for large ones the write is queued for the worker.
    The write is one transaction with the job's 已完成, so a crash leaves neither.
    """
    require_capability(actor, Capability.MANAGE_REGISTRY, job.unit_path)
    if job.state != ImportJob.State.VALIDATED:
        raise ServiceError(f"该导入任务{job.get_state_display()}，不能再写入")
    if job.rejected and not write_valid_rows:
        raise ServiceError(
            f"有 {job.rejected} 行有误：可以选择“只写入正确的行”，或改正文件后重新导入",
            field="write_valid_rows",
        )
    if job.rejected >= job.total_rows:
        raise ServiceError("没有正确的行可以写入")
    path = _stored_path(job)
    in_request = runs_in_request(size=path.stat().st_size if path.exists() else 0, suffix=path.suffix)
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.VALIDATED).update(
            state=ImportJob.State.WRITING, write_valid_rows=write_valid_rows, state_changed_at=timezone.now()
        )
        if not claimed:
            raise ServiceError("该导入任务已在写入或已完成")
        audit_record(
            actor=actor,
            action="import_job.write",
            obj=job,
            unit_path=job.unit_path,
            detail={"write_valid_rows": write_valid_rows, "in_request": in_request},
        )
        if not in_request:
            import_step_queued.send(sender=ImportJob, step="write", job_uuid=str(job.uuid), actor_id=actor.pk)
    if in_request:
        with time_limit(IN_REQUEST_SECONDS):
            import_job_run_write(job_uuid=job.uuid, actor_id=actor.pk)
    job.refresh_from_db()
    return job


def import_job_run_write(*, job_uuid: uuid.UUID | str, actor_id: int) -> None:
    """The write step of `import_job_write`, run by the worker or inside the request."""
    from linli.accounts.models import User

    job = (
        ImportJob.objects.select_related("unit").filter(uuid=job_uuid, state=ImportJob.State.WRITING).first()
    )
    if job is None:
        return
    actor = User.objects.get(pk=actor_id)
    try:
        with transaction.atomic():
            report = _run_import(job, actor=actor, write_valid_rows=job.write_valid_rows)
            if not report.written:
                raise ImportFileError("文件的校验结果与上次不同，未写入任何数据；请重新导入")
            now = timezone.now()
            # Conditional: if `linli tick` failed the job as stuck meanwhile, the write is undone.
            finished = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.WRITING).update(
                state=ImportJob.State.DONE,
                state_changed_at=now,
                finished_at=now,
                total_rows=report.total_rows,
                rows_done=report.total_rows,
                rejected=report.rejected_rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
            if not finished:
                raise _Abandoned
    except _Abandoned:
        return
    except ServiceError as exc:
        _fail(job, exc.message)
        return
    except Exception:
        logger.exception("writing import job %s failed", job_uuid)
        _fail(job, _INTERNAL_FAILURE)
        return
    if job.kind in (ImportJob.Kind.RESIDENTS, ImportJob.Kind.ADDRESSES):
        # New residents, or new standard addresses for residents still unmatched: attach what matches,
        # queue the rest for review. After the commit, so that a failure here loses no imported row.
        from linli.registry.services.addresses import residents_match_addresses

        residents_match_addresses(unit_path=job.unit_path)


def import_job_report_export(*, actor: Any, job: ImportJob) -> Path:
    """The error report of a job the caller has accessed, for download; the export is audited."""
    path = report_path(job)
    if path is None or not path.exists():
        raise Http404
    audit_record(
        actor=actor,
        action="import_job.report_export",
        obj=job,
        unit_path=job.unit_path,
        detail={"rows": job.rejected},
    )
    return path


def _run_import(
    job: ImportJob, *, actor: Any, dry_run: bool = False, write_valid_rows: bool = False
) -> ImportReport:
    """The import for the job's kind: residents by the fast pipeline, the other kinds by the generic one."""
    from linli.registry.services.imports.places import import_places

    if job.kind == ImportJob.Kind.RESIDENTS:

        def progress(rows: int) -> None:
            # Visible to the job page at once while validating (no transaction is open then); during
            # the write it lands with the commit.
            ImportJob.objects.filter(pk=job.pk).update(rows_done=rows)

        return import_residents(
            actor=actor,
            path=_stored_path(job),
            unit=job.unit,
            dry_run=dry_run,
            write_valid_rows=write_valid_rows,
            progress=progress,
        )
    return import_places(
        kind=job.kind,
        actor=actor,
        path=_stored_path(job),
        unit=job.unit,
        dry_run=dry_run,
        write_valid_rows=write_valid_rows,
    )


class _Abandoned(Exception):
    """Raised inside a write whose job is no longer running (failed as stuck): the write is undone."""


def _fail(job: ImportJob, message: str) -> None:
    """End a running job as failed; a job that already ended (done, or failed as stuck) keeps its end."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk, state__in=RUNNING_STATES).update(
        state=ImportJob.State.FAILED, failure=message[:500], finished_at=now, state_changed_at=now
    )


def import_jobs_fail_stuck() -> int:
    """Fail the import jobs left uploaded, validating or writing for longer than the limit (`linli tick`).

    A worker killed mid-step (or a server restarted while a small file was being validated in the
    request) leaves its job running for ever; this ends it with a Chinese reason. Nothing was written:
    a write is one transaction, and a write still running when its job is failed here is undone.
    """
    from django.conf import settings
    from django.db.models import Q

    minutes = int(settings.LINLI_IMPORT_STUCK_MINUTES)
    now = timezone.now()
    cutoff = now - timedelta(minutes=minutes)
    old = Q(state_changed_at__lt=cutoff) | Q(state_changed_at__isnull=True, created_at__lt=cutoff)
    failed = 0
    for job in ImportJob.objects.filter(old, state__in=RUNNING_STATES).only("pk", "state", "unit_path"):
        # One conditional update per job, so that a worker finishing it this instant keeps its result.
        with transaction.atomic():
            claimed = ImportJob.objects.filter(old, pk=job.pk, state=job.state).update(
                state=ImportJob.State.FAILED,
                failure=_STUCK_FAILURE.format(minutes=minutes),
                finished_at=now,
                state_changed_at=now,
            )
            if claimed:
                audit_record(
                    actor=None,
                    action="import_job.fail_stuck",
                    obj=job,
                    unit_path=job.unit_path,
                    detail={"state": job.state, "minutes": minutes},
                )
        failed += claimed
    return failed


def _write_report(job: ImportJob, report: ImportReport) -> str:
    """Write the row errors as xlsx (行号/列/问题) next to the upload; returns the file's name."""
    from linli.registry.services.imports.report import report_xlsx

    name = f"{job.uuid}-report.xlsx"
    final = imports_dir() / name
    partial = final.with_name(name + ".part")
    partial.write_bytes(report_xlsx(report))
    os.replace(partial, final)
    return name
