"""``yichuang templates``: list, find, show and QR codes, with the exit-2 contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest
import zxingcpp
from PIL import Image

Cli = Callable[..., tuple[int, str, str]]
CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped configuration and the default base URL, whatever the developer's env."""
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(CONFIG))
    monkeypatch.setenv("YICHUANG_PUBLIC_BASE_URL", "http://127.0.0.1:8000")


def _one_line_error(status: int, out: str, err: str) -> None:
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("yichuang: ")


def test_list_json(cli: Cli) -> None:
    status, out, _ = cli("templates", "list", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["count"] == 67
    assert [t["number"] for t in data["texts"]] == list(range(1, 68))
    first = data["texts"][0]
    assert first["name"] == "离婚纠纷" and first["first_batch"] is True
    assert first["url"] == "http://127.0.0.1:8000/templates/1"
    assert {f["key"] for f in data["facts"]} >= {"issuers", "voluntary", "where"}


def test_list_text_groups_the_texts(cli: Cli) -> None:
    status, out, _ = cli("templates", "list")
    assert status == 0
    assert "A. 民事/商事（民事起诉状、民事答辩状）" in out
    assert "  2. 民间借贷纠纷★" in out
    assert "  67. 船员劳务合同纠纷" in out
    assert "积极引导、尊重选择" in out


def test_find_json(cli: Cli) -> None:
    status, out, _ = cli("templates", "find", "朋友借我5万不还", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["query"] == "朋友借我5万不还"
    best = data["matches"][0]
    assert (best["number"], best["name"]) == (2, "民间借贷纠纷")
    assert best["matched_words"] and best["score"] > 0 and best["basis"] == "keyword"
    assert best["url"] == "http://127.0.0.1:8000/templates/2"


def test_find_joins_several_words(cli: Cli) -> None:
    status, out, _ = cli("templates", "find", "对方", "不履行判决")
    assert status == 0
    assert "18. 强制执行申请书" in out and "链接：http://127.0.0.1:8000/templates/18" in out


def test_find_nothing_exits_2(cli: Cli) -> None:
    _one_line_error(*cli("templates", "find", "今天天气怎么样"))


def test_find_bad_limit_exits_2(cli: Cli) -> None:
    _one_line_error(*cli("templates", "find", "离婚", "--limit", "0"))


def test_show_json_has_former_names_and_link(cli: Cli) -> None:
    status, out, _ = cli("templates", "show", "7", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["name"] == "信用卡纠纷"
    assert data["former_names"] == ["银行信用卡纠纷"]
    assert data["documents"] == ["民事起诉状", "民事答辩状"]
    assert data["url"] == "http://127.0.0.1:8000/templates/7"


def test_show_text_is_chinese(cli: Cli) -> None:
    status, out, _ = cli("templates", "show", "18")
    assert status == 0
    assert out.startswith("第18号示范文本：强制执行申请书")
    assert "用途：" in out and "2年" in out
    assert "老赖" in out


@pytest.mark.parametrize("number", ["0", "68", "-1"])
def test_show_unknown_number_exits_2(cli: Cli, number: str) -> None:
    status, out, err = cli("templates", "show", number)
    _one_line_error(status, out, err)


def test_show_non_number_exits_2(cli: Cli) -> None:
    _one_line_error(*cli("templates", "show", "二"))


def test_qr_png_is_written_and_decodes(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "19.png"
    status, out, _ = cli("templates", "qr", "19", "--out", str(target), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["url"] == "http://127.0.0.1:8000/templates/19" and data["format"] == "png"
    found = zxingcpp.read_barcodes(Image.open(BytesIO(target.read_bytes())))
    assert [b.text for b in found] == [data["url"]]


def test_qr_svg_is_written(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "1.svg"
    status, out, _ = cli("templates", "qr", "1", "--format", "svg", "--out", str(target))
    assert status == 0 and str(target) in out
    assert ElementTree.parse(target).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_qr_follows_the_courts_link(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "model_texts.yaml").write_text(
        "urls:\n  5: https://fy.court.test/files/laodong.docx\n", encoding="utf-8"
    )
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(config))
    target = tmp_path / "5.png"
    assert cli("templates", "qr", "5", "--out", str(target))[0] == 0
    found = zxingcpp.read_barcodes(Image.open(BytesIO(target.read_bytes())))
    assert [b.text for b in found] == ["https://fy.court.test/files/laodong.docx"]
    shown = json.loads(cli("templates", "show", "6", "--json")[1])
    assert shown["url"] == "http://127.0.0.1:8000/templates/6"


def test_public_base_url_comes_from_settings(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(tmp_path / "absent"))
    monkeypatch.setenv("YICHUANG_PUBLIC_BASE_URL", "https://yc.court.test")
    shown = json.loads(cli("templates", "show", "30", "--json")[1])
    assert shown["url"] == "https://yc.court.test/templates/30"


def test_qr_unknown_number_exits_2(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "x.png"
    _one_line_error(*cli("templates", "qr", "99", "--out", str(target)))
    assert not target.exists()


def test_qr_unwritable_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    status, out, err = cli("templates", "qr", "2", "--out", str(tmp_path / "missing" / "x.png"))
    _one_line_error(status, out, err)
    assert "无法写入" in err
    _one_line_error(*cli("templates", "qr", "2", "--out", str(tmp_path)))


def test_qr_needs_out_and_a_known_format(cli: Cli, tmp_path: Path) -> None:
    _one_line_error(*cli("templates", "qr", "2"))
    _one_line_error(*cli("templates", "qr", "2", "--format", "gif", "--out", str(tmp_path / "a")))


def test_templates_without_action_exits_2(cli: Cli) -> None:
    _one_line_error(*cli("templates"))


def test_a_broken_court_config_exits_2(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "model_texts.yaml").write_text("urls:\n  1: not-a-url\n", encoding="utf-8")
    monkeypatch.setenv("YICHUANG_CONFIG_DIR", str(tmp_path))
    status, out, err = cli("templates", "show", "1")
    _one_line_error(status, out, err)
    assert "model_texts.yaml" in err
