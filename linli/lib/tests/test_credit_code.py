from __future__ import annotations

import pytest

from linli.lib.credit_code import CreditCodeError, credit_check_char, make_credit_code, normalise_credit_code


def test_a_made_code_is_valid_and_normalised():
    code = make_credit_code("310120", 1234567)
    assert len(code) == 18
    assert normalise_credit_code(" " + code.lower() + " ") == code
    assert credit_check_char(code[:17]) == code[17]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "为空"),
        ("91310120MA1", "应为18位"),
        ("91310120MA1HXXXXXI", "不允许的字符"),
        ("9131A120000000000X", "行政区划"),
    ],
)
def test_bad_codes_get_chinese_errors(raw, message):
    with pytest.raises(CreditCodeError, match=message):
        normalise_credit_code(raw)


def test_a_changed_character_is_caught():
    code = make_credit_code("310120", 7654321)
    last = code[17]
    wrong = code[:17] + ("0" if last != "0" else "1")
    with pytest.raises(CreditCodeError, match="校验位错误"):
        normalise_credit_code(wrong)
    swapped = code[:9] + ("1" if code[9] != "1" else "2") + code[10:]
    with pytest.raises(CreditCodeError, match="校验位"):
        normalise_credit_code(swapped)


def test_full_width_input_is_accepted():
    code = make_credit_code("150623", 42)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert normalise_credit_code(full_width) == code


def test_the_standards_own_example():
    # The worked example of GB 32100-2015.
    assert normalise_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert credit_check_char("91350100M000100Y4") == "3"
