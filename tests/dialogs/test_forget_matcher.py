"""The rule-based matcher behind "删除我的记录": precision over recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.flows import forget
from dialogs.payload import parse_payload
from knowledge.intents import INTENTS
from nlu.training_data import read

REQUESTS = [
    "删除我的记录",
    "删掉聊天记录",
    "把我的信息删了",
    "清除我的对话记录",
    "不要保存我的记录",
    "请帮我删除我的聊天记录。",
    "能不能删除我的记录？",
    "可不可以把我们的对话删掉",
    "我要删除我的个人信息",
    "清空对话",
    "把刚才说的话删了",
    "删除掉我和你之间的所有聊天记录",
    "我的聊天记录别保存",
    "不要记录我的对话",
    "别保存我说的话",
    "我想删除聊天历史",
    "麻烦把咱们的聊天内容清空一下",
    "帮我把记录都清除掉",
    "把我留的电话删了",
    "删除我的数据",
    "删除聊天记录吧",
    "刪除我的記錄",  # traditional characters
    "删除 我的 记录!!",  # spaces and punctuation
    "ＤＥＬＥＴＥ 删除我的记录",  # full width
]

NOT_REQUESTS = [
    # court matters that use the same verbs
    "撤诉",
    "我想撤诉",
    "删除被告",
    "删除一个被告可以吗",
    "删除诉讼请求",
    "起诉状写错了怎么删除",
    "网上立案 上传的材料能删除吗",
    "能撤回起诉吗",
    # evidence and the court's own records
    "怎么删除证据",
    "对方把聊天记录删了怎么办",
    "我不小心把微信聊天记录删了",
    "删除的聊天记录能恢复吗",
    "微信聊天记录截图能当证据交上去吗",
    "他把聊天记录全删了",
    "同事在群里造谣我 聊天记录需要公证吗",
    "法院能删除我的记录吗",
    "删除我在法院的案件记录",
    "案件信息能删掉吗",
    "庭审笔录能删除吗",
    "判决书上我的信息能删除吗",
    "裁判文书网上有我的名字能删除吗",
    "申请删除裁判文书网上的个人信息",
    "失信记录怎么删除",
    "我的征信记录能删除吗",
    "怎么删除限高",
    "删除执行记录",
    "删除我的犯罪记录",
    "删除我的预约记录",
    "我交了诉讼费 怎么没有缴费记录",
    # negated, or nothing that is the litigant's
    "我的记录不要删",
    "不要删我的记录",
    "删除信息",
    "删除",
    "确认删除",
    "你好",
    "",
    # a long story that mentions deleting in passing
    "我去年借给朋友五万块钱，他一直不还，后来我把我们的聊天记录删了一部分，现在还能起诉吗",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_requests_to_forget_are_recognised(text: str) -> None:
    assert forget.wants_to_forget(text)


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_court_matters_and_questions_are_not_requests(text: str) -> None:
    assert not forget.wants_to_forget(text)


def test_no_training_or_test_example_of_any_intent_is_taken_for_a_request() -> None:
    """4,800 real litigant phrasings: not one of them may trigger the forget flow."""
    data_dir = Path(__file__).parents[2] / "nlu" / "data"
    examples = [e for path in sorted(data_dir.rglob("*.yml")) for e in read(path).examples]
    assert len(examples) > 1000
    assert [e.text for e in examples if forget.wants_to_forget(e.text)] == []


def test_the_payload_is_not_an_intent_and_not_taken_for_one() -> None:
    assert forget.COMMAND not in INTENTS
    for button in (forget.REQUEST_BUTTON, forget.CONFIRM_BUTTON):
        assert parse_payload(button.payload, frozenset(INTENTS)) is None
    assert forget.CANCEL_BUTTON.payload == "/cancel"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/forget_me", "request"),
        (" /forget_me ", "request"),
        ('/forget_me{"confirm":true}', "confirm"),
        ('/forget_me{"confirm": true}', "confirm"),
        ('/forget_me{"confirm":"true"}', "request"),  # only a real true confirms
        ('/forget_me{"confirm":1}', "request"),
        ("/forget_me{broken}", "request"),  # the button, with a mangled tail: ask, never delete
        ("/forget_me{broken", None),
        ("/forget_me_now", None),
        ("/cancel", None),
        ("forget_me", None),
        ("删除我的记录", None),
    ],
)
def test_command(text: str, expected: str | None) -> None:
    assert forget.command(text) == expected


@pytest.mark.parametrize("text", ["确认删除", "确认删除！", " 确定删除 ", "确认", "確認刪除"])
def test_typed_confirmations(text: str) -> None:
    assert forget.typed_confirmation(text)


@pytest.mark.parametrize(
    "text", ["好的", "是", "删吧", "确认一下我的案子", "不确认", "确认删除被告"]
)
def test_not_typed_confirmations(text: str) -> None:
    assert not forget.typed_confirmation(text)
