# Transitional re-exports for importers outside linli.safety; removed when they import the noun modules.
from linli.safety.services.disputes import PartyInput, dispute_checks_remind, dispute_log, dispute_mediate
from linli.safety.services.hazards import hazard_open_from_contact, hazard_record, hazards_remind_overdue

__all__ = [
    "PartyInput",
    "dispute_checks_remind",
    "dispute_log",
    "dispute_mediate",
    "hazard_open_from_contact",
    "hazard_record",
    "hazards_remind_overdue",
]
