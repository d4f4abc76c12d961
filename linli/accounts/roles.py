# Transitional re-exports for importers outside linli.accounts; removed when they import the noun modules.
from linli.accounts.models import ROLE_CAPABILITIES, Capability, Role

__all__ = ["ROLE_CAPABILITIES", "Capability", "Role"]
