from __future__ import annotations

import json
from collections.abc import Callable

Cli = Callable[..., tuple[int, str, str]]


def test_answer_prints_summary_and_disclaimer(cli: Cli) -> None:
    status, out, err = cli("answer", "appeal")
    assert status == 0 and err == ""
    assert "15日" in out and "10日" in out
    assert "不提供法律意见" in out


def test_answer_json_has_summary_sources_and_sections(cli: Cli) -> None:
    status, out, _ = cli("answer", "property_preservation", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["key"] == "property_preservation"
    assert data["title"] == "财产保全"
    assert "48小时" in data["summary"]
    assert data["sources"] and data["tag"] == "U"
    assert "以法院公告为准" in data["summary"]
    assert set(data["sections"]) <= {"materials", "steps", "deadlines", "fees", "where", "notes"}
    item = data["sections"]["deadlines"]["items"][0]
    assert set(item) == {"text", "source", "tag"}
    assert data["disclaimer"].startswith("本助手只提供诉讼程序信息")
    assert data["text"].startswith(data["summary"])
    assert "fee_calculation" in data["related"]


def test_answer_section_is_a_numbered_list(cli: Cli) -> None:
    status, out, _ = cli("answer", "enforcement_application", "--section", "deadlines")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "【申请执行·期限】"
    assert lines[1].startswith("1. ") and "2年" in lines[1]


def test_answer_section_json_lists_items_with_sources(cli: Cli) -> None:
    status, out, _ = cli("answer", "fee_refund", "--section", "deadlines", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["key"], data["section"], data["section_title"]) == (
        "fee_refund",
        "deadlines",
        "期限",
    )
    assert data["items"] == [
        {
            "text": "需要退费的，法院自法律文书生效之日起15日内退还。",
            "source": "诉讼费用交纳办法 art.53",
            "tag": "V",
        }
    ]
    assert data["text"].startswith("【退费·期限】")


def test_answer_accepts_chinese_names(cli: Cli) -> None:
    status, out, _ = cli("answer", "上诉", "--section", "期限")
    assert status == 0 and out.startswith("【上诉·期限】")


def test_answer_list(cli: Cli) -> None:
    status, out, _ = cli("answer", "--list")
    assert status == 0
    assert len(out.splitlines()) == 25
    assert any(line.startswith("small_claims") and "小额诉讼" in line for line in out.splitlines())
    data = json.loads(cli("answer", "--list", "--json")[1])
    keys = [entry["key"] for entry in data["procedures"]]
    assert len(keys) == 25 and "appeal" in keys


def test_unknown_key_exits_2_with_one_line_naming_close_keys(cli: Cli) -> None:
    status, out, err = cli("answer", "apeal")
    assert status == 2 and out == ""
    assert err.count("\n") == 1
    assert "没有这个办事指南" in err and "appeal" in err


def test_unknown_section_exits_2_with_one_line(cli: Cli) -> None:
    status, out, err = cli("answer", "appeal", "--section", "where", "--json")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "deadlines" in err


def test_missing_key_exits_2(cli: Cli) -> None:
    status, _, err = cli("answer")
    assert status == 2 and err.count("\n") == 1 and "--list" in err


def test_list_with_key_exits_2(cli: Cli) -> None:
    status, _, err = cli("answer", "appeal", "--list")
    assert status == 2 and err.count("\n") == 1


def test_answer_search_shows_the_entry_scores_and_threshold(cli: Cli) -> None:
    status, out, err = cli("answer", "search", "小额诉讼判了能上诉吗")
    assert status == 0 and err == ""
    assert "阈值" in out and "sc_no_appeal" in out
    assert "不能上诉" in out and "specific" in out


def test_answer_search_json_lists_hits_and_the_answer(cli: Cli) -> None:
    status, out, _ = cli("answer", "search", "身份证过期了在哪换", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["hits"][0]["id"] == "ref_id_card"
    assert data["answer"]["id"] == "ref_id_card" and "派出所" in data["answer"]["answer"]
    assert data["threshold"] > 0 and data["overrides_sure_intent"] is True
    assert {"score", "coverage", "matched", "source", "tag"} <= set(data["hits"][0])


def test_answer_search_below_threshold_says_so(cli: Cli) -> None:
    status, out, _ = cli("answer", "search", "今天天气怎么样", "--json")
    assert status == 0
    assert json.loads(out)["answer"] is None
    status, out, _ = cli("answer", "search", "今天天气怎么样")
    assert "低于阈值" in out


def test_answer_search_without_text_is_a_usage_error(cli: Cli) -> None:
    status, _, err = cli("answer", "search")
    assert status == 2 and "yichuang answer search" in err
