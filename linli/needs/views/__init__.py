# Transitional re-exports for importers outside linli.needs; removed when they import the noun modules.

from linli.needs.views.requests import ACTIONS

__all__ = ["ACTIONS"]
