"""Whole conversations through the dialog engine (real NLU, in-memory court)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dialogs.court import (
    AccessGrant,
    CaseAccess,
    CaseEvent,
    CaseRecord,
    CourtRefused,
    CourtUnavailable,
    Hearing,
    Payment,
)
from dialogs.engine import DialogEngine
from dialogs.hours import BusinessHours
from dialogs.kb import load_knowledge
from dialogs.payload import parse_payload
from dialogs.replies import Reply
from dialogs.state import DialogState
from dialogs.turn import Turn
from knowledge.calendar import RestDayCalendar
from knowledge.intents import INTENTS
from nlu.pipeline import COURT_TZ, NluPipeline

CASE = "（2025）内0602民初1234号"
RECORD = CaseRecord(
    case_number=CASE,
    court="鄂尔多斯市东胜区人民法院",
    cause="民间借贷纠纷",
    procedure="简易程序",
    stage="审理中",
    filed_on=date(2025, 8, 1),
    judge="王某",
    clerk="李某",
    hearings=(Hearing(datetime(2026, 12, 10, 9, 30, tzinfo=COURT_TZ), "第三法庭"),),
    events=(CaseEvent(date(2025, 8, 1), "立案"),),
    payments=(Payment(Decimal(50000), date(2025, 9, 1), "待发放"),),
)
#: A working Thursday morning, 2026-11-26 10:00 Beijing time.
THURSDAY = datetime(2026, 11, 26, 10, 0, tzinfo=COURT_TZ)


class FakeCourt:
    """The court in memory: one case, tokens that live until ``revoke``."""

    def __init__(self) -> None:
        self.down = False
        self.refused: CourtRefused | None = None
        self.calls = 0
        self.reads = 0
        self.tokens: set[str] = set()

    def lookup(self, case_number: str, proof: str) -> CaseAccess | None:
        self.calls += 1
        if self.down:
            raise CourtUnavailable("down")
        if self.refused is not None:
            raise self.refused
        if case_number == CASE and proof in ("K7M2Q9", "011238"):
            token = f"token-{self.calls}"
            self.tokens.add(token)
            return CaseAccess(RECORD, AccessGrant(CASE, token, 600))
        return None

    def read(self, grant: AccessGrant) -> CaseRecord | None:
        self.reads += 1
        if self.down:
            raise CourtUnavailable("down")
        return RECORD if grant.token in self.tokens else None

    def revoke(self) -> None:
        """Every token expires at the court (its clock, not the turn's)."""
        self.tokens.clear()


class Chat:
    def __init__(self, nlu: NluPipeline, now: datetime = THURSDAY) -> None:
        self.court = FakeCourt()
        kb = load_knowledge(Path(__file__).parents[2] / "config", "http://test")
        hours = BusinessHours.parse("Mon-Fri 08:30-12:00,14:30-17:30")
        self.engine = DialogEngine(kb, self.court, hours)
        self.nlu = nlu
        self.state = DialogState()
        self.sender = "rest\x1flitigant-1"
        self.now = now
        self.last: Turn = Turn()

    def say(self, text: str) -> list[Reply]:
        parse = parse_payload(text, frozenset(INTENTS)) or self.nlu.parse(text, now=self.now)
        # the state goes through JSON between turns, as it does in the database
        self.state = DialogState.from_dict(self.state.to_dict())
        self.last = self.engine.turn(
            self.state,
            parse,
            self.now,
            sender=self.sender,
            reparse=lambda piece: self.nlu.parse(piece, now=self.now),
        )
        return self.last.replies

    def text(self, text: str) -> str:
        return "\n".join(r.text or "" for r in self.say(text))

    def press(self, title: str) -> str:
        button = next(b for r in self.last.replies for b in r.buttons if b.title == title)
        return self.text(button.payload)


@pytest.fixture
def chat(nlu_pipeline: NluPipeline) -> Chat:
    return Chat(nlu_pipeline)


def test_greeting_shows_the_menu_and_the_disclaimer(chat: Chat) -> None:
    replies = chat.say("你好")
    assert "不提供法律意见" in (replies[0].text or "")
    assert any(b.title == "算诉讼费" for b in replies[0].buttons)


def test_fee_question_with_amount_is_answered_at_once(chat: Chat) -> None:
    answer = chat.text("借给朋友5万块不还 起诉要交多少诉讼费")
    assert "1,050元" in answer
    assert "525元" in answer  # the halved figure for simplified procedure
    assert chat.state.form is None


def test_fee_form_asks_kind_then_amount_in_any_form(chat: Chat) -> None:
    assert "哪一类" in chat.text("诉讼费怎么算")
    assert "金额" in chat.press("借款、合同等要钱的纠纷")
    answer = chat.text("十二万三千")
    assert "2,760元" in answer  # 2,300 + 23,000 × 2% = 2,760


def test_deadline_flow_gives_the_last_day_to_appeal(chat: Chat) -> None:
    chat.say("不服一审判决 上诉期还有几天")
    assert "哪一种" in chat.press("算期限")
    assert "哪天" in chat.press("民事判决")
    answer = chat.text("2026年9月30日")
    # 15 days from 10-01 → 10-15 (National Day is inside the period: no move)
    assert "2026-10-15" in answer


def test_case_status_needs_proof_and_shows_the_case(chat: Chat) -> None:
    assert "案号" in chat.text("帮我查下案子进度")
    assert "查询码" in chat.text("(2025)内0602民初1234")
    assert chat.court.calls == 0  # nothing asked of the court before the proof
    answer = chat.text("k7m2q9")
    assert chat.last.redact_inbound
    assert "审理中" in answer and "2026-12-10 09:30" in answer and "王某" in answer


def test_no_existence_oracle(nlu_pipeline: NluPipeline) -> None:
    real, fake = Chat(nlu_pipeline), Chat(nlu_pipeline)
    answers = []
    for chat, number in ((real, "(2025)内0602民初1234"), (fake, "(2025)内0602民初9999")):
        chat.say("查案件进度")
        first = chat.text(number)
        second = chat.text("000000")
        answers.append((first, second))
    assert answers[0] == answers[1]


def test_five_failed_proofs_lock_the_case_for_fifteen_minutes(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    for _ in range(4):
        assert "不匹配" in chat.text("000000")
    assert "15 分钟" in chat.text("000000")
    chat.say("查案件进度")
    assert "15 分钟" in chat.text(CASE)  # still locked, even with the right proof next
    chat.now = THURSDAY.replace(minute=20)
    chat.say("查案件进度")
    chat.say(CASE)
    assert "审理中" in chat.text("K7M2Q9")


def test_case_money_flow_shows_payments(chat: Chat) -> None:
    chat.say("我的执行款到账没有")
    chat.say('/case_payment{"flow":"check"}')
    chat.say(CASE)
    answer = chat.text("011238")
    assert "50,000元" in answer and "待发放" in answer


def test_court_down_gives_an_honest_busy_answer_and_a_human(chat: Chat) -> None:
    chat.court.down = True
    chat.say("查案件进度")
    chat.say(CASE)
    replies = chat.say("K7M2Q9")
    assert "系统繁忙" in (replies[0].text or "")
    assert any(b.title == "转人工" for b in replies[0].buttons)


def test_template_flow_sends_qr_and_link(chat: Chat) -> None:
    replies = chat.say("借钱不还的起诉状模板有吗")
    assert replies[0].image == "http://test/templates/2/qr.png"
    assert "民间借贷纠纷" in (replies[0].text or "")


def test_cancel_really_abandons_each_form(chat: Chat) -> None:
    for opener in ("诉讼费怎么算", "帮我查下案子进度", "示范文本"):
        chat.say(opener)
        assert chat.state.form is not None
        assert "已取消" in chat.text("算了不查了")
        assert chat.state.form is None


def test_two_stage_fallback_then_handoff(chat: Chat) -> None:
    first = chat.say("判了不服")  # 上诉 or 申请执行: both plausible
    assert chat.last.handoff is None
    assert "还是" in (first[0].text or "") and len(first[0].buttons) == 3
    chat.press("都不是")
    assert chat.last.handoff is not None
    assert chat.last.handoff.reason == "low_confidence"


def test_no_plausible_pair_gets_an_open_question_then_a_person(chat: Chat) -> None:
    first = chat.say("那个东西咋弄")
    assert chat.last.handoff is None and chat.last.fallback == "first"
    assert "还是" not in (first[0].text or "") and "具体" in (first[0].text or "")
    assert "查案件进度" in [b.title for b in first[0].buttons]
    chat.say("就是那个嘛")
    assert chat.last.handoff is not None and chat.last.handoff.reason == "low_confidence"


def test_request_human_hands_over_and_says_what_happens(chat: Chat) -> None:
    answer = chat.text("转人工")
    assert chat.last.handoff is not None and "导诉员" in answer


def test_outside_business_hours_the_user_is_told_when_staff_return(
    nlu_pipeline: NluPipeline,
) -> None:
    saturday_night = datetime(2026, 11, 28, 22, 0, tzinfo=COURT_TZ)
    chat = Chat(nlu_pipeline, now=saturday_night)
    answer = chat.text("我要找人工")
    assert "非工作时间" in answer and "11月30日（星期一）08:30" in answer


def test_legal_opinion_is_politely_refused(chat: Chat) -> None:
    answer = chat.text("你觉得我这官司能打赢吗")
    assert "不能评价案件输赢" in answer


def test_answer_flow_has_detail_buttons(chat: Chat) -> None:
    replies = chat.say("申请再审要交什么材料")
    titles = [b.title for b in replies[0].buttons]
    assert "详细材料" in titles and "转人工" in titles
    assert "1." in chat.press("详细材料")


def test_a_date_after_the_appeal_answer_starts_the_count(chat: Chat) -> None:
    chat.say("怎么上诉")
    assert "哪一种" in chat.text("判决书是11月20号收到的")
    answer = chat.press("民事判决")
    assert "2026-12-07" in answer  # 11-20 + 15 = 12-05, a Saturday → Monday 12-07


def test_case_money_after_status_uses_the_grant_of_the_proof(chat: Chat) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    chat.say("K7M2Q9")
    money = chat.press("查案款")
    assert "50,000元" in money and "查询码" not in money
    assert (chat.court.calls, chat.court.reads) == (1, 1)  # read again, no second proof


def test_case_money_after_status_asks_the_proof_again_once_the_court_refuses_the_token(
    chat: Chat,
) -> None:
    chat.say("查案件进度")
    chat.say(CASE)
    chat.say("K7M2Q9")
    chat.court.revoke()
    asked = chat.press("查案款")
    assert CASE in asked and "查询码" in asked
    assert "50,000元" in chat.text("K7M2Q9")


def test_hours_that_include_the_weekend_are_open_on_an_ordinary_saturday() -> None:
    """Only holidays close a court whose hours say Mon-Sun; 调休 days open a Mon-Fri one."""
    calendar = RestDayCalendar()
    every_day = BusinessHours.parse("Mon-Sun 00:00-23:59")
    weekdays = BusinessHours.parse("Mon-Fri 08:30-12:00,14:30-17:30")
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=COURT_TZ)
    national_day = datetime(2026, 10, 1, 10, 0, tzinfo=COURT_TZ)
    assert every_day.is_open(saturday, calendar)
    assert not weekdays.is_open(saturday, calendar)
    assert not every_day.is_open(national_day, calendar)
    assert not weekdays.is_open(national_day, calendar)
    adjusted = next(
        day
        for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
        if calendar.is_adjusted_workday(day)
    )
    at_work = datetime.combine(adjusted, time(9, 0), tzinfo=COURT_TZ)
    assert weekdays.is_open(at_work, calendar)
    assert every_day.is_open(at_work, calendar)


@pytest.mark.parametrize(("retry_after", "said"), [(None, "稍后再试"), (600, "10 分钟后再试")])
def test_the_courts_own_lock_is_told_as_a_lock_not_as_a_busy_system(
    nlu_pipeline: NluPipeline, retry_after: int | None, said: str
) -> None:
    chat = Chat(nlu_pipeline)
    chat.court.refused = CourtRefused("locked", retry_after)
    chat.say("查一下案件进度")
    chat.say(CASE)
    answer = chat.text("K7M2Q9")
    assert "验证失败次数过多" in answer and said in answer
    assert "系统繁忙" not in answer
    assert chat.state.form is None
