# Transitional re-exports for importers outside linli.accounts; removed when they import the noun modules.
from linli.core.client import client_address

__all__ = ["client_address"]
