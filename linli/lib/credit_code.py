"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of enterprises and other organisations.

18 characters: registering authority (1), organisation type (1), region code (6), the 9-character
organisation code of GB 11714 (with its own check character) and a final check character, computed
mod 31 over the 31 characters of the code's alphabet (no I, O, S, V, Z).
"""

from __future__ import annotations

import unicodedata

__all__ = ["CreditCodeError", "credit_check_char", "make_credit_code", "normalise_credit_code"]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CreditCodeError(ValueError):
    """A code that cannot be accepted; `.message` is the Chinese text for a report."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def credit_check_char(first17: str) -> str:
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_check_char(first8: str) -> str:
    total = sum(_ORG_ALPHABET.index(ch) * weight for ch, weight in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def normalise_credit_code(raw: str) -> str:
    """The code in upper case without spaces, or CreditCodeError with a Chinese message."""
    code = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if not code:
        raise CreditCodeError("统一社会信用代码为空")
    if len(code) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，实为{len(code)}位")
    bad = sorted({ch for ch in code if ch not in _VALUE})
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有不允许的字符：{''.join(bad)}")
    if not code[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3–8位应为行政区划代码")
    org = code[8:17]
    if all(ch in _ORG_ALPHABET for ch in org[:8]) and _org_check_char(org[:8]) != org[8]:
        raise CreditCodeError("统一社会信用代码中的组织机构代码校验位错误")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：应为{expected}")
    return code


def make_credit_code(region_code: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A valid synthetic code (enterprise registered with market regulation by default), for demo data."""
    body = f"{serial:08d}"[-8:]
    org = body + _org_check_char(body)
    first17 = f"{authority}{kind}{region_code}{org}"
    return first17 + credit_check_char(first17)
