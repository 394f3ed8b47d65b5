"""A turn's expectations against the assistant's answer: each unmet one, in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.convtest.spec import Turn

if TYPE_CHECKING:
    from bot.convtest.runner import Answer


def failed_expectations(turn: Turn, answer: Answer) -> tuple[str, ...]:
    text = answer.text
    unmet = [f"回复包含「{s}」（bot_contains）" for s in turn.contains if s not in text]
    unmet += [f"回复不包含「{s}」（bot_not_contains）" for s in turn.not_contains if s in text]
    if turn.matches is not None and turn.matches.search(text) is None:
        unmet.append(f"回复匹配 /{turn.matches.pattern}/（bot_matches）")
    unmet += [f"有按钮「{b}」（buttons_include）" for b in turn.buttons if b not in answer.buttons]
    if turn.form_given and answer.form != turn.form:
        unmet.append(f"表单为 {_shown(turn.form)}，实为 {_shown(answer.form)}（form）")
    for name, value in (turn.slots or {}).items():
        actual = answer.slots.get(name)
        if not _same(value, actual):
            unmet.append(f"槽位 {name} = {_shown(value)}，实为 {_shown(actual)}（slots）")
    if turn.handoff is not None and answer.handoff != turn.handoff:
        unmet.append("已转人工（handoff）" if turn.handoff else "未转人工（handoff: false）")
    if turn.court_called is not None and answer.court_called != turn.court_called:
        unmet.append(
            "查询了法院接口（court_called）"
            if turn.court_called
            else "未查询法院接口（court_called: false）"
        )
    if turn.silent is not None and (not answer.replies) != turn.silent:
        unmet.append("没有回复（silent）" if turn.silent else "有回复（silent: false）")
    if turn.image is not None and any(r.image for r in answer.replies) != turn.image:
        unmet.append("回复带图片（image）" if turn.image else "回复不带图片（image: false）")
    return tuple(unmet)


def _same(expected: Any, actual: Any) -> bool:
    """Equal, or equal as written: a YAML 50000 is the stored "50000"."""
    if expected == actual:
        return True
    scalar = (str, int, float)
    both = isinstance(expected, scalar) and isinstance(actual, scalar)
    return both and not isinstance(expected, bool) and str(expected) == str(actual)


def _shown(value: Any) -> str:
    return "null" if value is None else repr(value)
