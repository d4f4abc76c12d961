# Transitional re-exports for importers outside linli.audit; removed when they import the noun modules.
from linli.audit.services.reads import audit_read, search_terms

__all__ = ["audit_read", "search_terms"]
