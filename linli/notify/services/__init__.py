# Transitional re-exports for importers outside linli.notify; removed when they import the noun modules.
from linli.notify.services.notifications import notifications_retry_due, notify

__all__ = ["notifications_retry_due", "notify"]
