# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.forms.residents import RevealForm

__all__ = ["RevealForm"]
