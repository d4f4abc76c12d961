"""The demo unit tree: Fengxian exactly as seed 000 gives it, and an Angsu-style township.

Everything is keyed by code or username, so loading twice changes nothing. Names of communities,
grids and people are synthetic (deterministic, from a fixed seed); station names and the liaison map
are the real ones from the source document.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from linli.accounts.models import Membership, Role, User
from linli.audit.services.events import audit_record
from linli.org.models import LevelScheme, Liaison, SupportPoint, Unit

FENGXIAN_CODE = "310120"
ANGSU_DISTRICT_CODE = "150623"

# Seed 000: which department liaises with which stations, in the document's order.
LIAISON = {
    "治安支队": ["南桥", "江海", "奉浦", "西渡", "金海"],
    "经侦支队": [
        "奉城",
        "洪庙",
        "塘外",
        "头桥",
        "四团",
        "平安",
        "海港",
        "星火",
        "五四",
        "青村",
        "钱桥",
        "光明",
    ],
    "法制支队": ["庄行", "邬桥", "柘林", "新寺", "胡桥", "临海", "海湾", "金汇", "泰日", "齐贤"],
    "人口办": ["庄行", "邬桥", "柘林", "新寺", "胡桥", "临海", "海湾", "金汇", "泰日", "齐贤"],
}
OTHER_DEPARTMENTS = ["指挥处", "政治处", "刑侦支队", "交警支队", "网安支队"]
STATIONS = list(dict.fromkeys(s for stations in LIAISON.values() for s in stations))
DEPARTMENTS = [*LIAISON, *OTHER_DEPARTMENTS]

_PLACE = [
    "贝港",
    "曙光",
    "育秀",
    "正阳",
    "古华",
    "华严",
    "阳光",
    "兰博",
    "杨王",
    "沈陆",
    "灯塔",
    "北宋",
    "新强",
    "吴房",
    "光辉",
    "红旗",
    "民福",
    "丰收",
    "永福",
    "新南",
    "桥港",
    "青港",
    "中民",
    "明星",
    "东门",
    "西门",
    "北门",
    "南门",
    "新桥",
    "墩头",
    "石桥",
    "潘垫",
    "金星",
    "李窑",
    "新叶",
    "渔洋",
    "银河",
    "新塘",
    "航南",
    "望园",
    "江山",
    "碧海",
    "恒贤",
    "庄良",
    "汇丰",
    "朝阳",
    "和平",
    "团结",
    "胜利",
    "联合",
    "海韵",
    "金水",
    "秀南",
    "秀城",
    "绿地",
    "南亭",
    "临港",
    "泉港",
    "钱桥",
    "张弄",
    "马路",
    "湾宝",
    "长堤",
    "五宅",
    "三坎",
    "六墩",
    "八字",
    "新华",
    "宏伟",
    "利民",
    "勤俭",
    "振兴",
    "金钱",
    "光荣",
    "星光",
    "文庙",
    "金海",
    "东新",
    "西新",
    "沙港",
]
_COMMUNITY_SUFFIX = ["居委", "居委", "新村居委", "社区居委", "村委", "村委"]
_SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余"
    "叶蒋杜苏魏程吕丁沈任姚卢钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩然晨晓东海燕雪梅琳凯俊峰斌志"
_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _NUMERALS[tens]
    return f"{head}十{_NUMERALS[ones] if ones else ''}"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def phone_number(rng: random.Random) -> str:
    return rng.choice(["139", "138", "136", "135", "158", "187", "189"]) + f"{rng.randrange(10**8):08d}"


@dataclass
class DemoCounts:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int) -> None:
        if n:
            self.created[what] = self.created.get(what, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.created)

    def summary(self) -> str:
        if not self.created:
            return "没有变化"
        return "，".join(f"{what} {n}" for what, n in self.created.items())


@dataclass
class _UnitSpec:
    path: str
    name: str
    short_name: str
    kind: str
    depth: int
    parent_path: str | None
    scheme: str
    sort_order: int
    phone: str = ""


@dataclass
class _UserSpec:
    username: str
    display_name: str
    phone: str
    memberships: list[tuple[str, str, str]]  # (unit path, role, title)
    responsible_for: list[str]
    persona: bool = False


@dataclass
class _Plan:
    schemes: dict[str, list[str]] = field(default_factory=dict)
    units: list[_UnitSpec] = field(default_factory=list)
    liaisons: list[tuple[str, str]] = field(default_factory=list)
    users: dict[str, _UserSpec] = field(default_factory=dict)
    support_points: list[tuple[str, str, str, str]] = field(default_factory=list)  # path, kind, name, phone


FENGXIAN_SCHEME = "奉贤公安（区/派出所/居村委/网格）"
ANGSU_SCHEME = "昂素镇（旗/镇/嘎查·社区/网格）"


def _plan() -> _Plan:
    rng = random.Random(20220414)
    plan = _Plan()
    plan.schemes[FENGXIAN_SCHEME] = ["区", "派出所", "居村委", "网格"]
    plan.schemes[ANGSU_SCHEME] = ["旗", "镇", "嘎查·社区", "网格"]

    plan.units.append(
        _UnitSpec(FENGXIAN_CODE, "奉贤区", "奉贤", "district", 0, None, FENGXIAN_SCHEME, 0, "021-57100110")
    )
    for i, short in enumerate(STATIONS, start=1):
        station_path = f"{FENGXIAN_CODE}.{i:02d}"
        plan.units.append(
            _UnitSpec(
                station_path,
                f"{short}派出所",
                short,
                "station",
                1,
                FENGXIAN_CODE,
                FENGXIAN_SCHEME,
                i,
                f"021-571{i:02d}110",
            )
        )
        plan.support_points.append((station_path, "police_post", f"{short}中心警务站", f"021-572{i:02d}110"))
        plan.support_points.append((station_path, "merchant_alliance", f"{short}平安商户联盟", ""))
        # Fengxian has about 300 neighbourhood and village committees over 27 stations.
        community_count = rng.randint(8, 14)
        used: set[str] = set()
        for c in range(1, community_count + 1):
            while True:
                name = rng.choice(_PLACE) + rng.choice(_COMMUNITY_SUFFIX)
                if name not in used:
                    used.add(name)
                    break
            community_path = f"{station_path}.{c:03d}"
            plan.units.append(
                _UnitSpec(
                    community_path,
                    name,
                    name.removesuffix("居委").removesuffix("村委"),
                    "community",
                    2,
                    station_path,
                    FENGXIAN_SCHEME,
                    c,
                )
            )
            plan.support_points.append((community_path, "police_office", f"{name}警务室", ""))
            if c % 3 == 1:
                plan.support_points.append((community_path, "safety_house", f"{name}平安屋", ""))
            for g in range(1, rng.randint(5, 12) + 1):
                plan.units.append(
                    _UnitSpec(
                        f"{community_path}.{g:02d}",
                        f"第{chinese_number(g)}网格",
                        "",
                        "grid",
                        3,
                        community_path,
                        FENGXIAN_SCHEME,
                        g,
                    )
                )
    for d, name in enumerate(DEPARTMENTS, start=1):
        plan.units.append(
            _UnitSpec(
                f"{FENGXIAN_CODE}.B{d:02d}", name, name, "department", 1, FENGXIAN_CODE, FENGXIAN_SCHEME, d
            )
        )
    station_path_by_name = {short: f"{FENGXIAN_CODE}.{i:02d}" for i, short in enumerate(STATIONS, start=1)}
    department_path_by_name = {
        name: f"{FENGXIAN_CODE}.B{d:02d}" for d, name in enumerate(DEPARTMENTS, start=1)
    }
    for department, stations in LIAISON.items():
        for station in stations:
            plan.liaisons.append((department_path_by_name[department], station_path_by_name[station]))

    # The Angsu shape: 旗 → 镇 → 嘎查/社区 → 网格 (seed 003).
    plan.units.append(
        _UnitSpec(ANGSU_DISTRICT_CODE, "鄂托克前旗", "鄂前旗", "district", 0, None, ANGSU_SCHEME, 1)
    )
    town = f"{ANGSU_DISTRICT_CODE}.01"
    plan.units.append(
        _UnitSpec(town, "昂素镇", "昂素", "station", 1, ANGSU_DISTRICT_CODE, ANGSU_SCHEME, 1, "0477-7600110")
    )
    plan.support_points.append((town, "party_centre", "昂素镇党群服务中心", "0477-7600120"))
    for c, (name, grids) in enumerate(
        [("哈日根图嘎查", 3), ("毛盖图嘎查", 4), ("陶日木嘎查", 3), ("巴音乌素嘎查", 2), ("昂素社区", 5)],
        start=1,
    ):
        community_path = f"{town}.{c:03d}"
        plan.units.append(
            _UnitSpec(community_path, name, name.removesuffix("嘎查"), "community", 2, town, ANGSU_SCHEME, c)
        )
        plan.support_points.append((community_path, "party_centre", f"{name}党群服务站", ""))
        for g in range(1, grids + 1):
            plan.units.append(
                _UnitSpec(
                    f"{community_path}.{g:02d}",
                    f"第{chinese_number(g)}网格",
                    "",
                    "grid",
                    3,
                    community_path,
                    ANGSU_SCHEME,
                    g,
                )
            )

    _plan_people(plan, rng, station_path_by_name, department_path_by_name)
    return plan


def _plan_people(
    plan: _Plan, rng: random.Random, stations: dict[str, str], departments: dict[str, str]
) -> None:
    nq, tq = stations["南桥"], stations["头桥"]
    angsu_town = f"{ANGSU_DISTRICT_CODE}.01"
    personas = [
        _UserSpec(
            "admin", "奉贤分局管理员", "021-57100001", [(FENGXIAN_CODE, Role.DISTRICT_ADMIN, "")], [], True
        ),
        # 三员分立: system administrator, security administrator and auditor are three people.
        _UserSpec(
            "sysadmin",
            "奉贤分局系统管理员",
            "021-57100003",
            [(FENGXIAN_CODE, Role.SYSTEM_ADMIN, "")],
            [],
            True,
        ),
        _UserSpec(
            "secadmin",
            "奉贤分局安全保密管理员",
            "021-57100004",
            [(FENGXIAN_CODE, Role.SECURITY_ADMIN, "")],
            [],
            True,
        ),
        _UserSpec("auditor", "奉贤分局审计员", "021-57100002", [(FENGXIAN_CODE, Role.AUDITOR, "")], [], True),
        _UserSpec("nanqiao", "南桥派出所值班室", "021-57101110", [(nq, Role.STATION_OFFICE, "")], [], True),
        _UserSpec("touqiao", "头桥派出所值班室", "021-57109110", [(tq, Role.STATION_OFFICE, "")], [], True),
        _UserSpec(
            "zhian",
            "治安支队联络员",
            "021-57100201",
            [(departments["治安支队"], Role.DEPARTMENT, "")],
            [],
            True,
        ),
        _UserSpec(
            "jingzhen",
            "经侦支队联络员",
            "021-57100202",
            [(departments["经侦支队"], Role.DEPARTMENT, "")],
            [],
            True,
        ),
        _UserSpec(
            "zhengzhi",
            "政治处宣传干事",
            "021-57100301",
            [(departments["政治处"], Role.POLITICAL, "")],
            [],
            True,
        ),
        _UserSpec(
            "officer-nq",
            person_name(rng),
            phone_number(rng),
            [
                (f"{nq}.001", Role.COMMUNITY_OFFICER, "兼任居委副书记"),
                (f"{nq}.002", Role.COMMUNITY_OFFICER, "兼任居委主任助理"),
            ],
            [f"{nq}.001", f"{nq}.002"],
            True,
        ),
        _UserSpec(
            "squad-nq",
            person_name(rng),
            phone_number(rng),
            [(f"{nq}.001.01", Role.SQUAD_LEADER, "")],
            [],
            True,
        ),
        _UserSpec(
            "grid-nq",
            person_name(rng),
            phone_number(rng),
            [(f"{nq}.001.01", Role.GRID_WORKER, "专职网格员")],
            [f"{nq}.001.01"],
            True,
        ),
        _UserSpec(
            "grid-tq",
            person_name(rng),
            phone_number(rng),
            [(f"{tq}.001.01", Role.GRID_WORKER, "专职网格员")],
            [f"{tq}.001.01"],
            True,
        ),
        _UserSpec(
            "angsu", "昂素镇党委办公室", "0477-7600110", [(angsu_town, Role.STATION_OFFICE, "")], [], True
        ),
        _UserSpec(
            "grid-as",
            person_name(rng),
            phone_number(rng),
            [(f"{angsu_town}.001.01", Role.GRID_WORKER, "专职网格员")],
            [f"{angsu_town}.001.01"],
            True,
        ),
    ]
    for spec in personas:
        plan.users[spec.username] = spec
    taken = {path for spec in personas for path in spec.responsible_for}
    for unit in plan.units:
        if unit.path in taken or unit.kind not in ("community", "grid"):
            continue
        slug = unit.path.replace(".", "-")
        if unit.kind == "community":
            username, role, title = f"mj-{slug}", Role.COMMUNITY_OFFICER, "社区民警"
        else:
            username, role, title = f"wg-{slug}", Role.GRID_WORKER, "网格长"
        plan.users[username] = _UserSpec(
            username, person_name(rng), phone_number(rng), [(unit.path, role, title)], [unit.path]
        )


PERSONA_DESCRIPTIONS = {
    "admin": "奉贤区级业务管理员：全区业务（不管账号，不看审计日志）",
    "sysadmin": "奉贤系统管理员：单位和账号（看不到个人信息和审计日志）",
    "secadmin": "奉贤安全保密管理员：解锁、重置两步验证、强制改口令、撤销令牌（看不到个人信息）",
    "auditor": "奉贤审计员：全区只读，含审计日志",
    "nanqiao": "南桥派出所办公室",
    "touqiao": "头桥派出所办公室",
    "zhian": "治安支队（联系南桥、江海、奉浦、西渡、金海）",
    "jingzhen": "经侦支队（联系头桥等十二个派出所）",
    "zhengzhi": "政治处：挑选典型案例（看不到个人信息）",
    "officer-nq": "南桥前两个居委的社区民警",
    "squad-nq": "南桥第一个居委第一网格的小分队队长",
    "grid-nq": "南桥第一个居委第一网格的网格员",
    "grid-tq": "头桥第一个网格的网格员",
    "angsu": "昂素镇办公室",
    "grid-as": "昂素镇第一个嘎查第一网格的网格员",
}


@transaction.atomic
def load_org_demo(*, password: str | None = None) -> DemoCounts:
    """Create whatever of the demo tree, departments, personas and support points is missing."""
    password = password or settings.LINLI_DEMO_PASSWORD
    plan = _plan()
    counts = DemoCounts()

    schemes: dict[str, LevelScheme] = {}
    for name, labels in plan.schemes.items():
        scheme, created = LevelScheme.objects.get_or_create(
            name=name,
            defaults=dict(
                zip(["district_label", "station_label", "community_label", "grid_label"], labels, strict=True)
            ),
        )
        schemes[name] = scheme
        counts.add("层级方案", int(created))

    existing = dict(Unit.objects.values_list("path", "id"))
    for depth in range(4):
        new_units = [
            Unit(
                code=spec.path,
                path=spec.path,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                depth=spec.depth,
                parent_id=existing[spec.parent_path] if spec.parent_path else None,
                scheme=schemes[spec.scheme],
                sort_order=spec.sort_order,
                phone=spec.phone,
            )
            for spec in plan.units
            if spec.depth == depth and spec.path not in existing
        ]
        Unit.objects.bulk_create(new_units, batch_size=1000)
        counts.add("单位", len(new_units))
        existing.update(Unit.objects.filter(depth=depth).values_list("path", "id"))

    existing_liaisons = set(Liaison.objects.values_list("department_id", "station_id"))
    new_liaisons = [
        Liaison(department_id=existing[d], station_id=existing[s])
        for d, s in plan.liaisons
        if (existing[d], existing[s]) not in existing_liaisons
    ]
    Liaison.objects.bulk_create(new_liaisons)
    counts.add("联系片区", len(new_liaisons))

    users = dict(User.objects.filter(username__in=list(plan.users)).values_list("username", "id"))
    new_users = []
    for spec in plan.users.values():
        if spec.username in users:
            continue
        user = User(username=spec.username, display_name=spec.display_name, phone=spec.phone)
        if spec.persona:
            user.set_password(password)
        else:
            user.set_unusable_password()
        new_users.append(user)
    User.objects.bulk_create(new_users, batch_size=1000)
    counts.add("账号", len(new_users))
    # A persona whose password no longer matches LINLI_DEMO_PASSWORD gets it back.
    for user in User.objects.filter(username__in=[s.username for s in plan.users.values() if s.persona]):
        if user.username in users and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            counts.add("重设口令", 1)
    users = dict(User.objects.filter(username__in=list(plan.users)).values_list("username", "id"))

    existing_memberships = set(Membership.objects.values_list("user_id", "unit_id", "role"))
    new_memberships = [
        Membership(user_id=users[spec.username], unit_id=existing[path], role=role, title=title)
        for spec in plan.users.values()
        for path, role, title in spec.memberships
        if (users[spec.username], existing[path], str(role)) not in existing_memberships
    ]
    Membership.objects.bulk_create(new_memberships, batch_size=1000)
    counts.add("任职", len(new_memberships))

    responsible_missing = set(
        Unit.objects.filter(kind__in=["community", "grid"], responsible__isnull=True).values_list(
            "path", flat=True
        )
    )
    to_assign = [
        (existing[path], users[spec.username])
        for spec in plan.users.values()
        for path in spec.responsible_for
        if path in responsible_missing
    ]
    for unit_id, user_id in to_assign:
        Unit.objects.filter(pk=unit_id).update(responsible_id=user_id)
    counts.add("责任人", len(to_assign))

    existing_points = set(SupportPoint.objects.values_list("unit_id", "name"))
    new_points = [
        SupportPoint(unit_id=existing[path], kind=kind, name=name, phone=phone)
        for path, kind, name, phone in plan.support_points
        if (existing[path], name) not in existing_points
    ]
    SupportPoint.objects.bulk_create(new_points, batch_size=1000)
    counts.add("服务点位", len(new_points))

    if counts.changed:
        audit_record(actor=None, action="demo.load", detail=counts.created)
    return counts
