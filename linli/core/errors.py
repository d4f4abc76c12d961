from __future__ import annotations


class ServiceError(Exception):
    """A rule a service refused to break; the message is Chinese and meant for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
