# Transitional re-exports for importers outside linli.care; removed when they import the noun modules.
from linli.care.services.contacts import contact_log
from linli.care.services.key_persons import CategoryInput, key_person_enrol

__all__ = ["CategoryInput", "contact_log", "key_person_enrol"]
