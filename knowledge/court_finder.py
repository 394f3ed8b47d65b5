"""The court finder: from a dispute's jurisdiction rule and the places named, the court(s).

"欠钱的住达旗" under the general rule → 达拉特旗人民法院; "在东胜出的车祸，对方住达旗"
→ 东胜区 or 达拉特旗 (the plaintiff chooses, CPL art.36); "房子在伊旗" for a house
lease → 伊金霍洛旗人民法院 whatever the contract says (exclusive, CPL art.34). The
rules are data (knowledge/data/court_finder.yaml, shared/domain/disputes.md §1.1,
§1.2, §1.4) with their article and source; the places are the nine Ordos
banners/districts (knowledge.places), each mapped to its basic court in the court
directory. A place outside Ordos gets the court by rule in words
("被告住所地的基层人民法院") and the flow offers 跨域立案. Ordinary first-instance
civil cases go to the basic court (disputes.md §1.2); the intermediate court only
where a rule says so (suits against a county-level-or-above government, setting
aside a final labour award).

Which 人民法庭 of a basic court covers which street or sumu is local knowledge the
finder does not have (以法院公告为准).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from knowledge.courts import Court, CourtDirectory, load_court_directory
from knowledge.loader import KnowledgeDataError, Tag, check_tag, load_data
from knowledge.places import ROLES, Gazetteer, Place, gazetteer_from

_DATA = "knowledge/data/court_finder.yaml"
#: The code of the Ordos Intermediate Court in the directory.
INTERMEDIATE = "内06"
#: Other names of rules (knowledge/disputes.py COURT_RULES uses crime_place).
ALIASES = {"crime_place": "private_prosecution", "general": "defendant_domicile"}
#: When a rule's own place was not named, a place of these roles stands for it:
#: a company's seat is its domicile, an accident is the act place of a tort, the
#: litigant's own home is the buyer's / insured's / victim's / receiving party's.
STANDS_FOR: dict[str, tuple[str, ...]] = {
    "defendant_home": ("employer", "agency"),
    "employer": ("defendant_home",),
    "agency": ("defendant_home",),
    "event": ("accident",),
    "accident": ("event",),
    "buyer_home": ("plaintiff_home",),
    "insured_home": ("plaintiff_home",),
    "victim_home": ("plaintiff_home",),
    "plaintiff_home_money": ("plaintiff_home",),
    "use_place": ("performance",),
    "work_place": ("performance",),
    "sale_place": ("performance",),
}
#: Rule roles beyond those of knowledge.places (the litigant's home in its capacities).
_RULE_ROLES = frozenset(ROLES) | {
    "buyer_home",
    "insured_home",
    "victim_home",
    "plaintiff_home_money",
}
#: The name of an unnamed place outside Ordos ("外地", "不在鄂尔多斯").
GENERIC_OUTSIDE = "鄂尔多斯以外"
#: The reminder every answer carries.
REMINDER = "具体以法院立案审查为准。"


@dataclass(frozen=True)
class Rule:
    key: str
    text: str
    basis: str
    roles: tuple[str, ...]
    labels: dict[str, str]
    ask: str
    exclusive: bool
    level: str  # basic | intermediate
    tag: Tag
    source: str

    def label(self, role: str) -> str:
        return self.labels.get(role, role)


@dataclass(frozen=True)
class Competent:
    """One competent court, or for a place outside Ordos the court by rule in words."""

    role: str
    label: str  # "被告住所地"
    place: Place
    court: Court | None  # None outside Ordos
    by_rule: str  # "被告住所地的基层人民法院"


@dataclass(frozen=True)
class Finding:
    rule: Rule
    courts: tuple[Competent, ...]  # in Ordos, one per court
    outside: tuple[Competent, ...]  # places outside Ordos
    #: The role to ask about when no place of the rule is known (or only "鄂尔多斯").
    missing: str | None
    #: Short procedural notes (agreement vs exclusive jurisdiction, level, several courts).
    notes: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.courts or self.outside)


def _text(raw: dict[str, Any], key: str, origin: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeDataError(f"{origin}: 缺少 {key}")
    return value.strip()


def _rule(key: str, raw: Any) -> Rule:
    origin = f"{_DATA} rules.{key}"
    if not isinstance(raw, dict):
        raise KnowledgeDataError(f"{origin}: 应为映射")
    roles = raw.get("roles")
    if not isinstance(roles, list) or not roles:
        raise KnowledgeDataError(f"{origin}: roles 应为非空列表")
    unknown = [r for r in roles if r not in _RULE_ROLES]
    if unknown:
        raise KnowledgeDataError(f"{origin}: 不认识的 roles {'、'.join(map(str, unknown))}")
    labels = raw.get("labels")
    if not isinstance(labels, dict) or set(labels) != set(roles):
        raise KnowledgeDataError(f"{origin}: labels 应为每个 role 的名称")
    ask = raw.get("ask")
    if ask not in roles:
        raise KnowledgeDataError(f"{origin}: ask 应为 roles 之一")
    level = raw.get("level", "basic")
    if level not in ("basic", "intermediate"):
        raise KnowledgeDataError(f"{origin}: level 应为 basic 或 intermediate")
    return Rule(
        key=key,
        text=_text(raw, "text", origin),
        basis=_text(raw, "basis", origin),
        roles=tuple(str(r) for r in roles),
        labels={str(k): str(v) for k, v in labels.items()},
        ask=str(ask),
        exclusive=bool(raw.get("exclusive", False)),
        level=str(level),
        tag=check_tag(raw.get("tag"), origin),
        source=_text(raw, "source", origin),
    )


@dataclass(frozen=True)
class CourtFinder:
    rules: dict[str, Rule]
    directory: CourtDirectory
    gazetteer: Gazetteer

    def rule(self, key: str) -> Rule:
        """The rule of ``key`` (or an alias such as crime_place); KeyError when unknown."""
        return self.rules[ALIASES.get(key, key)]

    def has_rule(self, key: str) -> bool:
        return ALIASES.get(key, key) in self.rules

    def court_of(self, place: Place) -> Court | None:
        """The basic court of an Ordos banner/district."""
        return self.directory.by_code(place.court) if place.court else None

    def find(
        self,
        rule_key: str,
        places: Iterable[tuple[str, Place]],
        *,
        government: bool = False,
        agreement: bool = False,
        amount: float | None = None,
    ) -> Finding:
        """The competent court(s) under ``rule_key`` for the (role, place) pairs given.

        ``government``: the defendant agency is a county-level-or-above government
        (administrative suits → the intermediate court, ALL art.15). ``agreement``:
        the litigant mentions a jurisdiction clause (never against an exclusive rule,
        CPL art.35). ``amount``: the amount in dispute, for the level note.
        """
        rule = self.rule(rule_key)
        given = list(places)
        level = "intermediate" if rule.key == "administrative" and government else rule.level
        chosen: list[tuple[str, Place]] = []
        for role in rule.roles:
            own = [p for r, p in given if r == role]
            if not own:
                own = [p for r, p in given if r in STANDS_FOR.get(role, ())]
            chosen += [(role, p) for p in own]
        courts: list[Competent] = []
        outside: list[Competent] = []
        seen: set[str] = set()
        for role, place in chosen:
            label = rule.label(role)
            if place.outside:
                by_rule = f"{label}的{'中级' if level == 'intermediate' else '基层'}人民法院"
                same = next((o for o in outside if o.role == role), None)
                if same is None:
                    outside.append(Competent(role, label, place, None, by_rule))
                elif same.place.name == GENERIC_OUTSIDE:  # "外地" then "河北": the named one
                    outside[outside.index(same)] = Competent(role, label, place, None, by_rule)
                continue
            court = self._court(place, level)
            if court is None:
                continue  # "在鄂尔多斯": which banner/district is not yet known
            if court.code not in seen:
                seen.add(court.code)
                courts.append(Competent(role, label, place, court, court.name))
        missing = None if courts or outside else rule.ask
        notes = self._notes(rule, agreement, amount, level, courts, outside)
        return Finding(rule, tuple(courts), tuple(outside), missing, notes)

    def _court(self, place: Place, level: str) -> Court | None:
        if level == "intermediate":
            return self.directory.by_code(INTERMEDIATE)  # any place in Ordos
        return self.court_of(place)

    def _notes(
        self,
        rule: Rule,
        agreement: bool,
        amount: float | None,
        level: str,
        courts: list[Competent],
        outside: list[Competent],
    ) -> tuple[str, ...]:
        notes: list[str] = []
        if agreement and rule.exclusive:
            notes.append("这是专属管辖，合同里约定别的法院也不能改变（民事诉讼法第35条）。")
        elif agreement and rule.key not in ("administrative", "private_prosecution"):
            notes.append(
                "书面约定了与争议有实际联系的地点的法院的，一般按约定，"
                "但不得违反级别管辖和专属管辖（民事诉讼法第35条）。"
            )
        if rule.key == "inheritance":
            notes.append("继承人之间没有争议的，也可以到公证处办理继承公证（公证法第11条）。")
        if len({c.role for c in (*courts, *outside)}) > 1:
            notes.append("几个法院都有管辖权的，您可以选其中一个起诉（民事诉讼法第36条）。")
        if amount is not None and amount >= 100_000_000 and level == "basic":
            notes.append("标的额特别大（1亿元以上）的，可能由中级法院一审，以法院立案审查为准。")
        return tuple(notes)


#: The rule of each dispute (case_category entity values, disputes.md §1.4).
CATEGORY_RULES: dict[str, str] = {
    "离婚纠纷": "defendant_domicile",
    "民间借贷纠纷": "contract_performance",
    "金融借款合同纠纷": "contract_performance",
    "买卖合同纠纷": "contract_performance",
    "信用卡纠纷": "contract_performance",
    "物业服务合同纠纷": "contract_performance",
    "房屋买卖合同纠纷": "contract_performance",
    "技术合同纠纷": "contract_performance",
    "劳动争议纠纷": "labour_employer",
    "机动车交通事故责任纠纷": "accident_place",
    "财产损失保险合同纠纷": "insurance",
    "人身保险合同纠纷": "insurance",
    "责任保险合同纠纷": "insurance",
    "保证保险合同纠纷": "insurance",
    "融资租赁合同纠纷": "lease_movable",
    "房屋租赁合同纠纷": "immovable_location",
    "建设工程施工合同纠纷": "immovable_location",
    "行政处罚": "administrative",
    "行政强制执行": "administrative",
    "行政许可": "administrative",
    "国有土地上房屋征收决定": "administrative",
    "工伤保险资格或者待遇认定": "administrative",
    "政府信息公开": "administrative",
    "行政复议": "administrative",
    "行政协议": "administrative",
    "行政补偿": "administrative",
    "行政赔偿": "administrative",
    "不履行法定职责": "administrative",
    "侮辱案": "tort_place",
    "诽谤案": "tort_place",
    "重婚案": "private_prosecution",
    "拒不执行判决、裁定案": "private_prosecution",
}
#: The words of a problem → its rule, most specific (exclusive) first.
WORD_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "inheritance",
        (
            "继承",
            "遗产",
            "遗嘱",
            "去世",
            "过世",
            "死后",
            "身后",
            "爸爸走了",
            "妈妈走了",
            "父亲走了",
            "母亲走了",
            "老人走了",
            "爸走了",
            "妈走了",
        ),
    ),
    (
        "immovable_location",
        (
            "房屋租赁",
            "租房",
            "房租",
            "押金",
            "工程款",
            "施工",
            "相邻",
            "漏水",
            "采光",
            "通行",
            "宅基地",
            "土地承包",
            "确权",
            "分割房",
            "不动产",
        ),
    ),
    ("private_prosecution", ("自诉", "刑事")),
    ("administrative", ("政府", "行政", "城管", "民告官", "复议")),
    ("accident_place", ("车祸", "交通事故", "撞", "追尾", "出事故")),
    ("labour_employer", ("工资", "工钱", "劳动", "辞退", "开除", "社保", "加班费", "工伤")),
    ("online_sale", ("网购", "网上买", "淘宝", "京东", "拼多多", "直播间", "快递")),
    ("online_tort", ("网上造谣", "网上骂", "微信群", "朋友圈", "抖音", "快手")),
    ("product_liability", ("产品质量", "质量问题", "假货", "伪劣")),
    ("insurance", ("保险",)),
    (
        "lease_movable",
        ("租车", "租设备", "租机器", "租挖机", "租的车", "租的设备", "租的挖机", "融资租赁"),
    ),
    (
        "tort_place",
        ("打伤", "被打", "受伤", "伤人", "医疗", "医院", "名誉", "造谣", "诽谤", "侮辱"),
    ),
    ("plaintiff_domicile_several", ("赡养", "几个子女", "好几个孩子")),
    ("defendant_domicile", ("离婚", "抚养", "扶养")),
    ("contract_performance", ("借", "欠", "货款", "合同", "物业", "买卖", "还钱", "欠款")),
)
#: Earlier topics (procedure keys and the dispute paths' keys) → rule.
TOPIC_RULES: dict[str, str] = {
    "file_administrative_case": "administrative",
    "file_criminal_private": "private_prosecution",
    "labor_arbitration": "labour_employer",
    "labour": "labour_employer",
    "labour_award": "labour_employer",
    "work_injury": "administrative",
    "divorce": "defendant_domicile",
    "private_loan": "contract_performance",
    "house_lease": "immovable_location",
    "property_fee": "contract_performance",
    "sale": "contract_performance",
    "consumer": "online_sale",
    "traffic": "accident_place",
    "injury": "tort_place",
    "neighbour": "immovable_location",
    "inheritance": "inheritance",
    "support": "defendant_domicile",
    "construction": "immovable_location",
    "service_contract": "contract_performance",
    "reputation": "tort_place",
    "administrative": "administrative",
    "private_prosecution": "private_prosecution",
}


def rule_for(text: str, category: str | None = None, topic: str | None = None) -> str | None:
    """The rule the words of the message (or its dispute, or the last topic) call for.

    Words of an exclusive rule win over the dispute's own rule ("房子租的 押金不退" is a
    house lease); an online defamation is an online tort; None when nothing says.
    """
    words = next((rule for rule, cues in WORD_RULES if any(c in text for c in cues)), None)
    if words in ("inheritance", "immovable_location", "private_prosecution"):
        return words
    by_category = CATEGORY_RULES.get(category or "")
    if by_category == "tort_place" and ("网上" in text or "网络" in text):
        return "online_tort"
    if by_category is not None and words in (None, "contract_performance", "tort_place"):
        return by_category
    if words is not None:
        return words
    if by_category is not None:
        return by_category
    topic = (topic or "").removeprefix("dispute:")  # the dispute paths' topics
    return TOPIC_RULES.get(topic)


def finder_from(raw: Any, directory: CourtDirectory) -> CourtFinder:
    """Build the finder from parsed court_finder.yaml content; every place's court must
    be a basic court of the directory."""
    rules_raw = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(rules_raw, dict) or not rules_raw:
        raise KnowledgeDataError(f"{_DATA}: 缺少 rules")
    rules = {str(key): _rule(str(key), value) for key, value in rules_raw.items()}
    gazetteer = gazetteer_from(raw)
    for place in gazetteer.places:
        court = directory.by_code(place.court or "")
        if court is None or court.level != "basic":
            raise KnowledgeDataError(
                f"{_DATA} places {place.name}: {place.court} 不是名录中的基层法院"
            )
    if directory.by_code(INTERMEDIATE) is None:
        raise KnowledgeDataError(f"{_DATA}: 名录中没有中级法院 {INTERMEDIATE}")
    return CourtFinder(rules, directory, gazetteer)


@cache
def load_court_finder() -> CourtFinder:
    return finder_from(load_data("court_finder.yaml"), load_court_directory())
