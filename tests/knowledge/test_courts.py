"""The Ordos court directory: lookups by the names people use, and configured contacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.courts import load_court_directory
from knowledge.loader import KnowledgeDataError

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_directory_has_the_eleven_ordos_courts() -> None:
    courts = load_court_directory().all()
    assert len(courts) == 11
    assert [c.code for c in courts] == [
        "内", "内06", "内0602", "内0603", "内0621", "内0622",
        "内0623", "内0624", "内0625", "内0626", "内0627",
    ]  # fmt: skip
    assert all(c.admin_code == "15" + (c.code[1:] + "0000")[:4] for c in courts)


@pytest.mark.parametrize(
    ("code", "name", "tag"),
    [
        ("内", "内蒙古自治区高级人民法院", "S"),
        ("内06", "鄂尔多斯市中级人民法院", "I"),
        ("内0602", "鄂尔多斯市东胜区人民法院", "I"),
        ("内0603", "鄂尔多斯市康巴什区人民法院", "I"),
        ("内0621", "达拉特旗人民法院", "I"),
        ("内0622", "准格尔旗人民法院", "S"),
        ("内0624", "鄂托克旗人民法院", "S"),
        ("内0627", "伊金霍洛旗人民法院", "I"),
    ],
)
def test_by_code(code: str, name: str, tag: str) -> None:
    court = load_court_directory().by_code(code)
    assert court is not None
    assert (court.name, court.tag) == (name, tag)
    assert court.source


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("东胜法院", "内0602"),
        ("东胜区法院", "内0602"),
        ("东胜区人民法院", "内0602"),
        ("鄂尔多斯市东胜区人民法院", "内0602"),
        ("内蒙古鄂尔多斯市东胜区人民法院", "内0602"),
        ("康巴什法院", "内0603"),
        ("达旗法院", "内0621"),
        ("达拉特旗人民法院", "内0621"),
        ("鄂尔多斯市达拉特旗法院", "内0621"),
        ("准旗法院", "内0622"),
        ("准格尔旗法院", "内0622"),
        ("前旗法院", "内0623"),
        ("鄂前旗法院", "内0623"),
        ("鄂托克旗法院", "内0624"),
        ("杭锦旗法院", "内0625"),
        ("杭旗法院", "内0625"),
        ("乌审旗法院", "内0626"),
        ("乌审法院", "内0626"),
        ("伊旗法院", "内0627"),
        ("伊金霍洛旗人民法院", "内0627"),
        ("中院", "内06"),
        ("市中院", "内06"),
        ("鄂尔多斯中院", "内06"),
        ("鄂尔多斯中级人民法院", "内06"),
        ("鄂尔多斯市中级人民法院", "内06"),
        ("高院", "内"),
        ("内蒙古高院", "内"),
        ("内蒙古自治区高级人民法院", "内"),
        (" 东胜 法院 ", "内0602"),
    ],
)
def test_find_by_name_or_alias(name: str, code: str) -> None:
    court = load_court_directory().find(name)
    assert court is not None and court.code == code


@pytest.mark.parametrize("name", ["东胜", "法院", "人民法院", "鄂尔多斯", "北京市高级人民法院", ""])
def test_find_does_not_guess(name: str) -> None:
    assert load_court_directory().find(name) is None


def test_aliases_map_every_form_longest_first() -> None:
    aliases = load_court_directory().aliases()
    assert aliases["达旗法院"].code == "内0621"
    assert aliases["达旗人民法院"].code == "内0621"
    assert aliases["鄂尔多斯市中级人民法院"].code == "内06"
    assert aliases["中院"].code == "内06"
    lengths = [len(name) for name in aliases]
    assert lengths == sorted(lengths, reverse=True)
    # every court's official name is an alias of itself
    for court in load_court_directory().all():
        assert aliases[court.name] is court


def test_old_format_abbreviations() -> None:
    directory = load_court_directory()
    by_old = {abbr: directory.by_old_code(abbr) for abbr in ("东法", "鄂", "内", "达法")}
    assert {k: (c.code if c else None) for k, c in by_old.items()} == {
        "东法": "内0602",
        "鄂": "内06",
        "内": "内",
        "达法": None,
    }


def test_shipped_config_has_every_court_and_no_contact() -> None:
    directory = load_court_directory(CONFIG)
    text = (CONFIG / "courts.yaml").read_text(encoding="utf-8")
    for court in directory.all():
        assert f"  {court.code}:" in text
        assert not court.contact.configured
        assert court.contact.lines() == []


def test_without_config_nothing_is_configured() -> None:
    court = load_court_directory(None).by_code("内0602")
    assert court is not None and not court.contact.configured


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "courts.yaml").write_text(body, encoding="utf-8")
    return tmp_path


def test_configured_contact_is_loaded_and_shown(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        "courts:\n"
        "  内0602:\n"
        "    address: 诉讼服务中心一楼\n"
        "    phone: '12345-678'\n"
        "    hours: 周一至周五\n"
        "    source: 本院公告\n"
        "  内0621:\n"
        "    address: null\n",
    )
    directory = load_court_directory(config)
    dongsheng = directory.by_code("内0602")
    dalate = directory.by_code("内0621")
    assert dongsheng is not None and dalate is not None
    assert dongsheng.contact.configured
    assert dongsheng.contact.lines() == [
        "地址：诉讼服务中心一楼",
        "电话：12345-678",
        "办公时间：周一至周五",
    ]
    assert not dalate.contact.configured
    # found by alias, the same object carries the contact
    assert directory.find("东胜法院") is dongsheng


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("courts:\n  蒙0602:\n    phone: '123'\n", "蒙0602"),
        ("courts:\n  内0602:\n    email: a\n", "email"),
        ("courts:\n  内0602:\n    phone: 请拨打总机\n", "phone"),
        ("courts:\n  内0602: [1, 2]\n", "内0602"),
        ("courts: [1]\n", "courts"),
    ],
)
def test_bad_config_names_the_file_and_item(tmp_path: Path, body: str, fragment: str) -> None:
    config = _write(tmp_path, body)
    with pytest.raises(KnowledgeDataError) as caught:
        load_court_directory(config)
    assert "courts.yaml" in str(caught.value)
    assert fragment in str(caught.value)
