"""The seams through which care's writes reach the apps above it (docs/architecture.md, "Layers").

`contact_logged` is sent by `contact_log` inside its transaction, once the contact, the person's new
due date and the audit event are written, with `actor` and `contact`. Receivers run in that same
transaction: what they write commits with the contact, and an exception they raise rolls the contact
back. `needs` files a request for the needs found, `safety` opens a hazard for the hazards found; each
connects its receiver in its `AppConfig.ready()`.
"""

from __future__ import annotations

from django.dispatch import Signal

contact_logged = Signal()
