"""Free-text addresses as people write them, normalised and split for matching to standard addresses."""

from __future__ import annotations

import pytest

from linli.lib.address import AddressParts, normalise_address, parse_address

# What a Fengxian or Angsu deployment passes: the names above the town, in full form.
PREFIXES = ("上海市", "奉贤区", "内蒙古自治区", "鄂尔多斯市", "鄂托克前旗")

YUXIU_401 = "育秀路|100弄|12号|||401室"
YUXIU_BUILDING = "育秀路|100弄|12号|3幢|2单元|401室"
BAIQI_1201 = "百齐路||88号|12幢|3单元|1201室"
BAIQI_502 = "百齐路||88号|12幢||502室"
NANQIAO_A = "南桥路||500号|A幢||1201室"
JIEFANG = "解放东路||118号|||"
YUXIU_12 = "育秀路|100弄|12号|||"
YUNHE = "运河北路|288弄|15号||2单元|302室"
HARIGENTU = "哈日根图嘎查|2社|12号|||"
YANGLOU = "杨溇村|3组|45号|||"
PUWEI = "浦卫公路|3999弄|12号|||601室"
JINHAI = "金海公路|6055弄|27号|||1102室"
SUNSHINE = "阳光小区|||5幢|2单元|301室"

# Addresses that are understood completely: every character lands in a part, rest stays empty.
UNDERSTOOD = [
    # One flat in a Shanghai lane, written every way a resident or clerk writes it.
    ("南桥镇育秀路100弄12号401室", YUXIU_401),
    ("育秀路100弄12号401室", YUXIU_401),
    ("育秀路１００弄１２号４０１室", YUXIU_401),
    ("奉贤区南桥镇育秀路一百弄十二号四〇一室", YUXIU_401),
    ("育秀路100弄12号 401", YUXIU_401),
    ("育秀路100弄12号401", YUXIU_401),
    ("育秀路100弄12-401", YUXIU_401),
    ("育秀路100弄12-401室", YUXIU_401),
    ("育秀路100弄１２－４０１", YUXIU_401),
    ("育秀路100弄12—401", YUXIU_401),
    ("育秀路100弄12 401", YUXIU_401),
    ("育秀路 100 弄 12 号 401 室", YUXIU_401),
    ("育秀路１００弄\u3000１２号\u3000４０１室", YUXIU_401),
    ("育秀路100弄\t12号\t401室", YUXIU_401),
    ("育秀路100弄12号\u00a0401室 ", YUXIU_401),
    ("上海市奉贤区南桥镇育秀路100弄12号401室", YUXIU_401),
    ("上海奉贤南桥镇育秀路100弄12号401室", YUXIU_401),
    ("上海市奉贤南桥镇育秀路100弄12号401室", YUXIU_401),
    ("中国上海市奉贤区南桥镇育秀路100弄12号401室", YUXIU_401),
    ("上海市奉贤区育秀路100弄12号401室", YUXIU_401),
    ("南桥镇 育秀路100弄12号401室", YUXIU_401),
    ("南桥镇贝港居委育秀路100弄12号401室", YUXIU_401),
    ("地址：育秀路100弄12号401室", YUXIU_401),
    ("育秀路100弄12号401室。", YUXIU_401),
    ("育秀路100弄12号，401室", YUXIU_401),
    ("育秀路100弄12号401房", YUXIU_401),
    ("育秀路100弄12号401户", YUXIU_401),
    ("育秀路100弄12号401房间", YUXIU_401),
    ("育秀路100弄12号-401", YUXIU_401),
    ("育秀路100弄-12号-401室", YUXIU_401),
    ("育秀路100弄12号4楼401室", YUXIU_401),
    ("育秀路100弄12号4层401室", YUXIU_401),
    ("育秀路100弄12号四楼401室", YUXIU_401),
    ("育秀路100弄12号4楼401", YUXIU_401),
    ("育秀路100弄十二号401室", YUXIU_401),
    ("育秀路一〇〇弄一二号四〇一室", YUXIU_401),
    ("育秀路壹佰弄拾贰号肆零壹室", YUXIU_401),
    ("育秀路一百弄十二号四零一室", YUXIU_401),
    # In a lane the buildings are the door numbers: 12栋 / 12号楼 / 12幢 all mean 12号.
    ("育秀路100弄12号楼401室", YUXIU_401),
    ("育秀路100弄12栋401室", YUXIU_401),
    ("育秀路100弄12幢401室", YUXIU_401),
    ("育秀路100弄12座401", YUXIU_401),
    ("育秀路100弄十二号楼四〇一室", YUXIU_401),
    ("育秀路100弄12#楼401室", YUXIU_401),
    # Building and unit inside a numbered compound of a lane.
    ("育秀路100弄12号3幢2单元401室", YUXIU_BUILDING),
    ("育秀路100弄12号3栋2单元401室", YUXIU_BUILDING),
    ("育秀路100弄12号3号楼2单元401室", YUXIU_BUILDING),
    ("育秀路100弄12号三号楼二单元四〇一室", YUXIU_BUILDING),
    ("育秀路100弄12号3-2-401", YUXIU_BUILDING),
    ("育秀路100弄12号3-2-401室", YUXIU_BUILDING),
    ("育秀路100弄12号3座2单元401", YUXIU_BUILDING),
    ("育秀路100弄12号3幢2单元401", YUXIU_BUILDING),
    ("育秀路100弄12号3幢2-401", YUXIU_BUILDING),
    ("育秀路100弄12号 3 2 401", YUXIU_BUILDING),
    ("南桥镇育秀路100弄12号3幢2单元4楼401室", YUXIU_BUILDING),
    # An estate at a door number on a road.
    ("百齐路88号12幢3单元1201室", BAIQI_1201),
    ("百齐路88号12-3-1201", BAIQI_1201),
    ("百齐路88号12栋3单元1201", BAIQI_1201),
    ("百齐路88号十二号楼三单元一二〇一室", BAIQI_1201),
    ("百齐路88号12#楼3单元1201室", BAIQI_1201),
    ("南桥镇百齐路88号12号楼3单元1201房", BAIQI_1201),
    ("百齐路 88 号 12 栋 3 单元 1201 室", BAIQI_1201),
    ("百齐路88号12幢3单元12楼1201室", BAIQI_1201),
    ("奉贤区百齐路88号12-3-1201室", BAIQI_1201),
    ("百齐路八十八号十二幢三单元一千二百零一室", BAIQI_1201),
    ("百齐路88号12-502", BAIQI_502),
    ("百齐路88号12幢502室", BAIQI_502),
    ("百齐路88号12栋502", BAIQI_502),
    ("百齐路88号12号楼502", BAIQI_502),
    ("百齐路88号十二栋五〇二室", BAIQI_502),
    # Lettered towers.
    ("南桥路500号A座1201室", NANQIAO_A),
    ("南桥路500号A栋1201", NANQIAO_A),
    ("南桥路500号a座1201房", NANQIAO_A),
    ("南桥路500号Ａ座１２０１", NANQIAO_A),
    # A door number on a road, nothing below it.
    ("解放东路118号", JIEFANG),
    ("解放东路一百一十八号", JIEFANG),
    ("解放东路 118 号", JIEFANG),
    ("奉贤区解放东路118号", JIEFANG),
    ("南桥镇解放东路118号", JIEFANG),
    ("上海奉贤解放东路118号", JIEFANG),
    # A lane house with no room.
    ("育秀路100弄12号", YUXIU_12),
    ("育秀路100弄12", YUXIU_12),
    ("育秀路一百弄十二号", YUXIU_12),
    ("育秀路100弄十二号", YUXIU_12),
    ("育秀路100弄12号楼", YUXIU_12),
    ("育秀路100弄12栋", YUXIU_12),
    ("育秀路100弄3支弄5号", "育秀路|100弄3支弄|5号|||"),
    ("育秀路一百弄三支弄五号", "育秀路|100弄3支弄|5号|||"),
    ("育秀路100弄12-1号", "育秀路|100弄|12-1号|||"),
    ("育秀路100弄12A号", "育秀路|100弄|12A号|||"),
    ("育秀路一百二十弄", "育秀路|120弄||||"),
    ("育秀路一百二弄", "育秀路|120弄||||"),
    ("育秀路一百零二弄", "育秀路|102弄||||"),
    ("运河北路288弄15号2单元302室", YUNHE),
    ("运河北路288弄15号二单元三〇二室", YUNHE),
    ("运河北路288弄15号2单元302", YUNHE),
    ("运河北路二百八十八弄十五号二单元三〇二室", YUNHE),
    # Angsu pastoral addresses: gacha, herders' group (社), number.
    ("昂素镇哈日根图嘎查二社12号", HARIGENTU),
    ("昂素镇哈日根图嘎查2社12号", HARIGENTU),
    ("鄂托克前旗昂素镇哈日根图嘎查二社12号", HARIGENTU),
    ("内蒙古自治区鄂尔多斯市鄂托克前旗昂素镇哈日根图嘎查二社十二号", HARIGENTU),
    ("内蒙古鄂尔多斯鄂托克前旗昂素镇哈日根图嘎查第二社12号", HARIGENTU),
    ("哈日根图嘎查2社12号", HARIGENTU),
    ("昂素镇 哈日根图嘎查 二社 12号", HARIGENTU),
    ("昂素镇哈日根图嘎查二社１２号", HARIGENTU),
    ("昂素镇哈日根图嘎查二社12", HARIGENTU),
    ("昂素镇玛拉迪嘎查三社5号", "玛拉迪嘎查|3社|5号|||"),
    ("昂素镇玛拉迪嘎查3社五号", "玛拉迪嘎查|3社|5号|||"),
    ("昂素镇陶利嘎查27号", "陶利嘎查||27号|||"),
    ("昂素镇陶利嘎查二十七号", "陶利嘎查||27号|||"),
    ("昂素镇巴音温都尔嘎查", "巴音温都尔嘎查|||||"),
    ("昂素镇昂素社区3组8号", "昂素社区|3组|8号|||"),
    ("城川苏木毛盖图嘎查一社6号", "毛盖图嘎查|1社|6号|||"),
    # Fengxian villages: village, villagers' group (组) or production team (队), number.
    ("庄行镇杨溇村3组45号", YANGLOU),
    ("庄行镇杨溇村三组45号", YANGLOU),
    ("庄行镇杨溇村第三村民小组45号", YANGLOU),
    ("杨溇村3组45号", YANGLOU),
    ("奉贤区庄行镇杨溇村3组四十五号", YANGLOU),
    ("庄行镇杨溇村3小组45号", YANGLOU),
    ("庄行镇杨溇村3组45", YANGLOU),
    ("上海市奉贤区庄行镇杨溇村三组四十五号", YANGLOU),
    ("庄行镇 杨溇村 3组 45号", YANGLOU),
    ("庄行镇杨溇村3组-45号", YANGLOU),
    ("庄行镇新叶村5组112号", "新叶村|5组|112号|||"),
    ("庄行镇新叶村五组一百一十二号", "新叶村|5组|112号|||"),
    ("青村镇吴房村7队23号", "吴房村|7队|23号|||"),
    ("青村镇吴房村七队23号", "吴房村|7队|23号|||"),
    ("金汇镇明星村188号", "明星村||188号|||"),
    ("金汇镇明星村一百八十八号", "明星村||188号|||"),
    ("四团镇五四村3组12号", "五四村|3组|12号|||"),
    # Sub-districts and 公路 roads.
    ("西渡街道浦卫公路3999弄12号601室", PUWEI),
    ("奉贤区西渡街道浦卫公路3999弄12号601室", PUWEI),
    ("浦卫公路3999弄12-601", PUWEI),
    ("西渡街道浦卫公路3999弄12号楼601室", PUWEI),
    ("金海公路6055弄27号1102室", JINHAI),
    ("奉浦街道金海公路6055弄27号1102室", JINHAI),
    ("金海公路6055弄27-1102", JINHAI),
    ("金海公路六〇五五弄二十七号一一〇二室", JINHAI),
    ("金海公路6055弄27号11楼1102室", JINHAI),
    # Estates named instead of a road.
    ("南桥新苑8号302室", "南桥新苑||8号|||302室"),
    ("南桥新苑八号三〇二室", "南桥新苑||8号|||302室"),
    ("阳光小区5幢2单元301室", SUNSHINE),
    ("阳光小区5栋2单元301", SUNSHINE),
    ("阳光小区五号楼二单元三〇一室", SUNSHINE),
    # Alleys and avenues.
    ("青村镇东街3巷7号", "东街|3巷|7号|||"),
    ("青村镇东街三巷七号", "东街|3巷|7号|||"),
    ("杏花巷12号", "杏花巷||12号|||"),
    ("奉浦大道111号", "奉浦大道||111号|||"),
    ("奉浦大道一百一十一号", "奉浦大道||111号|||"),
    # A prefix's short form is not stripped where it starts a name, and 镇/乡 inside a name is no town.
    ("奉贤路100弄5号", "奉贤路|100弄|5号|||"),
    ("上海路5号", "上海路||5号|||"),
    ("新乡路12号", "新乡路||12号|||"),
    ("南桥镇镇南路5号", "镇南路||5号|||"),
    ("一号桥路5号", "一号桥路||5号|||"),
    ("八字桥路八号", "八字桥路||8号|||"),
    # Incomplete but right: the missing parts are empty, nothing is invented.
    ("育秀路100弄12号3幢", "育秀路|100弄|12号|3幢||"),
    ("百齐路88号12幢3单元", "百齐路||88号|12幢|3单元|"),
    ("庄行镇杨溇村3组", "杨溇村|3组||||"),
    ("100弄12号401室", "|100弄|12号|||401室"),
    ("12幢401室", "|||12幢||401室"),
    ("401室", "|||||401室"),
]


@pytest.mark.parametrize(("raw", "key"), UNDERSTOOD)
def test_it_parses_the_variants_people_write(raw, key):
    parts = parse_address(raw, strip_prefixes=PREFIXES)
    assert (parts.key(), parts.rest) == (key, "")
    assert parts.understood


# Addresses that must not yield a room (or another part) by guessing: what is not understood stays in
# rest, and the parts after it stay empty.
NOT_UNDERSTOOD = [
    # raw, key, rest
    ("育秀路100", "育秀路|||||", "100"),  # 100号 or 100弄?
    ("育秀路100弄12号4楼", YUXIU_12, "4楼"),  # a floor, not a room
    ("育秀路100弄12号楼4楼", YUXIU_12, "4楼"),
    ("育秀路100弄十二号四楼", YUXIU_12, "4楼"),
    ("育秀路100弄12号3楼401室", YUXIU_12, "3楼401室"),  # floor and room disagree
    ("育秀路100弄12楼401", "育秀路|100弄||||", "12楼401"),  # 12楼 is a floor; no door number
    ("育秀路100弄12号401室402室", YUXIU_12, "401室402室"),  # two rooms
    ("育秀路100弄12号401-402", YUXIU_12, "401-402"),
    ("育秀路100弄12号 401 402", YUXIU_12, "401-402"),
    ("育秀路100弄12号1201-1202", YUXIU_12, "1201-1202"),
    ("育秀路100弄12号5", YUXIU_12, "5"),  # too short for a room
    ("育秀路100弄12号40", YUXIU_12, "40"),
    ("育秀路100弄12号12345", YUXIU_12, "12345"),  # too long for a room
    ("育秀路100弄12号400", YUXIU_12, "400"),
    ("育秀路100弄12号四〇一", YUXIU_12, "四〇一"),  # numeral with no marker
    ("百齐路88号十二栋五〇二", "百齐路||88号|12幢||", "五〇二"),
    ("育秀路12-401", "育秀路|||||", "12-401"),  # no door number before the dash form
    ("阳光小区5-2-301", "阳光小区|||||", "5-2-301"),
    ("12-401", "|||||", "12-401"),
    ("育秀路100弄12-3-4-401", "育秀路|100弄||||", "12-3-4-401"),
    ("育秀路100弄12号后面那栋", YUXIU_12, "后面那栋"),
    ("育秀路后面12号401室", "育秀路|||||", "后面12号401室"),
    ("南桥镇政府对面", "|||||", "政府对面"),
    ("育秀路100弄12号甲", YUXIU_12, "甲"),
    ("育秀路100弄12号地下室", YUXIU_12, "地下室"),
    ("育秀路100弄12号B1", YUXIU_12, "B1"),
    ("育秀路100弄12号12号", "育秀路|100弄||||", "12号12号"),  # two door numbers
    ("育秀路100号12号401室", "育秀路|||||", "100号12号401室"),
    ("育秀路100弄12号3单元5幢401室", "育秀路|100弄|12号||3单元|", "5幢401室"),  # out of order
    ("育秀路1百弄12号", "育秀路|||||", "1百弄12号"),
    ("育秀路一二十弄12号", "育秀路|||||", "一二十弄12号"),  # malformed numeral
    ("杨溇村杨家宅12号", "杨溇村|||||", "杨家宅12号"),
    ("庄行镇杨溇村3组45号2", YANGLOU, "2"),
    ("昂素镇哈日根图嘎查二社巴图家", "哈日根图嘎查|2社||||", "巴图家"),
    ("育秀路100弄12号楼上", YUXIU_12, "上"),
    # Understood parts stay when only a note follows or is bracketed.
    ("育秀路100弄12号401室附近", YUXIU_401, "附近"),
    ("育秀路100弄(南桥新苑)12号401室", YUXIU_401, "南桥新苑"),
    ("育秀路100弄12号401室（张阿姨家）", YUXIU_401, "张阿姨家"),
]


@pytest.mark.parametrize(("raw", "key", "rest"), NOT_UNDERSTOOD)
def test_it_leaves_what_it_does_not_understand_in_rest(raw, key, rest):
    parts = parse_address(raw, strip_prefixes=PREFIXES)
    assert (parts.key(), parts.rest) == (key, rest)
    assert not parts.understood


def test_there_are_enough_variants():
    assert len(UNDERSTOOD) >= 120


@pytest.mark.parametrize("raw", [raw for raw, _ in UNDERSTOOD] + [raw for raw, _, _ in NOT_UNDERSTOOD])
def test_normalising_twice_changes_nothing(raw):
    once = normalise_address(raw, PREFIXES)
    assert normalise_address(once, PREFIXES) == once
    assert parse_address(once, strip_prefixes=PREFIXES) == parse_address(raw, strip_prefixes=PREFIXES)


@pytest.mark.parametrize(
    "raw",
    [
        "上海市奉贤区南桥镇育秀路100弄12号401室",
        "上海奉贤南桥镇育秀路100弄12号401室",
        "奉贤区南桥镇育秀路100弄12号401室",
        "中国上海市南桥镇育秀路100弄12号401室",
        "南桥镇育秀路１００弄１２号４０１室",
        "南桥镇 育秀路 一百弄 十二号 四〇一室",
        "南桥镇育秀路100弄12-401",
        "南桥镇育秀路100弄12栋401房",
    ],
)
def test_prefixes_and_spellings_normalise_the_same(raw):
    assert normalise_address(raw, PREFIXES) == "南桥镇育秀路100弄12号401室"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("三号楼", "3幢"),
        ("十二弄", "12弄"),
        ("一单元", "1单元"),
        ("二〇一室", "201室"),
        ("二十号", "20号"),
        ("十号", "10号"),
        ("一百零一号", "101号"),
        ("一千二百零一室", "1201室"),
        ("一千二室", "1200室"),
        ("第三组", "3组"),
        ("3村民小组", "3组"),
        ("5层", "5楼"),
        ("B座", "B幢"),
        ("1201房", "1201室"),
        # Numerals and marker characters inside names stay as written.
        ("五四村", "五四村"),
        ("七一路", "七一路"),
        ("昂素镇第一社区", "昂素镇第一社区"),
        ("宝座路", "宝座路"),
        ("一二十号", "一二十号"),
    ],
)
def test_numbers_and_markers_are_unified_only_in_number_positions(raw, normalised):
    assert normalise_address(raw) == normalised


def test_prefixes_are_only_stripped_when_given():
    assert normalise_address("上海市奉贤区育秀路100弄") == "上海市奉贤区育秀路100弄"
    assert normalise_address("上海市奉贤区育秀路100弄", ("上海市", "奉贤区")) == "育秀路100弄"
    assert parse_address("上海市奉贤区育秀路100弄").road == "上海市奉贤区育秀路"


def test_the_area_is_kept_but_not_part_of_the_key():
    parts = parse_address("奉贤区南桥镇贝港居委育秀路100弄12号401室", strip_prefixes=PREFIXES)
    assert parts == AddressParts(
        area="南桥镇贝港居委", road="育秀路", lane="100弄", number="12号", room="401室"
    )
    assert parts.key() == YUXIU_401


def test_an_empty_address_has_no_parts():
    assert parse_address("  ") == AddressParts()
    assert AddressParts().key() == "|||||"
