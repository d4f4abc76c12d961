# Transitional re-exports for importers outside linli.care; removed when they import the noun modules.
from linli.care.selectors.indicators import last_full_weeks, on_time_rates

__all__ = ["last_full_weeks", "on_time_rates"]
