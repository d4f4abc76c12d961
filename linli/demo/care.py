"""Demo key persons: a few of every demo grid's residents, paired with the grid's members, with five
weeks of contacts, so that each persona grid worker opens a list with people due today and overdue.

Who becomes a key person, with which categories, risk and history, is a pure function of the resident's
ID number and of today's date. A grid that already holds its share of key persons is left alone, so a
second run adds nothing. Rows are written in bulk, in the shape the services give them:
`next_contact_due` is the local date of the last reached contact plus the cadence, `last_contact_at` that
contact's time, `emergency_at` the time of an emergency contact not settled by a later one.

Each persona's grid also has a census sweep under way (some households visited or found empty, some
not yet), grid-nq's a finished one from a few weeks ago, and every key person at risk of getting lost
has a love card, issued by the community officer; the personas' people's cards have been scanned. These
go through the services (services/sweeps.py, services/love_cards.py), except the scans: a scan's
service alerts the people responsible now, and the demo's scans are history that must not page anyone.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from linli.accounts.models import Membership, Role, User
from linli.audit.services.events import audit_record
from linli.care.models import (
    CadenceRule,
    Category,
    Contact,
    Guardian,
    KeyPerson,
    KeyPersonCategory,
    LoveCard,
    LoveCardScan,
    RiskLevel,
    Sweep,
    SweepHousehold,
)
from linli.care.selectors.key_persons import age_on
from linli.care.services.cadence_rules import DEFAULT_CADENCE_DAYS
from linli.care.services.love_cards import love_card_issue
from linli.care.services.sweeps import sweep_close, sweep_mark, sweep_start
from linli.core import paths
from linli.demo.org import PERSONA_DESCRIPTIONS
from linli.org.models import Unit
from linli.registry.models import Address, Resident

# About four in a hundred residents, and at least one in every grid (12 residents a grid by default).
SHARE = 0.04
# A persona's grid gets enough people for every state of the list: overdue, due today, not yet due.
PERSONA_GRID_MINIMUM = 4
PERSONA_STATES = ("overdue", "due_today", "not_due", "overdue")
HISTORY_DAYS = 35
GRIDS_PER_BATCH = 200

_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩晨晓东海燕雪梅琳凯俊峰"
_TREATMENTS = ("透析", "化疗", "放疗", "术后康复", "胰岛素治疗")
_CRITICAL_TREATMENTS = ("晚期肿瘤", "透析", "心衰")
_OUTCOMES = {
    "elder": (
        "身体状况良好，生活正常",
        "血压偏高，已提醒按时服药",
        "精神不错，家中整洁",
        "子女本周来看望过",
        "腿脚不便，已帮助取药",
        "天冷，提醒注意保暖和用气安全",
        "情绪低落，聊天疏导",
    ),
    "child": ("学习生活正常", "与监护人沟通了在校情况", "情绪稳定，按时上学", "监护人反映孩子近来沉默"),
    "adult": ("情况稳定", "按时治疗，情绪尚可", "已了解本周就医安排", "家属照护到位"),
    "pregnant": ("产检正常", "已提醒按时产检", "身体状况良好，家人陪护"),
}
_FAILED = ("家中无人", "电话未接通", "敲门无应答")
_NEEDS = ("需要助餐服务", "希望上门理发", "轮椅损坏需维修", "申请居家养老服务", "需要陪同就医", "想办老年证")
_HAZARDS = ("燃气灶软管老化", "电线私拉乱接", "楼道堆放杂物", "热水器未装排烟管", "卫生间地面湿滑")
_COMPANIONS = ("社区民警", "楼组长", "家庭医生", "居委干部", "志愿者")
_ELDER_GUARDIANS = ("儿子", "女儿", "儿媳", "侄女", "邻居")
_CHILD_GUARDIANS = ("母亲", "父亲", "祖母", "祖父")
_LEFT_BEHIND_GUARDIANS = ("祖母", "祖父", "外婆")


def _hash(*parts: object) -> int:
    """A stable 64-bit value from the parts (the same on every machine and every run)."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def _pick(options: tuple[str, ...], h: int) -> str:
    return options[h % len(options)]


@dataclass
class _Profile:
    categories: list[KeyPersonCategory]
    risk: str
    group: str  # elder, child, adult or pregnant: which outcomes and guardians fit
    needs_note: str = ""


@dataclass
class _Candidate:
    resident_id: int
    name: str
    seed: str
    age: int
    sex: str


@dataclass
class _Planned:
    key_person: KeyPerson
    categories: list[KeyPersonCategory]
    guardian: Guardian | None
    contacts: list[Contact] = field(default_factory=list)


def _weight(age: int, sex: str) -> float:
    """How likely a resident of this age is to be on the ledger (most key persons are old)."""
    if age >= 75:
        return 9.0
    if age >= 60:
        return 6.0
    if age < 18:
        return 2.0
    if sex == "F" and 20 <= age <= 40:
        return 1.5
    return 1.0


def _profile(candidate: _Candidate, today: datetime.date) -> _Profile:
    h = _hash("profile", candidate.seed)
    age, roll = candidate.age, h % 100
    cats: list[KeyPersonCategory] = []

    def add(category: str, **extra: object) -> None:
        cats.append(KeyPersonCategory(category=category, **extra))

    if age >= 60:
        add(Category.LIVING_ALONE if roll < 45 else Category.EMPTY_NEST)
        if age >= 75 and (h >> 8) % 100 < 30:
            add(Category.DEMENTIA_WANDERING)
        if age >= 75 and (h >> 16) % 100 < 15:
            add(Category.DEPENDENT)
        if (h >> 24) % 100 < 10:
            add(Category.SERIOUSLY_ILL, treatment=_pick(_TREATMENTS, h >> 28))
        if (h >> 32) % 100 < 8:
            add(Category.DISABLED, disability_grade=1 + (h >> 36) % 4)
        if (h >> 40) % 100 < 12:
            add(Category.EXTREME_POVERTY if roll < 45 and (h >> 44) % 3 == 0 else Category.MINIMUM_LIVING)
        group = "elder"
    elif age < 18:
        add(Category.CHILD_IN_DIFFICULTY if roll < 40 else Category.LEFT_BEHIND_CHILD)
        if (h >> 8) % 100 < 10:
            add(Category.DISABLED, disability_grade=1 + (h >> 12) % 4)
        if roll < 40 and (h >> 16) % 100 < 40:
            add(Category.MINIMUM_LIVING)
        group = "child"
    elif candidate.sex == "F" and 20 <= age <= 40 and roll < 55:
        add(Category.PREGNANT, due_date=today + datetime.timedelta(days=20 + (h >> 8) % 220))
        group = "pregnant"
    else:
        kind = roll % 20
        if kind < 7:
            add(Category.DISABLED, disability_grade=1 + (h >> 8) % 4)
        elif kind < 12:
            add(Category.SERIOUSLY_ILL, treatment=_pick(_TREATMENTS, h >> 8))
        elif kind < 14:
            add(Category.CRITICALLY_ILL, treatment=_pick(_CRITICAL_TREATMENTS, h >> 8))
        elif kind < 16:
            add(Category.HOME_TREATMENT, treatment=_pick(_TREATMENTS, h >> 8))
        else:
            add(Category.MINIMUM_LIVING)
        if kind < 12 and (h >> 16) % 100 < 25:
            add(Category.MINIMUM_LIVING)
        group = "adult"

    kinds = {c.category for c in cats}
    if kinds & {Category.DEMENTIA_WANDERING, Category.CRITICALLY_ILL, Category.DEPENDENT}:
        risk = RiskLevel.HIGH
    elif (
        age >= 80
        or kinds & {Category.SERIOUSLY_ILL, Category.PREGNANT, Category.CHILD_IN_DIFFICULTY}
        or any(c.disability_grade in (1, 2) for c in cats)
    ):
        risk = RiskLevel.MEDIUM
    else:
        risk = RiskLevel.LOW
    if (h >> 50) % 10 == 0:  # one in ten is a level higher than the categories suggest
        risk = RiskLevel.MEDIUM if risk == RiskLevel.LOW else RiskLevel.HIGH
    needs = ""
    if Category.DEMENTIA_WANDERING in kinds:
        needs = "有走失史，外出需有人陪同"
    elif Category.DEPENDENT in kinds:
        needs = "行动不便，需要助餐和助浴"
    elif Category.LIVING_ALONE in kinds and (h >> 54) % 3 == 0:
        needs = "独自居住，希望有人常来看看"
    return _Profile(categories=cats, risk=risk, group=group, needs_note=needs)


def _cadence(rules: list[tuple[str, str, int]], categories: set[str], risk: str) -> int:
    """As `services.cadence_days`, over rules read once."""
    wanted = {"", *categories}
    days = [d for category, level, d in rules if category in wanted and level in ("", risk)]
    return min(days, default=DEFAULT_CADENCE_DAYS)


def _local(day: datetime.date, h: int) -> datetime.datetime:
    """A working-hours time on a local date."""
    return datetime.datetime.combine(
        day, datetime.time(9 + h % 9, (h >> 8) % 60), tzinfo=timezone.get_default_timezone()
    )


def _last_contact_offset(state: str, cadence: int, h: int) -> int:
    """Days from the last reached contact to today that give the wanted state of the list."""
    if state == "not_due" and cadence > 1:
        return 1 + h % (cadence - 1)
    if state == "overdue":
        return cadence + 1 + h % 9
    return cadence


def _history(
    planned: _Planned, state: str, today: datetime.date, members: list[int], emergency: bool
) -> None:
    """Contacts over the last five weeks, ending in the state wanted; sets the key person's dates."""
    key_person = planned.key_person
    seed = planned.key_person.resident_id
    cadence = key_person.cadence_days
    group = _group_of(planned)
    h = _hash("history", seed)
    last = today - datetime.timedelta(days=_last_contact_offset(state, cadence, h))
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    day, step_no = last, 0
    while day >= start:
        hs = _hash("contact", seed, step_no)
        is_last = step_no == 0
        recorder = members[1] if len(members) > 1 and hs % 10 == 0 else members[0]
        contact = Contact(
            key_person=key_person,
            occurred_at=_local(day, hs >> 4),
            kind=_kind(group, hs >> 12),
            recorded_by_id=recorder,
            reached=True,
            outcome=_pick(_OUTCOMES[group], hs >> 16),
            needs_found=_pick(_NEEDS, hs >> 20) if (hs >> 24) % 10 == 0 else "",
            hazards_found=_pick(_HAZARDS, hs >> 28) if (hs >> 32) % 14 == 0 else "",
            companions=_pick(_COMPANIONS, hs >> 36) if (hs >> 40) % 5 == 0 else "",
        )
        if is_last and emergency:
            contact.is_emergency = True
            contact.outcome = (
                "老人在家中摔倒，已呼叫120并通知家属" if group == "elder" else "情况突然变化，已通知家属"
            )
            contact.needs_found = "需要家属或志愿者陪护就医"
            key_person.emergency_at = contact.occurred_at
        planned.contacts.append(contact)
        if (hs >> 44) % 7 == 0 and day - datetime.timedelta(days=1) >= start:
            # Nobody home the day before: an attempt that does not count.
            planned.contacts.append(
                _failed(key_person, day - datetime.timedelta(days=1), hs, recorder, group)
            )
        if is_last:
            key_person.last_contact_at = contact.occurred_at
            key_person.next_contact_due = day + datetime.timedelta(days=cadence)
        # Most members keep a little ahead of the cadence, so that every week has its contacts
        # (a weekly person contacted every 8 days misses a calendar week now and then).
        step = (
            max(1, cadence - (2, 1, 1, 0)[(hs >> 48) % 4])
            if cadence >= 7
            else max(1, cadence - (hs >> 48) % 2)
        )
        if (hs >> 52) % 12 == 0:
            step += cadence  # a missed round: the on-time rate is not a flat 100%
        day -= datetime.timedelta(days=step)
        step_no += 1
    if state == "overdue" and h % 2 == 0:
        # Tried since, without reaching anyone: still overdue.
        tried = min(today - datetime.timedelta(days=1), last + datetime.timedelta(days=cadence))
        planned.contacts.append(_failed(key_person, tried, _hash("tried", seed), members[0], group))


def _failed(key_person: KeyPerson, day: datetime.date, h: int, recorder: int, group: str) -> Contact:
    kind = Contact.Kind.PHONE if h % 3 == 0 else Contact.Kind.VISIT
    return Contact(
        key_person=key_person,
        occurred_at=_local(day, h >> 3),
        kind=kind,
        recorded_by_id=recorder,
        reached=False,
        outcome="电话未接通" if kind == Contact.Kind.PHONE else _pick(_FAILED, h >> 5),
    )


def _kind(group: str, h: int) -> str:
    roll = h % 100
    if group == "elder":
        return Contact.Kind.VISIT if roll < 55 else Contact.Kind.PHONE if roll < 88 else Contact.Kind.VIDEO
    if group in ("child", "pregnant"):
        return Contact.Kind.WECHAT if roll < 40 else Contact.Kind.PHONE if roll < 70 else Contact.Kind.VISIT
    return Contact.Kind.VISIT if roll < 45 else Contact.Kind.PHONE if roll < 85 else Contact.Kind.WECHAT


def _group_of(planned: _Planned) -> str:
    kinds = {c.category for c in planned.categories}
    if kinds & {Category.LIVING_ALONE, Category.EMPTY_NEST}:
        return "elder"
    if kinds & {Category.CHILD_IN_DIFFICULTY, Category.LEFT_BEHIND_CHILD}:
        return "child"
    if Category.PREGNANT in kinds:
        return "pregnant"
    return "adult"


def _guardian(candidate: _Candidate, group: str, categories: set[str]) -> Guardian | None:
    h = _hash("guardian", candidate.seed)
    if group == "elder":
        relation = _pick(_ELDER_GUARDIANS, h)
    elif group == "child":
        relation = _pick(
            _LEFT_BEHIND_GUARDIANS if Category.LEFT_BEHIND_CHILD in categories else _CHILD_GUARDIANS, h
        )
    else:
        return None
    surname = candidate.name[0] if relation in ("儿子", "女儿", "父亲", "祖父", "祖母") else None
    given = _GIVEN[(h >> 8) % len(_GIVEN)] + ("" if h & 1 else _GIVEN[(h >> 16) % len(_GIVEN)])
    name = (surname or "王李张刘陈杨黄赵周吴"[(h >> 24) % 10]) + given
    phone = f"1{(3, 5, 8, 9)[(h >> 28) % 4]}{(h >> 32) % 10}{(h >> 36) % 10**8:08d}"
    return Guardian(name=name, relation=relation, phone=phone, sort_order=0)


def _grid_members(grid_paths: list[str]) -> dict[str, list[tuple[int, str]]]:
    """The grid workers and squad leaders of each grid, (user id, username), grid workers first."""
    rows = (
        Membership.objects.filter(
            unit__path__in=grid_paths,
            is_active=True,
            user__is_active=True,
            role__in=[Role.GRID_WORKER, Role.SQUAD_LEADER],
        )
        .values_list("unit__path", "user_id", "user__username", "role")
        .order_by("unit__path", "role", "user__username")
    )
    members: dict[str, list[tuple[int, str]]] = {}
    for path, user_id, username, _role in sorted(rows, key=lambda r: (r[0], r[3] != Role.GRID_WORKER, r[2])):
        members.setdefault(path, []).append((user_id, username))
    return members


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def load_care_demo(*, under: str = "", progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Add what is missing of the demo key persons and their contacts (in grids under `under`)."""
    grids = Unit.objects.filter(kind=Unit.Kind.GRID, is_active=True).order_by("path")
    if under:
        grids = grids.filter(paths.subtree_q("path", under))
    grid_paths = list(grids.values_list("path", flat=True))
    members = _grid_members(grid_paths)
    rules = list(CadenceRule.objects.values_list("category", "risk_level", "interval_days"))
    totals = {"重点人员": 0, "联系记录": 0}
    done = 0
    for batch in _batches(grid_paths, GRIDS_PER_BATCH):
        for what, n in _load_batch(batch, members, rules).items():
            totals[what] += n
        done += len(batch)
        if progress is not None:
            progress(done, len(grid_paths))
    # A persona grid worker's grid: the one whose first member (grid workers first) is a persona.
    persona_grids = {
        path: grid_members[0][0]
        for path, grid_members in members.items()
        if grid_members[0][1] in PERSONA_DESCRIPTIONS
    }
    totals["排查行动"] = _load_sweeps(persona_grids)
    totals["爱心联系卡"], totals["扫码记录"] = _load_love_cards(under, set(persona_grids))
    totals = {k: v for k, v in totals.items() if v}
    if totals:
        audit_record(actor=None, action="demo.load", unit_path=under, detail=totals)
    return totals


@transaction.atomic
def _load_batch(
    grid_paths: list[str], members: dict[str, list[tuple[int, str]]], rules: list[tuple[str, str, int]]
) -> dict[str, int]:
    today = timezone.localdate()
    have = dict(
        KeyPerson.objects.filter(unit_path__in=grid_paths)
        .values("unit_path")
        .annotate(n=Count("id"))
        .values_list("unit_path", "n")
        .order_by()
    )
    residents: dict[str, list[_Candidate]] = {}
    rows = (
        Resident.objects.filter(
            unit_path__in=grid_paths, status=Resident.Status.PRESENT, key_person__isnull=True
        )
        .exclude(birth_date=None)
        .values_list("id", "unit_path", "name", "id_number", "sex", "birth_date")
        .order_by("unit_path", "id")
    )
    population: dict[str, int] = {}
    for pk, unit_path, name, id_number, sex, birth_date in rows:
        age = age_on(birth_date, today)
        assert age is not None
        residents.setdefault(unit_path, []).append(
            _Candidate(pk, name, id_number or f"{name}{birth_date}", age, sex)
        )
        population[unit_path] = population.get(unit_path, 0) + 1

    planned: list[_Planned] = []
    for path in grid_paths:
        grid_members = members.get(path)
        candidates = residents.get(path)
        if not grid_members or not candidates:
            continue
        is_persona_grid = any(username in PERSONA_DESCRIPTIONS for _, username in grid_members)
        target = max(1, round((population[path] + have.get(path, 0)) * SHARE))
        if is_persona_grid:
            target = max(target, PERSONA_GRID_MINIMUM)
        wanted = target - have.get(path, 0)
        if wanted <= 0:
            continue
        # Weighted sampling without replacement (Efraimidis–Spirakis), keyed by the ID number's hash.
        ranked = sorted(
            candidates,
            key=lambda c: (
                -(((_hash("pick", c.seed) % 10**9 + 1) / (10**9 + 1)) ** (1 / _weight(c.age, c.sex)))
            ),
        )
        ids = [user_id for user_id, _ in grid_members]
        for rank, candidate in enumerate(ranked[:wanted]):
            planned.append(_plan(candidate, path, rank, ids, is_persona_grid, rules, today))

    KeyPerson.objects.bulk_create([p.key_person for p in planned], batch_size=1000)
    zone = timezone.get_default_timezone()
    for p in planned:
        # auto_now_add stamped "now"; the demo's people were put on the ledger before their history.
        enrolled = today - datetime.timedelta(
            days=HISTORY_DAYS + 7 + _hash("enrolled", p.key_person.resident_id) % 120
        )
        p.key_person.created_at = datetime.datetime.combine(enrolled, datetime.time(10), tzinfo=zone)
        for c in p.categories:
            c.key_person = p.key_person
        if p.guardian is not None:
            p.guardian.key_person = p.key_person
        for contact in p.contacts:
            contact.key_person = p.key_person
    KeyPerson.objects.bulk_update([p.key_person for p in planned], ["created_at"], batch_size=500)
    KeyPersonCategory.objects.bulk_create([c for p in planned for c in p.categories], batch_size=1000)
    Guardian.objects.bulk_create([p.guardian for p in planned if p.guardian is not None], batch_size=1000)
    contacts = [c for p in planned for c in p.contacts]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    return {"重点人员": len(planned), "联系记录": len(contacts)}


def _plan(
    candidate: _Candidate,
    path: str,
    rank: int,
    member_ids: list[int],
    is_persona_grid: bool,
    rules: list[tuple[str, str, int]],
    today: datetime.date,
) -> _Planned:
    profile = _profile(candidate, today)
    kinds = {c.category for c in profile.categories}
    h = _hash("pairing", candidate.seed)
    # The grid worker is responsible for most; a second member (a squad leader) for every third, with
    # the grid worker as backup, and backs the grid worker up for the rest.
    responsible, backup = member_ids[0], (member_ids[1] if len(member_ids) > 1 else None)
    if backup is not None and h % 3 == 0:
        responsible, backup = backup, responsible
    key_person = KeyPerson(
        resident_id=candidate.resident_id,
        unit_path=path,
        risk_level=profile.risk,
        needs_note=profile.needs_note,
        responsible_id=responsible,
        backup_id=backup,
        cadence_days=_cadence(rules, kinds, profile.risk),
        next_contact_due=today,
    )
    planned = _Planned(key_person, profile.categories, _guardian(candidate, profile.group, kinds))
    if is_persona_grid:
        state = PERSONA_STATES[rank % len(PERSONA_STATES)]
        # The persona's list also shows an emergency at its top.
        emergency = rank == 2
    else:
        roll = (h >> 8) % 100
        state = "not_due" if roll < 55 else "due_today" if roll < 75 else "overdue"
        emergency = (h >> 16) % 150 == 0
    _history(planned, state, today, [responsible, *([backup] if backup else [])], emergency)
    return planned


# Census sweeps (C2) and love cards (C6).

OPEN_SWEEP_TITLE = "入户走访排查"
CLOSED_SWEEP_TITLE = "独居老人拍门排查"
# The persona whose grid also has a sweep finished a few weeks ago.
CLOSED_SWEEP_PERSONA = "grid-nq"
_Outcome = SweepHousehold.Outcome
# What became of each household, in address order: an open sweep is partly done, a closed one is not.
_OPEN_OUTCOMES = (
    _Outcome.VISITED, _Outcome.ABSENT, _Outcome.PENDING, _Outcome.PENDING,
    _Outcome.VISITED, _Outcome.REFUSED, _Outcome.VISITED, _Outcome.VACANT,
)  # fmt: skip
_CLOSED_OUTCOMES = (_Outcome.VISITED, _Outcome.VISITED, _Outcome.ABSENT, _Outcome.VISITED, _Outcome.VACANT)
_SWEEP_NOTES: dict[str, tuple[str, ...]] = {
    _Outcome.VISITED: (
        "户内人员情况正常，已宣传防诈骗",
        "已核对户内人员",
        "老人独居，身体尚可，已留联系电话",
    ),
    _Outcome.ABSENT: ("家中无人，已在门上留联系卡",),
    _Outcome.REFUSED: ("住户不便开门，改日电话联系",),
    _Outcome.VACANT: ("房屋空置",),
}
_FINDER_LOCATIONS = ("公交站旁", "菜场门口", "小区东门")
# A finder's phone scanning in WeChat; the address is from a documentation range (RFC 5737).
_FINDER_AGENT = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0"
_FINDER_ADDRESS = "203.0.113.25"


def _sweep(worker: User, unit: Unit, kind: str, title: str, outcomes: tuple[str, ...]) -> Sweep:
    sweep = sweep_start(actor=worker, unit=unit, kind=kind, title=title)
    households = sweep.households.select_related("sweep").order_by("address__key")
    for i, household in enumerate(households):
        outcome = outcomes[i % len(outcomes)]
        if outcome != _Outcome.PENDING:
            notes = _SWEEP_NOTES[outcome]
            sweep_mark(actor=worker, household=household, outcome=outcome, note=notes[i % len(notes)])
    return sweep


def _backdate(sweep: Sweep, started: datetime.datetime, visited: datetime.datetime) -> None:
    Sweep.objects.filter(pk=sweep.pk).update(started_at=started)
    sweep.households.exclude(visited_at=None).update(visited_at=visited)


@transaction.atomic
def _load_sweeps(persona_grids: dict[str, int]) -> int:
    """An open sweep in each persona's grid and a finished one in grid-nq's, each through the services.

    A grid that has any sweep already is left alone, and so is one without standard addresses.
    """
    have = set(Sweep.objects.filter(unit_path__in=persona_grids).values_list("unit_path", flat=True))
    with_addresses = set(
        Address.objects.filter(unit_path__in=set(persona_grids) - have)
        .values_list("unit_path", flat=True)
        .distinct()
    )
    workers = User.objects.in_bulk([persona_grids[path] for path in with_addresses])
    now = timezone.now()
    made = 0
    for unit in Unit.objects.filter(path__in=with_addresses).order_by("path"):
        worker = workers[persona_grids[unit.path]]
        if worker.username == CLOSED_SWEEP_PERSONA:
            closed = _sweep(worker, unit, Sweep.Kind.KNOCK, CLOSED_SWEEP_TITLE, _CLOSED_OUTCOMES)
            sweep_close(actor=worker, sweep=closed)
            _backdate(closed, now - datetime.timedelta(days=24), now - datetime.timedelta(days=23))
            Sweep.objects.filter(pk=closed.pk).update(closed_at=now - datetime.timedelta(days=22))
            made += 1
        started = _sweep(worker, unit, Sweep.Kind.DOOR_KNOCK, OPEN_SWEEP_TITLE, _OPEN_OUTCOMES)
        _backdate(started, now - datetime.timedelta(days=2), now - datetime.timedelta(days=1))
        made += 1
    return made


def _issuers(grid_paths: set[str]) -> dict[str, User]:
    """Who issues the cards of each grid's people: the community officer, else the station's office."""
    communities = {paths.ancestors(path)[-1]: path for path in grid_paths}
    stations = {paths.ancestors(path)[-2]: path for path in grid_paths}
    rows = Membership.objects.filter(
        is_active=True, user__is_active=True, unit__path__in=[*communities, *stations],
        role__in=[Role.COMMUNITY_OFFICER, Role.STATION_OFFICE],
    ).values_list("unit__path", "user_id").order_by("unit__path", "user_id")  # fmt: skip
    holder = dict(rows)
    users = User.objects.in_bulk(set(holder.values()))
    issuers = {}
    for path in grid_paths:
        ancestors = paths.ancestors(path)
        user_id = holder.get(ancestors[-1]) or holder.get(ancestors[-2])
        if user_id is not None:
            issuers[path] = users[user_id]
    return issuers


@transaction.atomic
def _load_love_cards(under: str, persona_grids: set[str]) -> tuple[int, int]:
    """A card for every key person at risk of getting lost who has none and has a guardian to print.

    The first cards of the personas' people (or any two) have a scan from a couple of days ago.
    """
    people = KeyPerson.objects.filter(
        is_active=True, categories__category=Category.DEMENTIA_WANDERING, love_cards=None
    ).filter(pk__in=Guardian.objects.values("key_person_id"))
    if under:
        people = people.filter(paths.subtree_q("unit_path", under))
    people_list = list(people.distinct().order_by("unit_path", "id"))
    issuers = _issuers({kp.unit_path for kp in people_list})
    cards = [
        love_card_issue(actor=issuers[kp.unit_path], key_person=kp)
        for kp in people_list
        if kp.unit_path in issuers
    ]
    if not cards:
        return 0, 0
    now = timezone.now()
    # Issued some weeks ago, after the demo's people were put on the ledger (six weeks ago or earlier).
    LoveCard.objects.filter(pk__in=[c.pk for c in cards]).update(issued_at=now - datetime.timedelta(days=30))
    scanned = [c for c in cards if c.key_person.unit_path in persona_grids] or cards[:2]
    for n, card in enumerate(scanned):
        at = now - datetime.timedelta(days=2 + n, hours=3 + n)
        LoveCardScan.objects.create(
            card=card,
            client_address=_FINDER_ADDRESS,
            user_agent=_FINDER_AGENT,
            location=_FINDER_LOCATIONS[n % len(_FINDER_LOCATIONS)],
        )
        # As the scan service leaves it: the scan's time, and the alert sent at that time.
        card.scans.update(scanned_at=at)
        LoveCard.objects.filter(pk=card.pk).update(last_alert_at=at)
    return len(cards), len(scanned)
