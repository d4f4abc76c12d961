# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.services.imports.residents import import_residents

__all__ = ["import_residents"]
