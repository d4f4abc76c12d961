# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.services.imports.jobs import import_job_create, import_jobs_fail_stuck

__all__ = ["import_job_create", "import_jobs_fail_stuck"]
