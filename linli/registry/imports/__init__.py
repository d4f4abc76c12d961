# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
