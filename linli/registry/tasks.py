"""Background steps of import jobs, run by `linli worker` (django-tasks, database backend).

Arguments are plain strings and ids (they are stored as JSON); the services re-read the job and do
nothing when another worker has already taken the step.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from linli.registry.services.imports.jobs import import_job_run_write, import_job_validate


@task()
def validate_import_job(job_uuid: str) -> None:
    import_job_validate(job_uuid=job_uuid)


@task()
def write_import_job(job_uuid: str, actor_id: int) -> None:
    import_job_run_write(job_uuid=job_uuid, actor_id=actor_id)


def enqueue_import_step(sender: Any, *, step: str, job_uuid: str, actor_id: int, **kwargs: Any) -> None:
    """Receives `import_step_queued` (linli.registry.signals): hand the step to the worker."""
    if step == "validate":
        validate_import_job.enqueue(job_uuid)
    else:
        write_import_job.enqueue(job_uuid, actor_id)
