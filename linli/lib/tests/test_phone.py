"""Contact phone numbers: the forms people write them in, and the ones an import must refuse."""

from __future__ import annotations

import pytest

from linli.lib.phone import Phone, PhoneError, normalise_phone, phone_last4

VALID = [
    # raw, number, kind, extension
    ("13812345678", "13812345678", "mobile", ""),
    ("19912345678", "19912345678", "mobile", ""),
    ("16612345678", "16612345678", "mobile", ""),
    (" 138 1234 5678 ", "13812345678", "mobile", ""),
    ("138-1234-5678", "13812345678", "mobile", ""),
    ("138—1234—5678", "13812345678", "mobile", ""),
    ("１３８１２３４５６７８", "13812345678", "mobile", ""),
    ("+8613812345678", "13812345678", "mobile", ""),
    ("+86 138 1234 5678", "13812345678", "mobile", ""),
    ("＋８６－１３８１２３４５６７８", "13812345678", "mobile", ""),
    ("0086-13812345678", "13812345678", "mobile", ""),
    ("8613812345678", "13812345678", "mobile", ""),
    ("86 13812345678", "13812345678", "mobile", ""),
    ("021-57101234", "021-57101234", "landline", ""),
    ("02157101234", "021-57101234", "landline", ""),
    ("021 5710 1234", "021-57101234", "landline", ""),
    ("(021)57101234", "021-57101234", "landline", ""),
    ("（０２１）５７１０１２３４", "021-57101234", "landline", ""),
    ("010-65123456", "010-65123456", "landline", ""),
    ("029-88123456", "029-88123456", "landline", ""),
    ("0477-7600110", "0477-7600110", "landline", ""),
    ("04777600110", "0477-7600110", "landline", ""),
    ("0477-76001101", "0477-76001101", "landline", ""),
    ("0311-85123456", "0311-85123456", "landline", ""),
    ("+86 21 5710 1234", "021-57101234", "landline", ""),
    ("+86 (0)21 57101234", "021-57101234", "landline", ""),
    ("0086 477 7600110", "0477-7600110", "landline", ""),
    ("021-57101234转801", "021-57101234", "landline", "801"),
    ("021-57101234 转 801", "021-57101234", "landline", "801"),
    ("021-57101234分机801", "021-57101234", "landline", "801"),
    ("021-57101234 ext.801", "021-57101234", "landline", "801"),
    ("021-57101234 EXT 8", "021-57101234", "landline", "8"),
    ("021-57101234-801", "021-57101234", "landline", "801"),
    ("021 5710 1234 801", "021-57101234", "landline", "801"),
    ("0477-7600110-12", "0477-7600110", "landline", "12"),
]


@pytest.mark.parametrize(("raw", "number", "kind", "extension"), VALID)
def test_it_normalises_valid_numbers(raw, number, kind, extension):
    assert normalise_phone(raw) == Phone(number=number, kind=kind, extension=extension)


@pytest.mark.parametrize(
    ("raw", "area", "number"),
    [
        ("57101234", "021", "021-57101234"),
        ("5710 1234", "021", "021-57101234"),
        ("5710-1234", "021", "021-57101234"),
        ("7600110", "0477", "0477-7600110"),
        ("76001101", "0477", "0477-76001101"),
        ("７６００１１０", "０４７７", "0477-7600110"),
        # A full number ignores the default.
        ("0477-7600110", "021", "0477-7600110"),
        ("13812345678", "021", "13812345678"),
    ],
)
def test_a_local_number_takes_the_default_area_code(raw, area, number):
    assert normalise_phone(raw, default_area_code=area).number == number


INVALID = [
    # raw, code, message
    ("", "empty", "电话号码为空"),
    ("  - ", "empty", "电话号码为空"),
    ("110", "service", "110是服务号码，不能作为联系电话"),
    ("120", "service", "120是服务号码，不能作为联系电话"),
    ("12345", "service", "12345是服务号码，不能作为联系电话"),
    ("12110", "service", "12110是服务号码，不能作为联系电话"),
    ("95588", "service", "95588是服务号码或号码不全，不能作为联系电话"),
    ("962110", "service", "962110是服务号码或号码不全，不能作为联系电话"),
    ("4008123123", "hotline", "4008123123是400/800客服热线，不能作为个人联系电话"),
    ("800-820-8820", "hotline", "8008208820是400/800客服热线，不能作为个人联系电话"),
    ("1381234567", "mobile_length", "手机号应为11位，实为10位"),
    ("138123456789", "mobile_length", "手机号应为11位，实为12位"),
    ("1381234", "mobile_length", "手机号应为11位，实为7位"),
    ("12812345678", "mobile_prefix", "手机号号段无效：128"),
    ("10012345678", "mobile_prefix", "手机号号段无效：100"),
    ("+86 12812345678", "mobile_prefix", "手机号号段无效：128"),
    ("+86 1381234567", "mobile_length", "手机号应为11位，实为10位"),
    ("13812345678转8", "extension", "手机号不能带分机号"),
    ("57101234", "no_area_code", "座机号57101234缺少区号"),
    ("7600110", "no_area_code", "座机号7600110缺少区号"),
    ("021-5710123", "local_length", "区号021的座机号应为8位，实为7位"),
    ("010-6512345", "local_length", "区号010的座机号应为8位，实为7位"),
    ("0477-760011", "local_length", "区号0477的座机号应为7或8位，实为6位"),
    ("021-12345678", "local_prefix", "座机号12345678不能以1开头"),
    ("021-02157101", "local_prefix", "座机号02157101不能以0开头"),
    ("0213-5710123", "area_code", "区号无效：0213"),
    ("011-57101234", "area_code", "区号无效：011"),
    ("00-57101234", "foreign", "只接受中国大陆电话号码"),
    ("00852 2123 4567", "foreign", "只接受中国大陆电话号码"),
    ("02157101234801", "ambiguous", "座机号02157101234801过长，无法区分号码与分机号，请用“转”标明分机"),
    ("021-5710-1234801", "ambiguous", "座机号02157101234801过长，无法区分号码与分机号，请用“转”标明分机"),
    ("021-57101234-801转9", "extension", "分机号写了两次"),
    ("13812345678/13912345678", "several", "一格只能填一个电话号码"),
    ("13812345678、021-57101234", "several", "一格只能填一个电话号码"),
    ("13812345678 13912345678", "several", "一格只能填一个电话号码"),
    ("13812345678或13912345678", "several", "一格只能填一个电话号码"),
    ("+1 415 555 0100", "foreign", "只接受中国大陆电话号码"),
    ("+852 2123 4567", "foreign", "只接受中国大陆电话号码"),
    ("电话13812345678", "chars", "电话号码含无效字符“电”"),
    ("1381234567O", "chars", "电话号码含无效字符“O”"),
    ("13812345678(本人)", "chars", "电话号码含无效字符“本”"),
    ("86-21-57101234", "local_length", "无法识别的电话号码：862157101234（手机号应为11位，座机号应带区号）"),
    ("571012345", "local_length", "无法识别的电话号码：571012345（手机号应为11位，座机号应带区号）"),
]


@pytest.mark.parametrize(("raw", "code", "message"), INVALID)
def test_it_rejects_invalid_numbers_with_a_chinese_message(raw, code, message):
    with pytest.raises(PhoneError) as caught:
        normalise_phone(raw)
    assert (caught.value.code, caught.value.message) == (code, message)
    assert isinstance(caught.value, ValueError)


def test_a_bad_default_area_code_is_reported():
    with pytest.raises(PhoneError, match="区号无效"):
        normalise_phone("57101234", default_area_code="21")


def test_display_keeps_the_extension():
    assert normalise_phone("021-57101234-801").display == "021-57101234转801"
    assert normalise_phone("13812345678").display == "13812345678"


@pytest.mark.parametrize(
    ("number", "last4"),
    [
        ("13812345678", "5678"),
        ("021-57101234", "1234"),
        ("0477-7600110", "0110"),
        ("021-57101234转801", "1234"),
        ("021-57101234 ext. 801", "1234"),
        ("１３８ １２３４ ５６７８", "5678"),
    ],
)
def test_last4_ignores_separators_and_extensions(number, last4):
    assert phone_last4(number) == last4


def test_last4_needs_four_digits():
    with pytest.raises(PhoneError):
        phone_last4("110")
