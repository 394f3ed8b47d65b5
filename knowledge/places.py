"""Places a litigant names, and what each is the place of.

"他家在达旗", "在东胜出的车祸", "房子在伊旗", "公司在康巴什": the court finder
(knowledge.court_finder) needs the banner/district and its role — the
defendant's home, the accident place, where the property lies, where the
contract was performed, where the employer is. The role is read from cue words
in the same clause (split at punctuation and spaces), the nearest cue first; a
clause that says who lives there ("我住东胜", "对方住准旗") gives a home of the
plaintiff or of the other side.

The nine Ordos banners/districts and their short names are data
(knowledge/data/court_finder.yaml). Outside Ordos only a fixed list of
provinces and cities is recognised, plus words such as "外地"; a place not in
either list is not seen (and the finder asks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from knowledge.loader import KnowledgeDataError, load_data

#: The roles a place can have, as the court finder's rules name them.
ROLES: tuple[str, ...] = (
    "defendant_home",
    "plaintiff_home",
    "deceased_home",
    "accident",
    "property",
    "employer",
    "work_place",
    "performance",
    "use_place",
    "sale_place",
    "event",
    "agency",
    "arbitration",
    "court_named",
    "unknown",
)

#: Provinces, Inner Mongolia's other cities and a few neighbours: outside Ordos.
OUTSIDE_NAMES: tuple[str, ...] = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "呼和浩特",
    "呼市",
    "包头",
    "乌海",
    "赤峰",
    "通辽",
    "呼伦贝尔",
    "巴彦淖尔",
    "乌兰察布",
    "兴安盟",
    "锡林郭勒",
    "阿拉善",
    "榆林",
    "神木",
    "府谷",
    "银川",
    "西安",
    "太原",
    "大同",
)
#: Words that say "somewhere outside Ordos" without naming it.
OUTSIDE_WORDS: tuple[str, ...] = (
    "不在鄂尔多斯",
    "鄂尔多斯以外",
    "鄂尔多斯外面",
    "外地",
    "外省",
    "外市",
    "省外",
    "市外",
    "区外",
    "外盟市",
    "别的城市",
    "其他城市",
    "其他地方",
    "别的地方",
    "不在本地",
)
#: Ordos as a whole: a place in Ordos, but which banner/district is still unknown.
ORDOS_WORDS: tuple[str, ...] = ("鄂尔多斯市", "鄂尔多斯", "本地", "本市")
#: After a place, these make it a court's name ("东胜法院") or where the litigant would sue
#: ("能在东胜告吗"), not a place of the case.
_COURT_TAIL = re.compile(r"^(?:区|旗)?(?:人民)?法院|^中院|^(?:这边|那边)?(?:告|起诉|立案|打官司)")
#: Clause boundaries: punctuation, spaces and "但/可是/而且".
_CLAUSE = re.compile(r"[，,。．.！!？?；;、\s]+|但是|可是|不过|而且")
#: "欠我钱的", "撞我的": the other side, though the words contain 我.
_OTHER_WITH_ME = re.compile(r"(?:欠|借|打|撞|骂|告|坑|骗|租给|卖给|雇|拖欠)(?:了)?(?:我|俺|额)")
_ME = re.compile(r"我|俺|额|本人|咱")
_OTHER = re.compile(
    r"他|她|对方|被告|那人|那个人|那家|这人|那边|欠钱的|借钱的|人家|老公|老婆|前夫|前妻|男方|女方|"
    r"发包方|开发商|物业|房东|卖家|商家|店家|银行|保险公司|肇事|司机"
)
#: Cue → role, most specific first; each matched in the clause, the nearest to the place wins.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("arbitration", re.compile(r"仲裁")),
    ("accident", re.compile(r"车祸|事故|撞|追尾|剐蹭|刮蹭|翻车")),
    ("deceased_home", re.compile(r"去世|过世|走之前|生前|死前|死的时候|老人|被继承人")),
    (
        "property",
        re.compile(
            r"房子|房屋|房产|楼房|住房|门面|商铺|铺子|小区|宅基地|土地|草场|草原|地块|"
            r"工地|项目|工程|不动产|遗产|楼上|楼下|院子"
        ),
    ),
    ("agency", re.compile(r"政府|局|城管|派出所|公安|交警|税务|市场监管|人社|机关|苏木|镇政府")),
    ("employer", re.compile(r"公司|单位|厂|老板|企业|煤矿|矿上|店里|饭店|工厂|雇主")),
    ("use_place", re.compile(r"租的(?:车|设备|机器|挖机|铲车)|(?:车|设备|机器)在.{0,6}用")),
    ("sale_place", re.compile(r"买的|购买|买了|卖的")),
    ("performance", re.compile(r"履行|交货|送货|供货|发货|收货|付款地|干的活")),
    ("work_place", re.compile(r"干活|上班|打工|工作")),
    ("event", re.compile(r"打|伤|骂|造谣|发生|出的事|出事|侮辱|诽谤|偷|抢")),
    (
        "home",
        re.compile(
            r"住|家在|家是|户口|户籍|人在|居住|老家|生活|在.{0,4}呢|是.{0,6}的人|是.{0,6}人"
        ),
    ),
)


@dataclass(frozen=True)
class Place:
    """A place as the litigant named it, in Ordos or not."""

    name: str  # canonical: "达拉特旗", "包头", "外地", "鄂尔多斯市"
    court: str | None  # the code of its basic court (Ordos banners/districts only)
    outside: bool  # outside Ordos

    @property
    def known(self) -> bool:
        """An Ordos banner/district whose court is known."""
        return self.court is not None


@dataclass(frozen=True)
class Mention:
    place: Place
    role: str
    start: int
    end: int
    said: str  # the words as typed ("达旗")


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[Place, ...]
    names: dict[str, Place]
    pattern: re.Pattern[str]

    def by_name(self, name: str) -> Place | None:
        return self.names.get(name)


def gazetteer_from(raw: Any) -> Gazetteer:
    """The place names of court_finder.yaml ``places`` plus the fixed outside list."""
    items = raw.get("places") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeDataError("knowledge/data/court_finder.yaml: 缺少 places 列表")
    names: dict[str, Place] = {}
    ordos: list[Place] = []
    for i, item in enumerate(items):
        origin = f"knowledge/data/court_finder.yaml places[{i}]"
        if not isinstance(item, dict) or not item.get("name") or not item.get("court"):
            raise KnowledgeDataError(f"{origin}: 需要 name 和 court")
        place = Place(str(item["name"]), str(item["court"]), outside=False)
        ordos.append(place)
        for said in (place.name, *(item.get("short_names") or [])):
            if said in names:
                raise KnowledgeDataError(f"{origin}: 地名“{said}”重复")
            names[str(said)] = place
    for said in ORDOS_WORDS:
        names[said] = Place("鄂尔多斯市", None, outside=False)
    for said in OUTSIDE_NAMES:
        names[said] = Place(said, None, outside=True)
    for said in OUTSIDE_WORDS:
        names[said] = Place("鄂尔多斯以外", None, outside=True)
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in ordered))
    return Gazetteer(tuple(ordos), names, pattern)


@cache
def load_gazetteer() -> Gazetteer:
    return gazetteer_from(load_data("court_finder.yaml"))


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    right = len(text)
    for boundary in _CLAUSE.finditer(text):
        if boundary.end() <= start:
            left = boundary.end()
        elif boundary.start() >= end:
            right = boundary.start()
            break
    return left, right


def _who(before: str, clause: str) -> str | None:
    """Whose home: "plaintiff" for 我, "other" for 他/对方, None when the clause says neither."""
    before = _OTHER_WITH_ME.sub("某", before)
    clause = _OTHER_WITH_ME.sub("某", clause)
    me = [m.end() for m in _ME.finditer(before)]
    other = [m.end() for m in _OTHER.finditer(before)]
    if me or other:
        return "plaintiff" if max(me, default=-1) > max(other, default=-1) else "other"
    if _OTHER.search(clause):
        return "other"
    if _ME.search(clause):
        return "plaintiff"
    return None


def _role(text: str, start: int, end: int) -> str:
    if _COURT_TAIL.match(text[end:]):
        return "court_named"
    left, right = _clause_bounds(text, start, end)
    clause = text[left:right]
    at, to = start - left, end - left
    best: tuple[int, str] | None = None
    for role, cue in _CUES:
        for found in cue.finditer(clause):
            if found.start() < to and found.end() > at:
                continue  # the cue is inside the place name itself
            distance = at - found.end() if found.end() <= at else found.start() - to
            if best is None or distance < best[0]:
                best = (distance, role)
        if best is not None and role != "home":
            break  # the most specific cue present wins over a nearer generic one
    who = _who(clause[:at], clause)
    if best is None or best[1] == "home":
        if who == "plaintiff":
            return "plaintiff_home"
        if who == "other" or best is not None:
            return "defendant_home"
        return "unknown"
    role = best[1]
    if role == "work_place" and who == "other":
        return "unknown"  # where the other side works is no court's connecting place
    if role == "event" and who == "plaintiff" and _ME.search(clause[to:]) is None:
        return "event"
    return role


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[Mention]:
    """Every place named in ``text`` with its role, in order."""
    gaz = gazetteer or load_gazetteer()
    found: list[Mention] = []
    for match in gaz.pattern.finditer(text):
        place = gaz.names[match.group(0)]
        role = _role(text, match.start(), match.end())
        found.append(Mention(place, role, match.start(), match.end(), match.group(0)))
    return found


def place_named(text: str, gazetteer: Gazetteer | None = None) -> Place | None:
    """The one place a short answer names ("达旗", "在包头", "不在鄂尔多斯"), if exactly one."""
    places = {m.place for m in find_places(text, gazetteer) if m.role != "court_named"}
    return places.pop() if len(places) == 1 else None
