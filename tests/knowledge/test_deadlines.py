"""Deadline counting (facts.md §4.2) across the 2025–2027 holidays.

Every expected date is worked out by hand in the comments: the start day is not
counted, months end on the corresponding day (or the month's last day), and only
a last day that is a rest day moves, to the first working day after it. Holiday
and 调休 dates are those of facts.md §6.
"""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.calendar import RestDayCalendar, calendar_from
from knowledge.deadlines import (
    Deadline,
    DeadlineError,
    UnknownDeadlineKind,
    add_months,
    compute_deadline,
    deadline_kinds,
)

OFFICIAL = RestDayCalendar()  # no court overrides, whatever config/ holds


def d(text: str) -> date:
    return date.fromisoformat(text)


def calc(kind: str, start: str, calendar: RestDayCalendar = OFFICIAL) -> Deadline:
    return compute_deadline(kind, d(start), calendar)


# (kind, start, expected last day, moved?) — the nine kinds of contracts.md §2,
# each once in a 2025 holiday and once in a 2026 holiday.
CONTRACT_CASES = [
    # 15 days from Tue 2025-09-23 → Wed 10/8, last day of National Day 10/1–10/8 → Thu 10/9.
    ("appeal_civil_judgment", "2025-09-23", "2025-10-09", True),
    # 15 days from Sat 2026-01-31 → Sun 2/15, first day of Spring Festival 2/15–2/23 → Tue 2/24.
    ("appeal_civil_judgment", "2026-01-31", "2026-02-24", True),
    # 10 days from 2025-01-18 → Tue 1/28, Spring Festival 1/28–2/4 → Wed 2/5.
    ("appeal_civil_ruling", "2025-01-18", "2025-02-05", True),
    # 10 days from 2026-09-27 → Wed 10/7, last day of National Day 10/1–10/7 → Thu 10/8.
    ("appeal_civil_ruling", "2026-09-27", "2026-10-08", True),
    # 10 days from 2025-09-21 → Wed 10/1 → holiday to 10/8 → Thu 10/9.
    ("appeal_criminal_judgment", "2025-09-21", "2025-10-09", True),
    # 10 days from 2026-04-24 → Mon 5/4, Labour Day 5/1–5/5 → Wed 5/6.
    ("appeal_criminal_judgment", "2026-04-24", "2026-05-06", True),
    # 5 days from 2025-10-03 → Wed 10/8 → Thu 10/9.
    ("appeal_criminal_ruling", "2025-10-03", "2025-10-09", True),
    # 5 days from 2026-02-09 → Sat 2/14, a 调休 working Saturday → not moved.
    ("appeal_criminal_ruling", "2026-02-09", "2026-02-14", False),
    # 15 days from 2025-04-16 → Thu 5/1, Labour Day 5/1–5/5 → Tue 5/6.
    ("appeal_administrative_judgment", "2025-04-16", "2025-05-06", True),
    # 15 days from 2026-09-22 → Wed 10/7 → Thu 10/8.
    ("appeal_administrative_judgment", "2026-09-22", "2026-10-08", True),
    # 10 days from 2025-09-18 → Sun 9/28, a 调休 working Sunday → not moved.
    ("appeal_administrative_ruling", "2025-09-18", "2025-09-28", False),
    # 10 days from 2026-02-13 → Mon 2/23, last day of Spring Festival → Tue 2/24.
    ("appeal_administrative_ruling", "2026-02-13", "2026-02-24", True),
    # 6 months from 2024-10-04 → Fri 2025-04-04, Qingming 4/4–4/6 → Mon 4/7.
    ("retrial_civil", "2024-10-04", "2025-04-07", True),
    # 6 months from 2025-08-17 → Tue 2026-02-17, Spring Festival → Tue 2/24.
    ("retrial_civil", "2025-08-17", "2026-02-24", True),
    # 2 years from 2023-10-01 → Wed 2025-10-01 → Thu 10/9.
    ("enforcement_application", "2023-10-01", "2025-10-09", True),
    # 2 years from 2024-02-15 → Sun 2026-02-15 → Tue 2/24.
    ("enforcement_application", "2024-02-15", "2026-02-24", True),
    # 30 days from 2025-09-08 (Sept has 30 days) → Wed 10/8 → Thu 10/9.
    ("preservation_suit", "2025-09-08", "2025-10-09", True),
    # 30 days from 2026-01-16 (15 left in Jan + 15) → Sun 2/15 → Tue 2/24.
    ("preservation_suit", "2026-01-16", "2026-02-24", True),
]


@pytest.mark.parametrize(("kind", "start", "expected", "moved"), CONTRACT_CASES)
def test_contract_kinds_across_the_2025_and_2026_holidays(
    kind: str, start: str, expected: str, moved: bool
) -> None:
    result = calc(kind, start)
    assert result.last_day == d(expected)
    assert result.moved is moved
    assert result.estimated is False
    assert result.from_date == d(start)


def test_all_contract_kinds_exist() -> None:
    keys = {kind.key for kind in deadline_kinds()}
    assert {case[0] for case in CONTRACT_CASES} <= keys
    assert len({case[0] for case in CONTRACT_CASES}) == 9


# (kind, start, nominal last day, last day) for every other kind; start Mon 2025-03-03.
OTHER_CASES = [
    # 15 days: 3/3 + 15 = Tue 3/18, a working day.
    ("defence", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("jurisdiction_objection", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("appeal_defence", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("retrial_defence", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("payment_order_objection", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("administrative_suit_after_reconsideration", "2025-03-03", "2025-03-18", "2025-03-18"),
    ("third_party_objection_suit", "2025-03-03", "2025-03-18", "2025-03-18"),
    # 10 days: Thu 3/13.
    ("enforcement_objection_reconsideration", "2025-03-03", "2025-03-13", "2025-03-13"),
    ("force_majeure_extension", "2025-03-03", "2025-03-13", "2025-03-13"),
    # 5 days: Sat 3/8, an ordinary weekend → Mon 3/10.
    ("force_majeure_extension_criminal", "2025-03-03", "2025-03-08", "2025-03-10"),
    # 7 days: Mon 3/10.
    ("fee_payment", "2025-03-03", "2025-03-10", "2025-03-10"),
    ("appeal_fee_payment", "2025-03-03", "2025-03-10", "2025-03-10"),
    ("fee_balance_payment", "2025-03-03", "2025-03-10", "2025-03-10"),
    # 30 days: 28 left in March + 2 → Wed 4/2.
    ("judicial_confirmation", "2025-03-03", "2025-04-02", "2025-04-02"),
    ("public_notice_service", "2025-03-03", "2025-04-02", "2025-04-02"),
    # 6 months: Wed 2025-09-03.
    ("retrial_administrative", "2025-03-03", "2025-09-03", "2025-09-03"),
    ("administrative_suit", "2025-03-03", "2025-09-03", "2025-09-03"),
    ("administrative_suit_inaction", "2025-03-03", "2025-09-03", "2025-09-03"),
]


@pytest.mark.parametrize(("kind", "start", "nominal", "expected"), OTHER_CASES)
def test_other_kinds(kind: str, start: str, nominal: str, expected: str) -> None:
    result = calc(kind, start)
    assert result.nominal_last_day == d(nominal)
    assert result.last_day == d(expected)
    assert result.rule and result.name


def test_every_kind_is_tested() -> None:
    tested = {c[0] for c in CONTRACT_CASES} | {c[0] for c in OTHER_CASES}
    tested.add("administrative_enforcement_application")  # see the 2027 test below
    assert tested == {kind.key for kind in deadline_kinds()}


def test_example_from_the_brief_has_a_holiday_inside_the_period() -> None:
    # 15 days from 2025-09-30 → Wed 10/15; National Day 10/1–10/8 lies inside and
    # counts, so nothing moves.
    result = calc("appeal_civil_judgment", "2025-09-30")
    assert (result.nominal_last_day, result.last_day) == (d("2025-10-15"), d("2025-10-15"))
    assert not result.moved and result.moved_reason is None
    assert result.rule == "《民事诉讼法》第一百七十一条"
    assert result.name == "上诉期限（民事判决）"
    assert result.title == "上诉期限（民事判决，15日）"


def test_moved_reason_names_the_holiday() -> None:
    result = calc("appeal_civil_judgment", "2025-09-19")  # 9/19 + 15 = Sat 10/4
    assert result.nominal_last_day == d("2025-10-04")
    assert result.last_day == d("2025-10-09")
    assert result.moved_reason == "2025-10-04 是国庆节假期，顺延至 2025-10-09"
    assert any("第八十五条" in note for note in result.notes)


def test_ordinary_weekend_moves_to_monday() -> None:
    # 15 days from Fri 2025-11-07 → Sat 11/22 (no 调休 in November) → Mon 11/24.
    result = calc("appeal_civil_judgment", "2025-11-07")
    assert result.last_day == d("2025-11-24")
    assert result.moved_reason == "2025-11-22 是周末，顺延至 2025-11-24"


def test_last_day_on_an_adjusted_saturday_does_not_move_but_says_so() -> None:
    # 5 days from 2025-10-06 → Sat 10/11, a 调休 working Saturday.
    result = calc("appeal_criminal_ruling", "2025-10-06")
    assert result.last_day == d("2025-10-11") and not result.moved
    assert any("调休上班日" in n and "以法院公告为准" in n for n in result.notes)


def test_moving_can_land_on_an_adjusted_sunday() -> None:
    # 30 days from 2025-12-02 → Thu 2026-01-01; 1/1–1/3 are the New Year holiday;
    # Sun 1/4 is a 调休 working day, so the period ends that Sunday.
    result = calc("preservation_suit", "2025-12-02")
    assert result.last_day == d("2026-01-04")
    assert any("调休上班日" in n for n in result.notes)


def test_six_months_from_august_31() -> None:
    # 2023-08-31 + 6 months → February 2024 has 29 days → Thu 2024-02-29, a working day.
    leap = calc("retrial_civil", "2023-08-31")
    assert leap.last_day == d("2024-02-29") and not leap.moved
    assert any("没有对应日" in n for n in leap.notes)
    # 2024-08-31 + 6 months → 2025 is not a leap year → Fri 2025-02-28.
    assert calc("retrial_civil", "2024-08-31").last_day == d("2025-02-28")
    # 2025-08-31 + 6 months → Sat 2026-02-28, a 调休 working Saturday → stays.
    result = calc("retrial_civil", "2025-08-31")
    assert result.nominal_last_day == d("2026-02-28")
    assert result.last_day == d("2026-02-28") and not result.moved


def test_two_years_from_february_29() -> None:
    # 2024-02-29 + 2 years → 2026 has no Feb 29 → Sat 2026-02-28 (调休 working) → stays.
    result = calc("enforcement_application", "2024-02-29")
    assert result.nominal_last_day == d("2026-02-28")
    assert result.last_day == d("2026-02-28")


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(d("2025-01-31"), 1) == d("2025-02-28")
    assert add_months(d("2024-01-31"), 1) == d("2024-02-29")
    assert add_months(d("2025-08-31"), 6) == d("2026-02-28")
    assert add_months(d("2025-03-15"), 12) == d("2026-03-15")


def test_deadline_in_january_2027_is_an_estimate_not_an_error() -> None:
    # 15 days from 2026-12-17 → Fri 2027-01-01 (元旦 by rule), 1/2–1/3 the weekend → Mon 1/4.
    result = calc("appeal_civil_judgment", "2026-12-17")
    assert result.nominal_last_day == d("2027-01-01")
    assert result.last_day == d("2027-01-04")
    assert result.estimated is True
    assert any("推算" in n and "以法院公告为准" in n for n in result.notes)


def test_spring_festival_2027_comes_from_the_holidays_package() -> None:
    # 6 months from 2026-08-05 → Fri 2027-02-05 (除夕); 2/6–2/7 weekend, 2/8 春节,
    # 2/9–2/10 observed days → Thu 2/11.
    result = calc("retrial_civil", "2026-08-05")
    assert result.last_day == d("2027-02-11")
    assert result.estimated is True


def test_a_working_day_in_2027_is_still_an_estimate() -> None:
    # 2 years from 2025-03-03 → Wed 2027-03-03, not a holiday by any rule.
    result = calc("administrative_enforcement_application", "2025-03-03")
    assert result.last_day == d("2027-03-03") and not result.moved
    assert result.estimated is True


def test_deadline_before_2027_is_not_an_estimate() -> None:
    # 15 days from 2026-11-26 → Fri 2026-12-11.
    result = calc("appeal_civil_judgment", "2026-11-26")
    assert result.last_day == d("2026-12-11") and result.estimated is False


def test_court_extra_rest_day_moves_the_last_day() -> None:
    closed = calendar_from({"rest_days": [{"date": "2025-10-15", "note": "本院闭院"}]})
    # 15 days from 2025-09-30 → Wed 10/15, closed → Thu 10/16.
    result = calc("appeal_civil_judgment", "2025-09-30", closed)
    assert result.last_day == d("2025-10-16")
    assert result.moved_reason is not None and "本院闭院" in result.moved_reason


def test_court_extra_working_day_does_not_move() -> None:
    open_day = calendar_from({"working_days": [{"date": "2025-10-08", "note": "本院值班"}]})
    # 15 days from 2025-09-23 → 10/8, declared a working day → stays.
    result = calc("appeal_civil_judgment", "2025-09-23", open_day)
    assert result.last_day == d("2025-10-08") and not result.moved


def test_criminal_defendant_in_custody_does_not_get_the_holiday() -> None:
    # 10 days from 2025-09-21 → Wed 10/1: in custody the period ends that day (CrPL art.105).
    result = compute_deadline(
        "appeal_criminal_judgment", d("2025-09-21"), OFFICIAL, in_custody=True
    )
    assert result.last_day == d("2025-10-01") and not result.moved
    assert any("第一百零五条" in n for n in result.notes)
    free = calc("appeal_criminal_judgment", "2025-09-21")
    assert any("如在押，最后一日为 2025-10-01" in n for n in free.notes)


def test_in_custody_is_refused_for_civil_kinds() -> None:
    with pytest.raises(DeadlineError):
        compute_deadline("appeal_civil_judgment", d("2025-09-21"), OFFICIAL, in_custody=True)


def test_unknown_kind_lists_close_matches() -> None:
    with pytest.raises(UnknownDeadlineKind) as info:
        calc("appeal_civil_judgement", "2025-09-30")
    assert isinstance(info.value, ValueError)
    assert "appeal_civil_judgment" in str(info.value)
    assert "不认识" in str(info.value)


def test_start_far_outside_the_calendar_is_refused() -> None:
    with pytest.raises(DeadlineError):
        calc("appeal_civil_judgment", "1900-01-01")


def test_notes_carry_the_kind_specific_caveats() -> None:
    assert any("小额诉讼" in n for n in calc("appeal_civil_judgment", "2025-09-30").notes)
    assert any("知道" in n for n in calc("retrial_civil", "2025-03-03").notes)
    assert any("不是从提出申请" in n for n in calc("preservation_suit", "2025-03-03").notes)


def test_kinds_carry_their_source_and_tag() -> None:
    for kind in deadline_kinds():
        assert kind.source and kind.tag in {"V", "S", "I", "U"}
        assert kind.rule.startswith("《")
        assert kind.from_means
