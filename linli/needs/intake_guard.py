# Transitional re-exports for importers outside linli.needs; removed when they import the noun modules.

from linli.needs.services.intake import FILINGS_PER_HOUR, intake_guard_purge

__all__ = ["FILINGS_PER_HOUR", "intake_guard_purge"]
