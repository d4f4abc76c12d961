# Transitional re-exports for importers outside linli.accounts; removed when they import the noun modules.
from linli.accounts.selectors.scope import require_capability, scope_for

__all__ = ["require_capability", "scope_for"]
