"""Department services called directly: liaison links only a district's departments to its stations."""

from __future__ import annotations

import pytest

from linli.conftest import NANQIAO, NQ_GRID
from linli.core.errors import ServiceError
from linli.org.models import Unit
from linli.org.services.departments import department_create, liaison_link

pytestmark = pytest.mark.django_db


def test_liaison_links_only_departments_to_stations_of_their_district(persona):
    fengxian = Unit.objects.get(code="310120")
    department = department_create(actor=persona("admin"), district=fengxian, segment="B99", name="测试支队")
    link = liaison_link(actor=persona("admin"), department=department, station=Unit.objects.get(code=NANQIAO))
    assert link.station.code == NANQIAO
    with pytest.raises(ServiceError):
        angsu = Unit.objects.get(code="150623.01")
        liaison_link(actor=persona("admin"), department=department, station=angsu)
    with pytest.raises(ServiceError):
        liaison_link(actor=persona("admin"), department=department, station=Unit.objects.get(code=NQ_GRID))
