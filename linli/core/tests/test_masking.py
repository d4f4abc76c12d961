from __future__ import annotations

import pytest

from linli.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("310120199001011234", "310120********1234"), ("31012019900101123X", "310120********123X"), ("", "")],
)
def test_id_numbers(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("021-57101234", "021-****1234"),
        ("057157101234", "057*****1234"),
        ("", ""),
    ],
)
def test_phones(raw, masked):
    assert mask_phone(raw) == masked
