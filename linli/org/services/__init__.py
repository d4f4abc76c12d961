# Transitional re-exports for importers outside linli.org; removed when they import the noun modules.
from linli.org.services.support_points import support_point_create

__all__ = ["support_point_create"]
