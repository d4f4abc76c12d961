# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.services.addresses import address_register, resident_attach_address

__all__ = ["address_register", "resident_attach_address"]
