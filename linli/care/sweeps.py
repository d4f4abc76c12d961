# Transitional re-exports for importers outside linli.care; removed when they import the noun modules.
from linli.care.services.sweeps import sweep_start

__all__ = ["sweep_start"]
