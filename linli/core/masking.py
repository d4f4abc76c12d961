"""Server-side masking of personal numbers for lists and search results."""

from __future__ import annotations

import datetime

from django.utils import timezone


def mask_id_number(value: str) -> str:
    """310120199001011234 -> 310120********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; landlines keep their area code and last four digits."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) == 11 and digits.isdigit():
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    head = digits.split("-")[0] + "-" if "-" in digits else digits[:3]
    return head + "*" * max(len(digits) - len(head) - 4, 3) + digits[-4:]


def age_of(birth_date: datetime.date | None, on: datetime.date | None = None) -> int | None:
    """Age in full years (周岁), shown instead of the birth date beside a masked ID number.

    The masked part of an ID number (digits 7–14) is exactly the birth date: a page that showed both
    would hand the full number back. An age narrows the date only to two years.
    """
    if birth_date is None:
        return None
    on = on or timezone.localdate()
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
