"""The demo population: valid, plausible, deterministic and idempotent."""

from __future__ import annotations

import pytest

from linli.conftest import ANGSU_TOWN, NANQIAO
from linli.demo.registry import SCALES, load_registry_demo
from linli.lib.credit_code import normalise_credit_code
from linli.lib.idcard import parse_id_number
from linli.registry.models import Address, Business, Housing, Resident

pytestmark = pytest.mark.django_db


def test_a_station_and_the_township_get_a_valid_population():
    first = load_registry_demo(under=NANQIAO)
    load_registry_demo(under=ANGSU_TOWN)
    grids = Address.objects.filter(unit_path__startswith=NANQIAO + ".").values("unit_path").distinct().count()
    assert first["人口"] == grids * SCALES["default"]
    residents = list(Resident.objects.all())
    for resident in residents:
        parsed = parse_id_number(resident.id_number or "")
        assert (parsed.birth_date, parsed.sex) == (resident.birth_date, resident.sex)
        if resident.residence_type == "registered":
            assert parsed.region_code == resident.unit_path[:6]
        assert resident.is_complete == bool(resident.phone and resident.address_id)
    assert {r.residence_type for r in residents} == {"registered", "permanent", "floating", "temporary"}
    heads = [r for r in residents if r.relation_to_head == "户主"]
    assert len(heads) == Address.objects.count()
    assert Housing.objects.count() == Address.objects.count()
    for code in Business.objects.exclude(credit_code=None).values_list("credit_code", flat=True):
        assert code is not None and normalise_credit_code(code) == code
    angsu = Address.objects.filter(unit_path__startswith=ANGSU_TOWN + ".").first()
    assert angsu is not None and angsu.locality.endswith(("嘎查", "社区"))


def test_loading_again_adds_nothing():
    load_registry_demo(under=NANQIAO)
    counts = (Resident.objects.count(), Address.objects.count(), Business.objects.count())
    assert load_registry_demo(under=NANQIAO) == {}
    assert (Resident.objects.count(), Address.objects.count(), Business.objects.count()) == counts
