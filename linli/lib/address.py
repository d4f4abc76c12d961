"""Free-text Chinese addresses, normalised and split into parts for matching to standard addresses.

People write the same flat as "南桥镇育秀路100弄12号401室", "育秀路１００弄１２号４０１室",
"奉贤区南桥镇育秀路一百弄十二号四〇一室" or "育秀路100弄12-401". `normalise_address` brings such
variants to one spelling; `parse_address` splits it into locality (road, village, gacha), lane,
door number, building, unit and room, and `AddressParts.key()` gives the string a standard address
is looked up by.

The parser prefers leaving a part empty, with the text it could not place in `rest`, to guessing:
"育秀路100" may be 100号 or 100弄, "12号4楼" names a floor and no room, and both say so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["AddressParts", "normalise_address", "parse_address"]


@dataclass(frozen=True, slots=True)
class AddressParts:
    """An address split into the parts a standard address is made of.

    Every part keeps its marker ("100弄", "12号", "3幢", "2单元", "401室") and is "" when absent.
    `area` holds the administrative part before the locality (town, sub-district, committee); it is
    not part of the key, because people often leave it out and the key must still match.
    `road` is the locality: a road or street, or a village (村), gacha (嘎查) or named estate.
    `lane` is the sub-locality: a lane (弄, with any 支弄) or alley (巷) in a town, a villagers' group
    (组), a gacha's herders' group (社) or a production team (队) in the countryside.
    `rest` is what the parser did not understand; when it is not empty, the parts after the first
    not-understood text are left empty rather than guessed.
    """

    area: str = ""
    road: str = ""
    lane: str = ""
    number: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    rest: str = ""

    def key(self) -> str:
        """The matching key, "育秀路|100弄|12号|3幢|2单元|401室"; absent parts are empty between bars."""
        return "|".join((self.road, self.lane, self.number, self.building, self.unit, self.room))

    @property
    def understood(self) -> bool:
        """True when every character of the address was placed in a part."""
        return not self.rest


# --- normalisation -------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}

# Markers after which a number is a house-numbering number, not part of a name: "三号楼" is building
# 3, but "五四村" and "七一路" are names and stay as written.
_NUMBER_MARKERS = "号楼|号|支弄|弄|巷|幢|栋|座|单元|室|房间|房|户|楼|层|村民小组|小组|组|社(?!区)|队|#楼"
_CN_NUMERAL = "".join(_CN_DIGITS) + "".join(_CN_UNITS)
# Not after an Arabic digit ("1百弄" is a typo to report, not 1100弄), and not where the marker goes on
# into a name ("一号桥路" is a road).
_NAME_AFTER_MARKER = "[桥路街道港河浜塘湾线]"
_CN_NUMBER = re.compile(rf"(?<![0-9])第?([{_CN_NUMERAL}]+)(?=(?:{_NUMBER_MARKERS})(?!{_NAME_AFTER_MARKER}))")

# Separators that stand for a gap between parts; NFKC has already made full-width ones half-width.
_SEPARATORS = re.compile(r"[\s,;:.。、·]+")
_DASHES = re.compile(r"[‐‑‒–—―−~_]")
_LABEL = re.compile(r"^(?:家庭|现|户籍|居住|联系)?(?:住址|地址|居住地)[:]?")

# Marker spellings after a number, unified: a building is 幢, a room 室, a floor 楼, a group 组.
# Each applies only after a digit or letter, so names ("宝座路", "户外") are left alone.
_MARKER_VARIANTS = (
    (re.compile(r"(?<=[0-9A-Z])(?:号楼|#楼|栋|座|幢)"), "幢"),
    (re.compile(r"(?<=[0-9A-Z])(?:房间|房|户|室)"), "室"),
    (re.compile(r"(?<=[0-9])层"), "楼"),
    (re.compile(r"(?<=[0-9])(?:村民小组|小组)"), "组"),
)

# "12-3-401" and "12-401" after a door number or lane: building-unit-room and building-room, as
# residents of an estate say them; "3-401" after a building: unit-room. Rooms have 3-4 digits and
# buildings 1-3; anything else is left for the parser to reject. The lookahead keeps "12-14号" (a
# range of door numbers) untouched.
_DASH_END = r"室?(?![0-9A-Z\-号弄幢单室楼组])"
_BUILDING_UNIT_ROOM = re.compile(rf"(?<=[号弄])(\d{{1,3}})-(\d{{1,2}})-(\d{{3,4}}){_DASH_END}")
_BUILDING_ROOM = re.compile(rf"(?<=[号弄])(\d{{1,3}})-(\d{{3,4}}){_DASH_END}")
_UNIT_ROOM = re.compile(rf"(?<=幢)(\d{{1,2}})-(\d{{3,4}}){_DASH_END}")


def _building_room(match: re.Match[str]) -> str:
    building, room = match.group(1), match.group(2)
    if len(building) == len(room):
        # "401-402" lists two rooms; it is not building 401.
        return match.group(0)
    return f"{building}幢{room}室"


# In a Shanghai lane the buildings are the door numbers: "100弄12栋" is "100弄12号".
_LANE_BUILDING = re.compile(r"(\d+弄(?:\d+支弄)?)(\d+)幢")

_ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "省", "市", "区", "县", "旗", "盟")
_ALWAYS_STRIPPED = ("中华人民共和国", "中国")
# A prefix is not stripped when what follows shows it is the start of a name: "奉贤路", "上海公路".
_NAME_CONTINUES = re.compile(r"^(?:路|街|道|大道|公路|巷|弄|号|村|桥|港|塘|中路|东路|西路|南路|北路)")


def _cn_to_int(numeral: str) -> int | None:
    """Value of a Chinese numeral ("十二" 12, "一百零一" 101, "二〇一" 201); None if malformed."""
    if not any(char in _CN_UNITS for char in numeral):
        # Digit by digit, as room numbers are read out: 二〇一 = 201.
        return int("".join(str(_CN_DIGITS[char]) for char in numeral))
    total = 0
    pending: int | None = None
    last_unit = 10_000
    for char in numeral:
        if char in _CN_DIGITS:
            if pending:
                return None  # two digits in a row inside a positional numeral: "一二十"
            pending = _CN_DIGITS[char]
        else:
            unit = _CN_UNITS[char]
            if unit >= last_unit:
                return None  # "十百", "百百"
            total += (pending if pending else 1) * unit
            pending = None
            last_unit = unit
    if pending and last_unit > 10 and numeral[-2] in _CN_UNITS:
        # Spoken short form: "一百二" is 120, "一千二" 1200 (with a zero, "一百零二", it is 102).
        return total + pending * last_unit // 10
    return total + (pending or 0)


def _replace_cn_number(match: re.Match[str]) -> str:
    value = _cn_to_int(match.group(1))
    return match.group(0) if value is None else str(value)


def _prefix_forms(prefixes: Iterable[str]) -> list[str]:
    forms: set[str] = set(_ALWAYS_STRIPPED)
    for prefix in prefixes:
        prefix = unicodedata.normalize("NFKC", prefix).strip()
        if not prefix:
            continue
        forms.add(prefix)
        for suffix in _ADMIN_SUFFIXES:
            # "上海市" is also written "上海", "奉贤区" "奉贤"; one-character stems are too ambiguous.
            if prefix.endswith(suffix) and len(prefix) - len(suffix) >= 2:
                forms.add(prefix[: -len(suffix)])
                break
    return sorted(forms, key=len, reverse=True)


def _strip_prefixes(text: str, forms: Sequence[str]) -> str:
    stripped = True
    while stripped:
        stripped = False
        for form in forms:
            remainder = text[len(form) :]
            if text.startswith(form) and remainder and not _NAME_CONTINUES.match(remainder):
                text = remainder
                stripped = True
                break
    return text


def normalise_address(text: str, strip_prefixes: Sequence[str] = ()) -> str:
    """One spelling for the many ways people write an address.

    Full-width characters become half-width, whitespace goes, numbers before house-numbering markers
    become Arabic ("三号楼" → "3幢", "二〇一室" → "201室"), marker variants are unified (栋/座/号楼 →
    幢, 房/户 → 室, 层 → 楼), "12-3-401" after a door number or lane becomes "12幢3单元401室", and the
    leading administrative names in `strip_prefixes` (e.g. "上海市", "奉贤区") are removed in full or
    short form ("上海", "奉贤"), so that "上海市奉贤区南桥镇…" and "南桥镇…" come out the same.
    """
    text = unicodedata.normalize("NFKC", text).upper()
    text = _DASHES.sub("-", text)
    # A gap between two numbers separates them ("12 401" is 12-401); any other gap is noise.
    text = re.sub(r"(?<=[0-9])[\s,;:.。、·]+(?=[0-9])", "-", text)
    text = _SEPARATORS.sub("", text)
    # A dash next to a character is a separator ("100弄-12号"); between two numbers it means something.
    text = re.sub(r"-+(?=[^0-9A-Z\-])|(?<=[^0-9A-Z\-])-+", "", text).strip("-")
    text = _LABEL.sub("", text)
    text = _strip_prefixes(text, _prefix_forms(strip_prefixes))
    text = _CN_NUMBER.sub(_replace_cn_number, text)
    for pattern, replacement in _MARKER_VARIANTS:
        text = pattern.sub(replacement, text)
    text = _BUILDING_UNIT_ROOM.sub(r"\1幢\2单元\3室", text)
    text = _BUILDING_ROOM.sub(_building_room, text)
    text = _UNIT_ROOM.sub(r"\1单元\2室", text)
    return _LANE_BUILDING.sub(r"\1\2号", text)


# --- parsing -------------------------------------------------------------------------------------

_AREA = re.compile(r"^[^0-9A-Z()]{1,16}?(?:镇|乡|街道|苏木)")
_COMMITTEE = re.compile(r"^[^0-9A-Z()]{1,12}?(?:居委会|居委|居民委员会)")
# What a locality name ends with, longest first so that "金海公路" is a 公路 and "南桥新村" a 新村.
_LOCALITY_SUFFIXES = (
    "大道", "公路", "大街", "路", "街", "巷", "道",
    "嘎查", "社区", "新村", "村", "屯", "庄",
    "小区", "新苑", "花苑", "苑", "花园", "家园", "公寓", "大厦", "广场", "园", "里", "坊", "城",
)  # fmt: skip
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_NAME_RUN = re.compile(r"^[^0-9A-Z()\-]+")

# The numbered parts in the order they nest; a part out of order ends the understood text.
_LANE, _SUBLANE, _NUMBER, _BUILDING, _UNIT, _FLOOR, _ROOM = range(1, 8)
_TOKENS = (
    (re.compile(r"\d+支弄"), _SUBLANE),
    (re.compile(r"\d+(?:弄|巷|组|社|队)"), _LANE),
    (re.compile(r"\d+(?:-\d+)?[A-Z]?号"), _NUMBER),
    (re.compile(r"(?:[A-Z]\d*|\d+[A-Z]?)幢"), _BUILDING),
    (re.compile(r"\d+单元"), _UNIT),
    (re.compile(r"\d+楼"), _FLOOR),
    (re.compile(r"[A-Z]?\d+[A-Z]?室"), _ROOM),
)
_BARE_NUMBER = re.compile(r"\d+")
_BARE_MARKERS = {_NUMBER: "号", _ROOM: "室"}


def _locality(name_run: str) -> tuple[str, str]:
    """Split a run of name characters into (locality, what follows it); ("", run) if no locality."""
    for end in range(len(name_run), 1, -1):
        if name_run[:end].endswith(_LOCALITY_SUFFIXES):
            return name_run[:end], name_run[end:]
    return "", name_run


def _room_floor(room: str) -> int | None:
    digits = re.sub(r"[^0-9]", "", room)
    return int(digits[:-2]) if len(digits) >= 3 else None


def parse_address(text: str, *, strip_prefixes: Sequence[str] = ()) -> AddressParts:
    """Split a free-text address into its parts (see AddressParts); never raises.

    The text is normalised first (see normalise_address, which `strip_prefixes` is passed to).
    A bare number is read as a room only after a door number, building or unit and only when it has
    3-4 digits ("12号401"); after a lane it is the door number ("100弄12"); after a road it could be
    either a door number or a lane, so it is left in `rest`.
    """
    normalised = normalise_address(text, strip_prefixes)
    notes = _PARENTHESES.findall(normalised)
    remaining = _PARENTHESES.sub("", normalised)

    area_match = _AREA.match(remaining)
    area = ""
    if area_match and not _NAME_CONTINUES.match(remaining[area_match.end() :]):
        area = area_match.group(0)
        remaining = remaining[area_match.end() :]
    committee = _COMMITTEE.match(remaining)
    if committee:
        area += committee.group(0)
        remaining = remaining[committee.end() :]

    road = ""
    name_run = _NAME_RUN.match(remaining)
    if name_run:
        road, leftover = _locality(name_run.group(0))
        if leftover:
            # Text after the locality that is no number ("育秀路后面12号"): nothing after it is trusted.
            return _finish(area, road, {}, remaining[len(road) :], notes)
        remaining = remaining[len(road) :]

    parts: dict[int, str] = {}
    last = 0
    while remaining:
        level, token = _next_token(remaining, last)
        if not level:
            break
        if level == _SUBLANE:
            if last != _LANE or not parts[_LANE].endswith("弄"):
                break
            parts[_LANE] += token
        elif level <= last:
            # Repeated ("401室402室"): neither reading is certain, so the earlier one goes back to rest.
            # Merely out of order ("3单元5幢"): the text from there on is not understood.
            if level in parts:
                remaining = "".join(parts.pop(key) for key in sorted(parts) if key >= level) + remaining
            break
        else:
            parts[level] = token
        last = level
        remaining = remaining[len(token) :]

    remaining = _check_floor(parts, remaining)
    return _finish(area, road, parts, remaining, notes)


def _next_token(remaining: str, last: int) -> tuple[int, str]:
    """The next numbered part as (level, text consumed); (0, "") when none can be read."""
    for pattern, level in _TOKENS:
        match = pattern.match(remaining)
        if match:
            return level, match.group(0)
    if not _BARE_NUMBER.fullmatch(remaining):
        return 0, ""
    # A number without marker, only at the very end, and only where its meaning is certain.
    if last in (_LANE, _SUBLANE):
        return _NUMBER, remaining
    if last in (_NUMBER, _BUILDING, _UNIT, _FLOOR) and 3 <= len(remaining) <= 4 and remaining[-2:] != "00":
        return _ROOM, remaining
    return 0, ""


def _check_floor(parts: dict[int, str], remaining: str) -> str:
    """Drop a floor that agrees with the room; otherwise give floor and room back as not understood."""
    floor = parts.pop(_FLOOR, "")
    if not floor:
        return remaining
    room = parts.get(_ROOM, "")
    if room and _room_floor(room) == int(floor[:-1]):
        return remaining
    # A floor alone ("12号4楼") names no room, and "3楼401室" contradicts itself.
    return floor + parts.pop(_ROOM, "") + remaining


def _finish(area: str, road: str, parts: dict[int, str], remaining: str, notes: list[str]) -> AddressParts:
    # A bare number was read as a door number or room (see _next_token); give it its marker.
    for level, marker in _BARE_MARKERS.items():
        if parts.get(level, "").isdigit():
            parts[level] += marker
    lane = parts.get(_LANE, "")
    number = parts.get(_NUMBER, "")
    building = parts.get(_BUILDING, "")
    if lane.endswith("弄") and not number and building[:-1].isdigit():
        # A lane's buildings are its door numbers (see _LANE_BUILDING), also when they were not adjacent.
        number, building = building[:-1] + "号", ""
    rest = " ".join(piece for piece in (remaining, *notes) if piece)
    return AddressParts(
        area=area,
        road=road,
        lane=lane,
        number=number,
        building=building,
        unit=parts.get(_UNIT, ""),
        room=parts.get(_ROOM, ""),
        rest=rest,
    )
