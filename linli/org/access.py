# Transitional re-exports for importers outside linli.org; removed when they import the noun modules.
from linli.org.selectors.units import ReadOnlyAccess, get_unit_for_user

__all__ = ["ReadOnlyAccess", "get_unit_for_user"]
