# Transitional re-exports for importers outside linli.care; removed when they import the noun modules.
from linli.care.selectors.key_persons import get_key_person_for_user
from linli.care.selectors.units import care_units_of, get_unit_for_care
from linli.care.selectors.worklists import contacts_due

__all__ = ["care_units_of", "contacts_due", "get_key_person_for_user", "get_unit_for_care"]
