"""Per-request facts that services need but should not take as arguments (the client address)."""

from __future__ import annotations

from contextvars import ContextVar

client_address: ContextVar[str] = ContextVar("client_address", default="")
