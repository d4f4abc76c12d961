# Transitional re-exports for importers outside linli.registry; removed when they import the noun modules.
from linli.registry.selectors.addresses import addresses_visible_to
from linli.registry.selectors.residents import get_resident_for_user, residents_visible_to

__all__ = ["addresses_visible_to", "get_resident_for_user", "residents_visible_to"]
