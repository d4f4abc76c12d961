"""ID numbers (GB 11643-1999): parsing, check digits, errors a clerk would see, synthetic numbers."""

from __future__ import annotations

import datetime

import pytest

from linli.lib.idcard import (
    IdNumber,
    IdNumberError,
    check_digit,
    is_valid_id_number,
    make_id_number,
    parse_id_number,
)

TODAY = datetime.date(2025, 6, 1)

# Check digits computed separately with the recursive form of ISO 7064 MOD 11-2, not with check_digit.
VALID = [
    # raw, number, region, birth, sex
    ("11010519491231002X", "11010519491231002X", "110105", datetime.date(1949, 12, 31), "F"),
    ("11010519491231002x", "11010519491231002X", "110105", datetime.date(1949, 12, 31), "F"),
    ("310120199001011233", "310120199001011233", "310120", datetime.date(1990, 1, 1), "M"),
    ("150623195607150447", "150623195607150447", "150623", datetime.date(1956, 7, 15), "F"),
    ("310120200002290161", "310120200002290161", "310120", datetime.date(2000, 2, 29), "F"),
    ("31012019850612372X", "31012019850612372X", "310120", datetime.date(1985, 6, 12), "F"),
    ("15062320100301002X", "15062320100301002X", "150623", datetime.date(2010, 3, 1), "F"),
    ("44030419930815049X", "44030419930815049X", "440304", datetime.date(1993, 8, 15), "M"),
    ("15062319781120005X", "15062319781120005X", "150623", datetime.date(1978, 11, 20), "M"),
    ("310120197211080000", "310120197211080000", "310120", datetime.date(1972, 11, 8), "F"),
    ("320106196805230061", "320106196805230061", "320106", datetime.date(1968, 5, 23), "F"),
    ("310120198803150011", "310120198803150011", "310120", datetime.date(1988, 3, 15), "M"),
    # As typed or pasted: full-width digits and Ｘ, spaces, grouping dashes, surrounding blanks.
    ("３１０１２０１９９００１０１１２３３", "310120199001011233", "310120", datetime.date(1990, 1, 1), "M"),
    ("４４０３０４１９９３０８１５０４９Ｘ", "44030419930815049X", "440304", datetime.date(1993, 8, 15), "M"),
    ("４４０３０４１９９３０８１５０４９ｘ", "44030419930815049X", "440304", datetime.date(1993, 8, 15), "M"),
    ("310120 19900101 1233", "310120199001011233", "310120", datetime.date(1990, 1, 1), "M"),
    (" 310120-19900101-1233\t", "310120199001011233", "310120", datetime.date(1990, 1, 1), "M"),
    ("310120\u300019900101\u30001233", "310120199001011233", "310120", datetime.date(1990, 1, 1), "M"),
]


@pytest.mark.parametrize(("raw", "number", "region", "birth", "sex"), VALID)
def test_it_accepts_and_normalises_valid_numbers(raw, number, region, birth, sex):
    parsed = parse_id_number(raw, today=TODAY)
    assert parsed == IdNumber(number=number, region_code=region, birth_date=birth, sex=sex)
    assert is_valid_id_number(raw, today=TODAY)


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("31012019900101123", "3"),
        ("15062319560715044", "7"),
        ("31012020000229016", "1"),
        ("31012019721108000", "0"),
        ("32010619680523006", "1"),
        ("31012019880315002", "X"),
        ("31012019880315003", "8"),
        ("31012019880315004", "6"),
        ("31012019880315005", "4"),
    ],
)
def test_it_computes_check_digits(first17, expected):
    assert check_digit(first17) == expected


@pytest.mark.parametrize(
    "bad",
    ["", "1234567890123456", "123456789012345678", "1101051949123100X", "１１０１０５１９４９１２３１００２"],
)
def test_check_digit_refuses_anything_but_17_ascii_digits(bad):
    with pytest.raises(ValueError, match="17"):
        check_digit(bad)


INVALID = [
    # raw, code, message
    ("", "empty", "身份证号为空"),
    ("   ", "empty", "身份证号为空"),
    ("310120900101123", "old15", "15位旧身份证号，请换用18位号码"),
    ("３１０１２０９００１０１１２３", "old15", "15位旧身份证号，请换用18位号码"),
    ("31012019900101123", "length", "身份证号应为18位，实为17位"),
    ("3101201990010112334", "length", "身份证号应为18位，实为19位"),
    ("3101201990010112", "length", "身份证号应为18位，实为16位"),
    ("31012019900101123Y", "chars", "身份证号第18位“Y”不是有效字符（末位只能是数字或X）"),
    ("3101201990010112X3", "chars", "身份证号第17位“X”不是有效字符（前17位只能是数字）"),
    ("31012O199001011233", "chars", "身份证号第6位“O”不是有效字符（前17位只能是数字）"),
    ("3101201990.1011233", "chars", "身份证号第11位“.”不是有效字符（前17位只能是数字）"),
    ("310120199001011234", "checksum", "校验位错误：应为3"),
    ("31012019900101123X", "checksum", "校验位错误：应为3"),
    ("110105194912310021", "checksum", "校验位错误：应为X"),
    # Two digits swapped: the check digit catches it.
    ("310120199010011233", "checksum", "校验位错误：应为5"),
    ("310120199002301233", "date", "出生日期不存在：19900230"),
    ("310120200102291233", "date", "出生日期不存在：20010229"),
    ("310120190002291233", "date", "出生日期不存在：19000229"),
    ("310120199013011233", "date", "出生日期不存在：19901301"),
    ("310120199000101233", "date", "出生日期不存在：19900010"),
    ("310120199004311233", "date", "出生日期不存在：19900431"),
    ("310120000001011233", "date", "出生日期不存在：00000101"),
    ("310120189912311233", "too_old", "出生日期早于1900年：18991231"),
    ("310120202506021233", "future", "出生日期在今天之后：20250602"),
    ("310120209901011233", "future", "出生日期在今天之后：20990101"),
    ("010120199001011233", "region", "地区码无效：010120（前两位01不是省级行政区代码）"),
    ("910120199001011233", "region", "地区码无效：910120（前两位91不是省级行政区代码）"),
    ("990120199001011233", "region", "地区码无效：990120（前两位99不是省级行政区代码）"),
    ("160120199001011233", "region", "地区码无效：160120（前两位16不是省级行政区代码）"),
]


@pytest.mark.parametrize(("raw", "code", "message"), INVALID)
def test_it_rejects_invalid_numbers_with_a_chinese_message(raw, code, message):
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=TODAY)
    assert caught.value.code == code
    assert caught.value.message == message
    assert str(caught.value) == message
    assert not is_valid_id_number(raw, today=TODAY)


def test_an_id_number_error_is_a_value_error():
    with pytest.raises(ValueError, match="校验位错误"):
        parse_id_number("310120199001011234")


def test_a_birth_date_of_today_is_accepted():
    first17 = "31012020250601123"
    parsed = parse_id_number(first17 + check_digit(first17), today=TODAY)
    assert parsed.birth_date == TODAY


@pytest.mark.parametrize(
    ("on", "age"),
    [
        (datetime.date(2020, 2, 28), 19),
        (datetime.date(2020, 2, 29), 20),
        (datetime.date(2021, 2, 28), 20),
        (datetime.date(2021, 3, 1), 21),
    ],
)
def test_age_counts_full_years(on, age):
    assert parse_id_number("310120200002290161").age_on(on) == age


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "sex", "expected"),
    [
        ("310120", datetime.date(1990, 1, 1), 123, "M", "310120199001011233"),
        ("150623", datetime.date(1956, 7, 15), 44, "F", "150623195607150447"),
        ("440304", datetime.date(1993, 8, 15), 49, "男", "44030419930815049X"),
        ("310120", datetime.date(1972, 11, 8), 0, "女", "310120197211080000"),
        ("310120", datetime.date(1900, 1, 1), 999, "M", "310120190001019998"),
    ],
)
def test_it_makes_synthetic_numbers_that_parse_back(region, birth, sequence, sex, expected):
    number = make_id_number(region, birth, sequence, sex)
    assert number == expected
    parsed = parse_id_number(number)
    assert (parsed.region_code, parsed.birth_date) == (region, birth)
    assert parsed.sex == ("M" if sex in ("M", "男") else "F")


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "sex"),
    [
        ("310120", datetime.date(1990, 1, 1), 124, "M"),  # even order code for a man
        ("310120", datetime.date(1990, 1, 1), 123, "F"),  # odd order code for a woman
        ("310120", datetime.date(1990, 1, 1), 1000, "F"),
        ("310120", datetime.date(1990, 1, 1), -1, "M"),
        ("310120", datetime.date(1990, 1, 1), 1, "X"),
        ("31012", datetime.date(1990, 1, 1), 1, "M"),
        ("910120", datetime.date(1990, 1, 1), 1, "M"),
        ("310120", datetime.date(1899, 12, 31), 1, "M"),
        ("310120", datetime.date.today() + datetime.timedelta(days=1), 1, "M"),
    ],
)
def test_it_refuses_to_make_numbers_that_would_not_parse(region, birth, sequence, sex):
    with pytest.raises(ValueError):
        make_id_number(region, birth, sequence, sex)
