"""The 一标三实 collection rate per unit."""

from __future__ import annotations

import datetime

import pytest

from linli.conftest import NANQIAO, NQ_COMMUNITY, NQ_COMMUNITY_2, NQ_GRID, NQ_GRID_2
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Housing
from linli.registry.selectors.indicators import collection_rates
from linli.registry.services.addresses import address_register, resident_attach_address
from linli.registry.services.residents import resident_register

pytestmark = pytest.mark.django_db

ID = make_id_number("310120", datetime.date(1948, 2, 29), 123, "M")


def test_collection_rate_per_unit(persona):
    actor = persona("nanqiao")
    grid, grid2 = Unit.objects.get(code=NQ_GRID), Unit.objects.get(code=NQ_GRID_2)
    flat = address_register(actor=actor, grid=grid, text="育秀路100弄12号401室")
    address_register(actor=actor, grid=grid2, text="育秀路100弄14号101室")
    Housing.objects.create(address=flat, unit_path=grid.path, usage="owner")
    complete = resident_register(
        actor=actor, grid=grid, name="全", residence_type="registered", id_number=ID, phone="13800000000"
    )
    resident_attach_address(actor=actor, resident=complete, text="育秀路100弄12号401室")
    resident_register(actor=actor, grid=grid2, name="缺", residence_type="floating", document_kind="none")
    units = list(Unit.objects.filter(code__in=[NQ_COMMUNITY, NQ_COMMUNITY_2]).order_by("path"))
    rates = {r.unit.code: r for r in collection_rates(units=units)}
    (station,) = collection_rates(units=[Unit.objects.get(code=NANQIAO)])
    with pytest.raises(ValueError):
        collection_rates(units=[*units, station.unit])
    community = rates[NQ_COMMUNITY]
    assert (
        community.residents,
        community.residents_complete,
        community.addresses,
        community.addresses_complete,
    ) == (2, 1, 2, 1)
    assert community.rate == 0.5
    assert (station.residents, station.addresses) == (2, 2)
    assert rates[NQ_COMMUNITY_2].rate is None
