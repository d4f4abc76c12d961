"""The vaccination follow-up list (C7): who under a unit is not, or not fully, vaccinated; its export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from linli.accounts.models import Capability, User
from linli.accounts.selectors.scope import scope_for
from linli.audit.services.events import audit_record
from linli.care.models import Vaccination
from linli.core import paths
from linli.core.masking import mask_phone
from linli.core.spreadsheet import Column, xlsx_bytes
from linli.org.models import Unit
from linli.registry.models import Resident

ELDERLY_AGE = 60


@dataclass(frozen=True)
class FollowUpRow:
    resident_id: int
    name: str
    age: int | None
    phone: str
    committee: str
    address: str
    is_key_person: bool
    status: str
    reason: str


def vaccination_followup(*, user: User, unit: Unit, on: datetime.date | None = None) -> list[FollowUpRow]:
    """Key persons and residents aged 60+ under `unit` who are not, or not fully, vaccinated (masked)."""
    on = on or timezone.localdate()
    born_before = (
        on.replace(year=on.year - ELDERLY_AGE)
        if not (on.month == 2 and on.day == 29)
        else on.replace(year=on.year - ELDERLY_AGE, day=28)
    )
    scope = scope_for(user)
    if not scope.covers(unit.path):
        return []
    queryset = (
        Resident.objects.filter(paths.subtree_q("unit_path", unit.path), status=Resident.Status.PRESENT)
        .filter(Q(birth_date__lte=born_before) | Q(key_person__is_active=True))
        .exclude(vaccination__status=Vaccination.Status.FULL)
        .select_related("vaccination", "key_person", "address")
        .order_by("unit_path", "name", "id")
    )
    residents = list(queryset)
    committees = _committee_names({r.unit_path for r in residents})
    rows = []
    for r in residents:
        vaccination = getattr(r, "vaccination", None)
        age = None
        if r.birth_date:
            age = on.year - r.birth_date.year - ((on.month, on.day) < (r.birth_date.month, r.birth_date.day))
        rows.append(
            FollowUpRow(
                resident_id=r.pk,
                name=r.name,
                age=age,
                phone=mask_phone(r.phone),
                committee=committees.get(_committee_path(r.unit_path), ""),
                address=r.address.full_text if r.address else r.reported_address,
                is_key_person=hasattr(r, "key_person"),
                status=vaccination.get_status_display() if vaccination else "未登记",
                # The reason (禁忌症, 患病暂缓) is a health detail: only for readers with VIEW_HEALTH.
                reason=vaccination.get_reason_display()
                if vaccination and vaccination.reason and scope.can(Capability.VIEW_HEALTH, r.unit_path)
                else "",
            )
        )
    return rows


def _committee_path(unit_path: str) -> str:
    """The residents' committee (居委会/村委会) a grid lies in: district.station.committee."""
    return paths.SEPARATOR.join(unit_path.split(paths.SEPARATOR)[:3])


def _committee_names(unit_paths: set[str]) -> dict[str, str]:
    """Names of the committees the given grids lie in, in one query."""
    committee_paths = {_committee_path(path) for path in unit_paths}
    return dict(Unit.objects.filter(path__in=committee_paths).values_list("path", "name"))


VACCINATION_COLUMNS = [
    Column("姓名"),
    Column("年龄（周岁）"),
    Column("联系电话"),
    Column("居委会/村委会"),
    Column("住址"),
    Column("重点人员"),
    Column("接种情况"),
    Column("未接种原因"),
]


def vaccination_followup_xlsx(*, user: User, unit: Unit) -> bytes:
    """The follow-up list as a workbook (opens in Excel and WPS); the export is audited."""
    rows = vaccination_followup(user=user, unit=unit)
    data = xlsx_bytes(
        sheet_title="疫苗接种随访",
        title=f"{unit.name} 疫苗接种随访名单（{timezone.localdate():%Y-%m-%d}）",
        columns=VACCINATION_COLUMNS,
        rows=(
            [
                row.name,
                row.age,
                row.phone,
                row.committee,
                row.address,
                "是" if row.is_key_person else "",
                row.status,
                row.reason,
            ]
            for row in rows
        ),
    )
    audit_record(
        actor=user,
        action="vaccination.export",
        object_type="org.unit",
        object_id=unit.code,
        unit_path=unit.path,
        detail={"rows": len(rows)},
    )
    return data
