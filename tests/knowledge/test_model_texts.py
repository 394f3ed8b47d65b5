"""The 67 model complaint/defence texts: the official list, links, and finding a text
from the words a litigant actually types."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from knowledge.loader import KnowledgeDataError, load_data
from knowledge.model_texts import load_model_texts, model_texts_from

CONFIG = Path(__file__).resolve().parents[2] / "config"

#: facts.md §1.3, in the official attachment order.
OFFICIAL_NAMES = [
    "离婚纠纷", "民间借贷纠纷", "金融借款合同纠纷", "买卖合同纠纷", "劳动争议纠纷",
    "机动车交通事故责任纠纷", "信用卡纠纷", "物业服务合同纠纷", "财产损失保险合同纠纷",
    "证券虚假陈述责任纠纷", "保证保险合同纠纷", "融资租赁合同纠纷", "房屋买卖合同纠纷",
    "房屋租赁合同纠纷", "建设工程施工合同纠纷", "人身保险合同纠纷", "责任保险合同纠纷",
    "强制执行申请书", "暂时解除乘坐飞机、高铁限制措施申请书", "参与分配申请书",
    "执行担保申请书", "确认优先购买权申请书", "执行异议申请书", "执行复议申请书",
    "执行监督申请书", "不予执行仲裁裁决、调解书或公证债权文书申请书",
    "行政处罚", "行政强制执行", "行政许可", "国有土地上房屋征收决定",
    "工伤保险资格或者待遇认定", "政府信息公开", "行政复议", "行政协议", "行政补偿",
    "行政赔偿", "不履行法定职责",
    "侮辱案", "诽谤案", "重婚案", "拒不执行判决、裁定案",
    "侵害商标权纠纷", "侵害发明专利权纠纷", "侵害外观设计专利权纠纷", "侵害植物新品种权纠纷",
    "侵害著作权及邻接权纠纷", "技术合同纠纷", "不正当竞争纠纷", "垄断纠纷（民事）",
    "侵害商业秘密纠纷",
    "商标申请驳回复审（行政纠纷）", "商标撤销复审行政纠纷", "商标无效行政纠纷",
    "专利申请驳回复审行政纠纷", "专利无效行政纠纷", "垄断纠纷（行政）",
    "环境污染民事公益诉讼", "生态破坏民事公益诉讼", "生态环境损害赔偿诉讼",
    "违法刑事拘留赔偿", "刑事改判无罪赔偿", "怠于履行监管职责致伤致死赔偿", "错误执行赔偿",
    "船舶碰撞损害责任纠纷", "海上、通海水域人身损害责任纠纷",
    "海上、通海水域货运代理合同纠纷", "船员劳务合同纠纷",
]  # fmt: skip

FIRST_BATCH = {1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}


def test_all_67_texts_in_the_official_order() -> None:
    texts = load_model_texts().all()
    assert [t.number for t in texts] == list(range(1, 68))
    assert [t.name for t in texts] == OFFICIAL_NAMES


def test_nine_fields_with_their_sizes_and_names() -> None:
    catalogue = load_model_texts()
    sizes = {g.key: sum(1 for t in catalogue.all() if t.group == g.key) for g in catalogue.groups}
    assert sizes == {"A": 17, "B": 9, "C": 11, "D": 4, "E": 9, "F": 6, "G": 3, "H": 4, "I": 4}
    names = [g.name for g in catalogue.groups]
    assert names == [
        "民事/商事", "执行", "行政", "刑事自诉", "知识产权·民事",
        "知识产权·行政", "环境资源", "国家赔偿", "海事",
    ]  # fmt: skip
    assert catalogue.by_number(42) is not None
    assert catalogue.by_number(42).group_name == "知识产权·民事"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("number", "documents"),
    [
        (2, ("民事起诉状", "民事答辩状")),
        (18, ("申请书",)),
        (27, ("行政起诉状", "行政答辩状")),
        (38, ("刑事（附带民事）自诉状", "自诉答辩状")),
        (51, ("行政起诉状", "第三人意见陈述书")),
        (57, ("民事起诉状",)),
        (60, ("国家赔偿申请书", "答辩状")),
        (67, ("民事起诉状",)),
    ],
)
def test_each_field_names_the_documents_it_uses(number: int, documents: tuple[str, ...]) -> None:
    text = load_model_texts().by_number(number)
    assert text is not None and text.documents == documents


def test_the_eleven_first_batch_texts_are_starred() -> None:
    texts = load_model_texts().all()
    assert {t.number for t in texts if t.first_batch} == FIRST_BATCH
    assert load_model_texts().by_number(1).title == "1. 离婚纠纷★"  # type: ignore[union-attr]
    assert load_model_texts().by_number(9).title == "9. 财产损失保险合同纠纷"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("银行信用卡纠纷", 7),
        ("劳动争议", 5),
        ("劳动争议纠纷", 5),
        ("民间借贷", 2),
        ("离婚纠纷起诉状", 1),
        ("机动车交通事故责任", 6),
        ("侮辱", 38),
        ("垄断纠纷（行政）", 56),
        ("垄断纠纷(民事)", 49),
        ("强制执行申请书", 18),
        (" 信用卡纠纷 ", 7),
    ],
)
def test_by_name_accepts_former_names_and_light_variants(name: str, number: int) -> None:
    text = load_model_texts().by_name(name)
    assert text is not None and text.number == number


def test_former_names_are_recorded() -> None:
    catalogue = load_model_texts()
    assert catalogue.by_number(7).former_names == ("银行信用卡纠纷",)  # type: ignore[union-attr]
    assert catalogue.by_number(5).former_names == ("劳动争议",)  # type: ignore[union-attr]


def test_by_name_refuses_an_ambiguous_or_unknown_name() -> None:
    catalogue = load_model_texts()
    assert catalogue.by_name("垄断纠纷") is None  # civil or administrative?
    assert catalogue.by_name("合同纠纷") is None
    assert catalogue.by_name("") is None


def test_every_text_has_a_source_tag_and_several_everyday_words() -> None:
    for text in load_model_texts().all():
        assert text.source and text.tag == "S"
        assert len(text.keywords) >= 4, text.name


def test_descriptions_only_where_the_facts_support_them() -> None:
    described = {t.number: t.description for t in load_model_texts().all() if t.description}
    assert set(described) == {18, 23, 24, 37, 38, 39, 40}
    assert "2年" in described[18].text and described[18].source.startswith("CPL art.250")
    assert "10日" in described[24].text
    assert all(d.tag == "V" for d in described.values())


def test_general_facts_about_the_texts() -> None:
    catalogue = load_model_texts()
    issuers = catalogue.fact("issuers")
    assert issuers is not None
    assert all(body in issuers.text for body in ("最高人民法院", "司法部", "中华全国律师协会"))
    assert "法〔2025〕82号" in issuers.text
    rollout = catalogue.fact("rollout")
    assert rollout is not None and "2025年7月14日" in rollout.text
    voluntary = catalogue.fact("voluntary")
    assert voluntary is not None and "积极引导、尊重选择" in voluntary.text
    where = catalogue.fact("where")
    assert where is not None
    assert all(w in where.text for w in ("人民法院在线服务", "文书模板", "诉讼服务中心", "帮"))
    assert all(f.source and f.tag == "S" for f in catalogue.facts)


# --- links ------------------------------------------------------------------


def test_default_links_point_to_our_own_pages() -> None:
    texts = load_model_texts(None, "https://yc.court.test/").all()
    assert [t.url for t in texts] == [f"https://yc.court.test/templates/{n}" for n in range(1, 68)]
    assert not any(t.url_configured for t in texts)
    assert load_model_texts().by_number(3).url == "http://127.0.0.1:8000/templates/3"  # type: ignore[union-attr]


def test_shipped_config_sets_no_link() -> None:
    texts = load_model_texts(CONFIG, "http://127.0.0.1:8000").all()
    assert all(t.url == f"http://127.0.0.1:8000/templates/{t.number}" for t in texts)


def test_court_can_override_a_link_and_the_base_url(tmp_path: Path) -> None:
    (tmp_path / "model_texts.yaml").write_text(
        "base_url: https://fy.court.test/yc/\n"
        "urls:\n  2: https://fy.court.test/files/minjian.docx\n",
        encoding="utf-8",
    )
    catalogue = load_model_texts(tmp_path, "http://127.0.0.1:8000")
    loan = catalogue.by_number(2)
    assert loan is not None
    assert loan.url == "https://fy.court.test/files/minjian.docx" and loan.url_configured
    assert catalogue.by_number(1).url == "https://fy.court.test/yc/templates/1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("urls:\n  68: https://fy.court.test/a.docx\n", "urls.68"),
        ("urls:\n  one: https://fy.court.test/a.docx\n", "urls.one"),
        ("urls:\n  1: ftp://fy.court.test/a.docx\n", "urls.1"),
        ("urls:\n  1: 法院网站\n", "urls.1"),
        ("base_url: www.court.test\n", "base_url"),
        ("link: https://fy.court.test\n", "link"),
        ("urls: [https://fy.court.test]\n", "urls"),
    ],
)
def test_a_bad_court_config_names_the_file_and_item(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "model_texts.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeDataError) as error:
        load_model_texts(tmp_path, "http://127.0.0.1:8000")
    assert "model_texts.yaml" in str(error.value) and message in str(error.value)


def test_a_bad_public_base_url_is_reported() -> None:
    with pytest.raises(KnowledgeDataError, match="YICHUANG_PUBLIC_BASE_URL"):
        load_model_texts(None, "127.0.0.1:8000")


# --- the data file is checked at load time ----------------------------------


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(load_data("model_texts.yaml"))
    return raw


def test_a_keyword_may_belong_to_one_text_only() -> None:
    raw = _raw()
    raw["texts"][0]["keywords"].append("借钱不还")
    with pytest.raises(KnowledgeDataError, match=r"\(民间借贷纠纷\).*借钱不还.*第1号"):
        model_texts_from(raw)


def test_a_keyword_may_not_be_another_texts_name() -> None:
    raw = _raw()
    raw["texts"][0]["keywords"].append("民间借贷")
    with pytest.raises(KnowledgeDataError, match="民间借贷"):
        model_texts_from(raw)


def test_group_sizes_are_checked() -> None:
    raw = _raw()
    raw["texts"][17]["group"] = "A"
    with pytest.raises(KnowledgeDataError, match=r"groups\.A"):
        model_texts_from(raw)


def test_numbers_must_follow_the_official_order() -> None:
    raw = _raw()
    raw["texts"][1]["number"] = 3
    with pytest.raises(KnowledgeDataError, match=r"texts\[1\] \(民间借贷纠纷\).*number"):
        model_texts_from(raw)


def test_a_missing_tag_is_an_error() -> None:
    raw = _raw()
    del raw["texts"][4]["tag"]
    with pytest.raises(KnowledgeDataError, match="劳动争议纠纷"):
        model_texts_from(raw)


# --- matching everyday words ------------------------------------------------

EVERYDAY = [
    ("朋友借我5万一直拖着不还", 2),
    ("表哥找我借了两万块钱到现在没还", 2),
    ("手里有他写的借条，可他就是赖着不给", 2),
    ("去年借给同事三万块现在联系不上", 2),
    ("跟老公感情不和，想去法院起诉离婚", 1),
    ("和老婆实在过不下去了，孩子的抚养权怎么争", 1),
    ("骑电瓶车回家路上被一辆小轿车撞了", 6),
    ("开货车跑运输不小心撞了人，对方要我赔", 6),
    ("公司已经三个月没发工资了", 5),
    ("干了半年突然被老板辞退了，一分补偿没有", 5),
    ("劳动仲裁裁决下来了我不服", 5),
    ("刷信用卡欠了银行几万块还不上了", 7),
    ("物业天天上门催我交钱，可小区根本没人管", 8),
    ("银行说我房贷断供要起诉我", 3),
    ("买的二手车有问题，卖家不认账", 4),
    ("开发商一直不给办房产证", 13),
    ("租的房子到期了，房东押金扣着不给", 14),
    ("给人家盖楼的包工头欠我们钱跑了", 15),
    ("我妈买的重疾险，查出癌症保险公司不赔", 16),
    ("公司给员工买了雇主险，出事了保险公司拒赔", 17),
    ("官司打赢了对方还是一分钱不给", 18),
    ("被法院列入限制高消费，下周要出差坐高铁", 19),
    ("法拍房我作为承租人想优先买", 22),
    ("法院把我的车查封了，可车不是欠债人的", 23),
    ("异议被法院驳回了还能怎么办", 24),
    ("法院立案执行都半年了一直没动静", 25),
    ("对方拿着公证过的借款合同申请强制执行，我想申请不予执行", 26),
    ("交警罚了我两百块，我不服", 27),
    ("去市场监管局办许可证一直不批", 29),
    ("我家老房子要被征收了，我不同意", 30),
    ("在工地上摔伤了，人社局说不算工伤", 31),
    ("去政府申请公开拆迁的文件一直不给", 32),
    ("行政复议维持了原来的处罚，我还想告", 33),
    ("拆迁给的补偿太少了", 35),
    ("要求政府对强拆造成的损失进行赔偿", 36),
    ("举报邻居乱搭乱建，城管一直不管", 37),
    ("有人在微信群里辱骂我，还发了截图", 38),
    ("他在村里到处说我偷东西，败坏我名声", 39),
    ("我老公在外面又结婚了还生了孩子", 40),
    ("对方有能力履行判决但就是拒不执行，能告他坐牢吗", 41),
    ("人家公司用了跟我们一样的商标卖货", 42),
    ("我的原创文章被别人抄袭了", 46),
    ("离职员工把我们的客户名单带走了", 50),
    ("我的商标注册申请被驳回了", 51),
    ("化工厂往河里偷偷排污水", 57),
    ("有人在河道里私自采砂", 58),
    ("被关了一个月，后来说抓错人了", 60),
    ("坐了十年牢，后来再审改判无罪了", 61),
    ("我弟弟在看守所里被同监室的人打伤了", 62),
    ("我们在船上打工两个月，船老板不给工钱", 67),
]


@pytest.mark.parametrize(("query", "number"), EVERYDAY)
def test_everyday_words_find_the_right_text(query: str, number: int) -> None:
    matches = load_model_texts().match(query)
    assert matches, query
    assert matches[0].text.number == number, [(m.text.name, m.matched_words) for m in matches]
    assert matches[0].matched_words


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("朋友借我5万不还", 2),
        ("离婚要写什么", 1),
        ("对方不履行判决", 18),
        ("被车撞了", 6),
        ("房东不退押金", 14),
        ("限高了还能坐飞机吗", 19),
        ("罚款不服", 27),
        ("工伤认定不服", 31),
        ("有人在网上造谣我", 39),
    ],
)
def test_the_briefs_examples(query: str, number: int) -> None:
    assert load_model_texts().match(query)[0].text.number == number


@pytest.mark.parametrize(
    "query",
    ["今天天气怎么样", "你好", "谢谢", "我要立案", "开庭时间是几点", "怎么交诉讼费", "", "！？"],
)
def test_nothing_sensible_gives_no_match(query: str) -> None:
    assert load_model_texts().match(query) == []


def test_an_exact_name_wins_outright() -> None:
    matches = load_model_texts().match("房屋买卖合同纠纷")
    assert [m.text.number for m in matches] == [13]
    assert matches[0].basis == "exact" and matches[0].score == 1000


def test_former_names_match_exactly() -> None:
    match = load_model_texts().match("银行信用卡纠纷")[0]
    assert match.text.name == "信用卡纠纷" and match.basis == "exact"


def test_an_ambiguous_name_offers_both_texts() -> None:
    assert [m.text.number for m in load_model_texts().match("垄断纠纷")] == [49, 56]


def test_a_longer_word_beats_the_shorter_word_inside_it() -> None:
    # "船被撞" (ship collision) contains "被撞" (traffic accident).
    assert [m.text.number for m in load_model_texts().match("我家的船被撞了")] == [64]
    # "行政强制执行" contains "强制执行" (enforcement application).
    assert load_model_texts().match("行政强制执行怎么起诉")[0].text.number == 28


def test_match_explains_itself_and_respects_the_limit() -> None:
    catalogue = load_model_texts()
    matches = catalogue.match("去政府申请公开拆迁的文件一直不给")
    assert [(m.text.number, m.matched_words) for m in matches] == [
        (32, ("申请公开",)),
        (30, ("拆迁",)),
    ]
    assert matches[0].basis == "keyword" and matches[0].score > matches[1].score
    assert len(catalogue.match("国家赔偿", limit=4)) == 4
    assert len(catalogue.match("国家赔偿", limit=1)) == 1
    assert catalogue.match("国家赔偿") == catalogue.match("国家赔偿")
    with pytest.raises(ValueError):
        catalogue.match("离婚", limit=0)


def test_a_name_in_a_sentence_is_a_name_match() -> None:
    match = load_model_texts().match("民间借贷纠纷的起诉状在哪里下载")[0]
    assert match.text.number == 2 and match.basis == "name"
    assert match.matched_words == ("民间借贷纠纷",)


def test_shared_two_character_words_are_the_last_resort() -> None:
    matches = load_model_texts().match("保险公司不赔")
    assert matches and all(m.basis == "partial" for m in matches)
    assert all("保险" in m.text.name for m in matches)


def test_full_width_and_spaces_do_not_matter() -> None:
    assert load_model_texts().match("信 用 卡 逾 期")[0].text.number == 7
    assert load_model_texts().match("ＰＰＰ项目，政府违约不付钱")[0].text.number == 34


def test_categories_map_names_and_words_to_texts() -> None:
    categories = load_model_texts().categories()
    assert all(categories[name].name == name for name in OFFICIAL_NAMES)
    assert categories["银行信用卡纠纷"].number == 7
    assert categories["劳动争议"].number == 5
    assert categories["借钱不还"].name == "民间借贷纠纷"
    assert categories["车祸"].name == "机动车交通事故责任纠纷"
    assert categories["老赖"].name == "强制执行申请书"
    assert categories["民间借贷"].number == 2
    assert "垄断" not in categories  # ambiguous short form
    assert not any("…" in word for word in categories)
