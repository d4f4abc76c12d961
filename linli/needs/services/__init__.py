# Transitional re-exports for importers outside linli.needs; removed when they import the noun modules.

from linli.needs.services.requests import request_file, request_from_contact, requests_escalate_overdue

__all__ = ["request_file", "request_from_contact", "requests_escalate_overdue"]
