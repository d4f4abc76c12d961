# Transitional re-exports for importers outside linli.org; removed when they import the noun modules.
from linli.org.selectors.units import (
    ancestors_of,
    children_visible_to,
    subtree_counts,
    top_units_visible_to,
    units_visible_to,
)

__all__ = [
    "ancestors_of",
    "children_visible_to",
    "subtree_counts",
    "top_units_visible_to",
    "units_visible_to",
]
