"""A deterministic synthetic population for the demo tree: addresses, residents, housing and businesses.

Resident n of the whole demo is a pure function of n, so loading twice, or loading the district scale
after the default one, adds only what is missing. ID numbers are unique by construction: n is mapped
by a bijection onto (birth date, sequence number) slots, so no two residents can share a number.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from linli.core import paths
from linli.lib.credit_code import make_credit_code
from linli.lib.idcard import make_id_number
from linli.org.models import Unit
from linli.registry.models import Address, Business, Housing, Resident
from linli.registry.services.addresses import address_code, station_path_of

# Residents per grid at each scale: about 34,000 in all by default; about 1.2 million in Fengxian's
# 2,500 grids at district scale.
SCALES = {"default": 12, "district": 480}
PEOPLE_PER_ADDRESS = 3
_SLOTS_PER_DAY = 500  # sequence numbers of one sex on one birth date
_FIRST_BIRTH = datetime.date(1935, 1, 1)
_DAYS = (datetime.date(2022, 12, 31) - _FIRST_BIRTH).days
_SLOTS = _DAYS * _SLOTS_PER_DAY


def _coprime_near(target: int, modulus: int) -> int:
    while math.gcd(target, modulus) != 1:
        target += 1
    return target


# n → n·_SPREAD mod _SLOTS is a bijection (coprime), and a multiplier near the golden section of the
# slot space scatters neighbours, so the people of one grid are born years apart.
_SPREAD = _coprime_near(int(_SLOTS * 0.6180339887), _SLOTS)
_GRID_STRIDE = 1000  # resident numbers reserved per grid (above any scale)

_SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩然晨晓东海燕雪梅琳凯俊峰斌志德福寿"
)
_FLOATING_REGIONS = ("340102", "410105", "320102", "510104", "360102", "430102", "130102", "150102")
_RESIDENCE = ("registered",) * 12 + ("permanent",) * 3 + ("floating",) * 4 + ("temporary",)
_USAGE = ("owner",) * 14 + ("rented",) * 4 + ("vacant",) + ("group_rental",)
_SHOPS = (
    ("便利店", "shop"), ("餐饮店", "shop"), ("理发店", "shop"), ("五金店", "shop"), ("药店", "shop"),
    ("快递站", "enterprise"), ("建材公司", "enterprise"), ("旅馆", "special_trade"),
    ("废品回收站", "special_trade"),
)  # fmt: skip
_RELATION = ("户主", "配偶", "子女")


def _mix(n: int) -> int:
    """A well-spread 64-bit value from n (splitmix64), for deterministic choices without an RNG."""
    z = (n + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _name(h: int, surname: str | None = None) -> str:
    given = _GIVEN[(h >> 8) % len(_GIVEN)] + ("" if h & 1 else _GIVEN[(h >> 16) % len(_GIVEN)])
    return (surname or _SURNAMES[h % len(_SURNAMES)]) + given


@dataclass(frozen=True)
class _Grid:
    unit: Unit
    index: int  # position among all demo grids, stable across runs
    locality: str
    lane: str
    district: str


def _grids() -> list[_Grid]:
    grids = list(
        Unit.objects.filter(kind=Unit.Kind.GRID, path__regex=r"^(310120|150623)\.").select_related("parent")
        .order_by("path")
    )  # fmt: skip
    result = []
    for index, grid in enumerate(grids):
        community = grid.parent
        assert community is not None
        district = grid.path.split(".")[0]
        if community.name.endswith(("嘎查", "社区")) and district == "150623":
            locality, lane = community.name, f"{grid.sort_order}社"
        else:
            # Lane numbers carry the committee's place, so keys stay unique in the station even
            # where two committees share a name stem (贝港居委 and 贝港村委 both give 贝港路).
            locality = f"{community.short_name or community.name[:2]}路"
            lane = f"{community.sort_order * 100 + 5 * grid.sort_order}弄"
        result.append(_Grid(grid, index, locality, lane, district))
    return result


def _address_parts(grid: _Grid, k: int) -> tuple[str, str, str]:
    """(number, room, key) of the k-th address of a grid."""
    if grid.district == "150623":
        number, room = f"{k + 1}号", ""
    else:
        number, room = f"{k // 6 + 1}号", f"{(k % 6) // 2 + 1}0{k % 2 + 1}室"
    return number, room, f"{grid.locality}|{grid.lane}|{number}|||{room}"


def _residents(grid: _Grid, count: int, address_ids: dict[str, int]) -> Iterator[Resident]:
    for i in range(count):
        n = grid.index * _GRID_STRIDE + i
        h = _mix(n)
        slot = (n * _SPREAD) % _SLOTS
        sex = "M" if h & 2 else "F"
        birth = _FIRST_BIRTH + datetime.timedelta(days=slot // _SLOTS_PER_DAY)
        sequence = (slot % _SLOTS_PER_DAY) * 2 + (1 if sex == "M" else 0)
        residence = _RESIDENCE[(h >> 20) % len(_RESIDENCE)]
        region = (
            grid.district
            if residence != "floating"
            else _FLOATING_REGIONS[(h >> 24) % len(_FLOATING_REGIONS)]
        )
        k = i // PEOPLE_PER_ADDRESS
        _number, _room, key = _address_parts(grid, k)
        head = _mix(grid.index * _GRID_STRIDE + k * PEOPLE_PER_ADDRESS)
        relation = _RELATION[i % PEOPLE_PER_ADDRESS]
        # A household shares the head's surname, except the spouse.
        surname = None if relation == "配偶" else _SURNAMES[head % len(_SURNAMES)]
        phone = f"13{(h >> 28) % 10}{(h >> 32) % 10**8:08d}" if (h >> 40) % 10 < 7 else ""
        address_id = address_ids.get(key)
        yield Resident(
            name=_name(h, surname),
            document_kind="id_card",
            id_number=make_id_number(region, birth, sequence, sex),
            sex=sex,
            birth_date=birth,
            phone=phone,
            phone_last4=phone[-4:],
            residence_type=residence,
            address_id=address_id,
            unit_path=grid.unit.path,
            household_number=f"{grid.unit.path.replace('.', '')}{k:04d}",
            relation_to_head=relation,
            is_complete=bool(phone and address_id),
        )


def _assign_relations(residents: list[Resident]) -> None:
    """Within a household the oldest is the head, the next the spouse, the others children."""
    households: dict[str, list[Resident]] = {}
    for resident in residents:
        households.setdefault(resident.household_number, []).append(resident)
    for members in households.values():
        members.sort(key=lambda r: r.birth_date or datetime.date.min)
        for position, member in enumerate(members):
            member.relation_to_head = _RELATION[min(position, len(_RELATION) - 1)]


@transaction.atomic
def _load_grid(grid: _Grid, residents_per_grid: int) -> dict[str, int]:
    counts = {"地址": 0, "人口": 0, "房屋": 0, "单位": 0}
    address_count = -(-residents_per_grid // PEOPLE_PER_ADDRESS)
    station = station_path_of(grid.unit.path)
    wanted = {}
    for k in range(address_count):
        number, room, key = _address_parts(grid, k)
        wanted[key] = Address(
            code=address_code(station, key), station_path=station, key=key, grid=grid.unit,
            unit_path=grid.unit.path, locality=grid.locality, lane=grid.lane, number=number, room=room,
            full_text=f"{grid.locality}{grid.lane}{number}{room}",
        )  # fmt: skip
    existing = dict(Address.objects.filter(unit_path=grid.unit.path).values_list("key", "id"))
    new_addresses = [a for key, a in wanted.items() if key not in existing]
    Address.objects.bulk_create(new_addresses)
    counts["地址"] = len(new_addresses)
    address_ids = dict(Address.objects.filter(unit_path=grid.unit.path).values_list("key", "id"))

    housed = set(Housing.objects.filter(unit_path=grid.unit.path).values_list("address_id", flat=True))
    new_housing = [
        Housing(
            address_id=address_ids[key],
            unit_path=grid.unit.path,
            usage=_USAGE[_mix(address_ids[key]) % len(_USAGE)],
            owner_name=_name(_mix(address_ids[key] + 1)),
        )
        for key in wanted
        if address_ids[key] not in housed
    ]
    Housing.objects.bulk_create(new_housing)
    counts["房屋"] = len(new_housing)

    have = Resident.objects.filter(unit_path=grid.unit.path).count()
    if have < residents_per_grid:
        candidates = list(_residents(grid, residents_per_grid, address_ids))
        _assign_relations(candidates)
        known = set(
            Resident.objects.filter(id_number__in=[r.id_number for r in candidates]).values_list(
                "id_number", flat=True
            )
        )
        new_residents = [r for r in candidates if r.id_number not in known]
        Resident.objects.bulk_create(new_residents, batch_size=2000)
        counts["人口"] = len(new_residents)

    shops_wanted = max(2, residents_per_grid // 40)
    have_shops = Business.objects.filter(unit_path=grid.unit.path).count()
    new_shops = []
    for s in range(have_shops, shops_wanted):
        h = _mix(grid.index * 100_003 + s)
        label, kind = _SHOPS[h % len(_SHOPS)]
        _number, _room, key = _address_parts(grid, s % address_count)
        serial = grid.index * 1000 + s
        new_shops.append(
            Business(
                name=f"{_SURNAMES[(h >> 8) % len(_SURNAMES)]}记{label}",
                kind=kind,
                credit_code=make_credit_code(grid.district, serial) if h % 10 < 6 else None,
                address_id=address_ids[key],
                unit_path=grid.unit.path,
                contact_name=_name(h >> 4),
            )
        )
    Business.objects.bulk_create(new_shops)
    counts["单位"] = len(new_shops)
    return counts


def load_registry_demo(
    *, scale: str = "default", under: str = "", progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Add what is missing of the demo population at `scale` ("default" or "district").

    `under` limits the work to one subtree (tests load a station, not the district).
    """
    per_grid = SCALES[scale]
    grids = [g for g in _grids() if not under or paths.is_within(g.unit.path, under)]
    totals = {"地址": 0, "人口": 0, "房屋": 0, "单位": 0}
    for done, grid in enumerate(grids, start=1):
        for what, n in _load_grid(grid, per_grid).items():
            totals[what] += n
        if progress is not None:
            progress(done, len(grids))
    return {k: v for k, v in totals.items() if v}


def population_summary() -> dict[str, int]:
    return dict(
        Resident.objects.values("residence_type").annotate(n=Count("id")).values_list("residence_type", "n")
    )
