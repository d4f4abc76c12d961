# Transitional re-exports for importers outside linli.audit; removed when they import the noun modules.
from linli.audit.services.events import audit_record

__all__ = ["audit_record"]
