"""Contact phone numbers in mainland China: mobile numbers and landlines with area code.

Normalised forms: mobile "13812345678"; landline "021-57101234" (area code, dash, local number) with
any extension kept apart in `Phone.extension`, so that masking, matching and "last four digits" work
on the number itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["Phone", "PhoneError", "normalise_phone", "phone_last4"]


class PhoneError(ValueError):
    """A phone number that cannot be accepted; `.message` is the Chinese text for an import report.

    `.code` names the kind of error (empty, chars, several, foreign, service, hotline, mobile_length,
    mobile_prefix, area_code, local_length, local_prefix, no_area_code, extension, ambiguous).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Phone:
    """A validated phone number; `extension` is "" unless a landline extension was given."""

    number: str
    kind: Literal["mobile", "landline"]
    extension: str = ""

    @property
    def display(self) -> str:
        """The number as shown to a person, with the extension if any: "021-57101234转801"."""
        return f"{self.number}转{self.extension}" if self.extension else self.number


# Extension markers people write; "-" is handled separately because it also groups digits.
_EXTENSION = re.compile(r"-?(?:转|分机|EXT\.?)[-:]?(\d{1,6})$")
_SEVERAL = re.compile(r"[/、,;|]|或")
_BRACKETS = re.compile(r"[()\[\]]")
_DASHES = re.compile(r"[\-‐‑‒–—―−~]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_INTERNATIONAL = re.compile(r"^(?:\+86|0086)")


def _clean(raw: str) -> str:
    # ASCII is already in NFKC; most cells are plain ASCII, so skip the work for them.
    text = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).upper().strip()
    text = _DASHES.sub("-", text)
    # Brackets around an area code, "(021)57101234", carry no meaning.
    text = _BRACKETS.sub("", text)
    # Spaces group digits just like dashes do ("021 5710 1234 801"), so both become one dash.
    return re.sub(r"[\s\-]+", "-", text).strip("-")


def normalise_phone(raw: str, *, default_area_code: str | None = None) -> Phone:
    """Validate and normalise a contact phone number as written in a form or spreadsheet.

    Accepts spaces, dashes, brackets, full-width digits, +86/0086/86 before a mobile number and
    +86/0086 before a landline. A local landline number without area code is accepted only when
    `default_area_code` (e.g. "021") is given. Service numbers (110, 12345, 95xxx) and 400/800 hotlines
    are rejected: they do not reach a person. Raises PhoneError with a Chinese message.
    """
    if len(raw) == 11 and raw.isascii() and raw.isdigit() and _MOBILE.fullmatch(raw):
        # The common case, already in normal form: skip the cleaning below (imports run this per row).
        return Phone(number=raw, kind="mobile")
    text = _clean(raw)
    if not text:
        raise PhoneError("empty", "电话号码为空")
    if _SEVERAL.search(text):
        raise PhoneError("several", "一格只能填一个电话号码")

    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]

    if text.startswith("+") and not _INTERNATIONAL.match(text):
        raise PhoneError("foreign", "只接受中国大陆电话号码")
    international = bool(_INTERNATIONAL.match(text))
    body = _INTERNATIONAL.sub("", text).lstrip("-")
    bad = re.search(r"[^\d\-+]", body)
    if bad or "+" in body:
        char = bad.group(0) if bad else "+"
        raise PhoneError("chars", f"电话号码含无效字符“{char}”")
    groups = [group for group in body.split("-") if group]
    digits = "".join(groups)
    if not digits:
        raise PhoneError("empty", "电话号码为空")
    if sum(1 for group in groups if _MOBILE.fullmatch(group)) > 1:
        raise PhoneError("several", "一格只能填一个电话号码")

    if international:
        # After +86 a mobile stands as is; a landline drops its leading 0 ("+86 21 5710 1234").
        if digits.startswith("1"):
            return _mobile(digits, extension)
        if not digits.startswith("0"):
            digits = "0" + digits
            groups = ["0" + groups[0], *groups[1:]]
        return _landline(digits, groups, extension)

    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return _mobile(digits[2:], extension)
    if digits.startswith("1"):
        if len(digits) <= 6:
            raise PhoneError("service", f"{digits}是服务号码，不能作为联系电话")
        return _mobile(digits, extension)
    if digits.startswith(("400", "800")) and len(digits) == 10:
        raise PhoneError("hotline", f"{digits}是400/800客服热线，不能作为个人联系电话")
    if len(digits) <= 6:
        # 95xxx/96xxx and similar short numbers belong to companies and hotlines, not to a person.
        raise PhoneError("service", f"{digits}是服务号码或号码不全，不能作为联系电话")
    if digits.startswith("0"):
        return _landline(digits, groups, extension)
    if len(digits) in (7, 8):
        if default_area_code is None:
            raise PhoneError("no_area_code", f"座机号{digits}缺少区号")
        area = re.sub(r"\D", "", unicodedata.normalize("NFKC", default_area_code))
        return _landline(area + digits, [area, digits], extension)
    raise PhoneError("local_length", f"无法识别的电话号码：{digits}（手机号应为11位，座机号应带区号）")


def _mobile(digits: str, extension: str) -> Phone:
    if len(digits) != 11:
        raise PhoneError("mobile_length", f"手机号应为11位，实为{len(digits)}位")
    if not _MOBILE.fullmatch(digits):
        raise PhoneError("mobile_prefix", f"手机号号段无效：{digits[:3]}")
    if extension:
        raise PhoneError("extension", "手机号不能带分机号")
    return Phone(number=digits, kind="mobile")


def _area_code_length(digits: str) -> int:
    # 010 (Beijing) and 02X (the other large cities) have 3-digit area codes; all others 0XXX.
    if digits.startswith(("010", "02")):
        return 3
    if digits[:2] in {"03", "04", "05", "06", "07", "08", "09"}:
        return 4
    if digits.startswith("00"):
        # 00 dials abroad; 0086 (mainland China) was taken off before this point.
        raise PhoneError("foreign", "只接受中国大陆电话号码")
    raise PhoneError("area_code", f"区号无效：{digits[:3]}")


def _landline(digits: str, groups: list[str], extension: str) -> Phone:
    area_length = _area_code_length(digits)
    written_area = groups[0]
    if len(groups) > 1 and len(written_area) in (3, 4) and len(written_area) != area_length:
        # The writer marked "0213" or "02157" as the area code; the digits say otherwise.
        raise PhoneError("area_code", f"区号无效：{written_area}")
    area, rest = digits[:area_length], digits[area_length:]
    # Cities with 3-digit area codes all have 8-digit local numbers; others have 7 or 8.
    local_lengths = (8,) if area_length == 3 else (7, 8)
    if len(rest) > 8:
        # Only a dash can tell where the local number ends and an extension begins
        # ("021-57101234-801"); without one, splitting the digits would be a guess.
        local, dash_extension = _split_at_dash(groups, area_length, local_lengths)
        if not local:
            raise PhoneError("ambiguous", f"座机号{digits}过长，无法区分号码与分机号，请用“转”标明分机")
        if extension:
            raise PhoneError("extension", "分机号写了两次")
        rest, extension = local, dash_extension
    if len(rest) not in local_lengths:
        expected = "8" if area_length == 3 else "7或8"
        raise PhoneError("local_length", f"区号{area}的座机号应为{expected}位，实为{len(rest)}位")
    if rest[0] in "01":
        # Local numbers never start with 0 or 1; such a number has a doubled area code or is a typo.
        raise PhoneError("local_prefix", f"座机号{rest}不能以{rest[0]}开头")
    return Phone(number=f"{area}-{rest}", kind="landline", extension=extension)


def _split_at_dash(groups: list[str], area_length: int, local_lengths: tuple[int, ...]) -> tuple[str, str]:
    """Split dash groups into (local number, extension) at a group boundary; ("", "") if none fits."""
    joined = "".join(groups)
    position = 0
    for index, group in enumerate(groups[:-1]):
        position += len(group)
        local = joined[area_length:position]
        if len(local) in local_lengths:
            return local, "".join(groups[index + 1 :])
    return "", ""


def phone_last4(number: str) -> str:
    """The last four digits of a phone number, ignoring any extension ("尾号5678" searches)."""
    if number.isascii() and number.isdigit() and len(number) >= 4:
        return number[-4:]
    text = unicodedata.normalize("NFKC", number).upper()
    text = _EXTENSION.sub("", re.sub(r"\s+", "", text))
    digits = re.sub(r"\D", "", text)
    if len(digits) < 4:
        raise PhoneError("local_length", f"电话号码不足4位：{number}")
    return digits[-4:]
