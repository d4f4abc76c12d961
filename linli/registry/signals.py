"""Signals that registry's services send.

`import_step_queued` (arguments `step`: "validate" or "write", `job_uuid`, `actor_id`) says that an
import job's next step is to run in the background, not in the request. `linli.registry.tasks` receives
it and enqueues the task (connected in RegistryConfig.ready), so the services never import the tasks
that import them.
"""

from __future__ import annotations

from django.dispatch import Signal

import_step_queued = Signal()
