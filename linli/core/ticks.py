"""The periodic jobs that `linli tick` runs, registered by the apps that own them.

An app registers its jobs in its `AppConfig.ready()`:

    register_tick_job("超时诉求自动上报", requests_escalate_overdue)

A job takes no arguments, claims its rows with conditional updates (two ticks at once do no work
twice) and returns how many rows it handled. Jobs run in the order they were registered, which is the
order of INSTALLED_APPS. `core` knows no app: this registry is how the apps reach the tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TickJob:
    label: str  # what the tick prints, in Chinese
    run: Callable[[], int]

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"


_jobs: list[TickJob] = []


def register_tick_job(label: str, run: Callable[[], int]) -> None:
    """Add a job; registering the same function again (a second `ready()`) changes nothing."""
    job = TickJob(label, run)
    if all(existing.name != job.name for existing in _jobs):
        _jobs.append(job)


def tick_jobs() -> list[TickJob]:
    return list(_jobs)
