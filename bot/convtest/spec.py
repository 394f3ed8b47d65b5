"""The conversation-test file: parsed and checked strictly before anything runs.

A file is YAML::

    business_hours: "Mon-Fri 08:30-17:30"   # optional; default: always open
    conversations:
      - name: 借款五万的诉讼费              # unique within the file
        now: "2026-12-04T10:00:00"          # optional, Beijing time: what 昨天 means
        channel: rest                       # optional, default "test"
        turns:
          - user: 你好                        # a typed message, or a button payload
            buttons_include: [算诉讼费]
          - tap: 算诉讼费                      # press a button of the previous answer
            bot_contains: 哪一类
          - user: 借钱的 五万块
            after_minutes: 2                  # optional: the clock moves on first (and stays)
            bot_contains: ["1,050元", "525元"]
            bot_not_contains: [判决]
            bot_matches: "减半.*525"
            form: null                        # the dialog state after the turn
            slots: {}                         # (a subset of the slots) …
            handoff: false                    # the chat is with the guide desk
            court_called: false               # the court API was asked this turn
            silent: false                     # no answer at all (a person owns the chat)
            image: false                      # an image is sent (a model text's QR code)

Every key of a turn but ``user``/``tap`` and ``after_minutes`` is an expectation on
the answer to that turn; text expectations look at all of its replies' texts joined
by a newline.
Unknown keys and wrong types are refused with one line naming the file, the
conversation and the turn, so a typo never silently tests nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from dialogs.hours import BusinessHours, BusinessHoursError
from nlu.pipeline import COURT_TZ

#: What a turn says (exactly one of them).
ACTIONS = ("user", "tap")
#: When a turn is said: minutes after the turn before it (the stopped clock moves on).
TIMING = ("after_minutes",)
#: Expectations on the answer to a turn.
EXPECTATIONS = (
    "bot_contains",
    "bot_not_contains",
    "bot_matches",
    "buttons_include",
    "form",
    "slots",
    "handoff",
    "court_called",
    "silent",
    "image",
)
CONVERSATION_KEYS = ("name", "now", "channel", "turns")
FILE_KEYS = ("conversations", "business_hours")
#: Open every minute of every day, so a handoff never depends on when the tests run.
ALWAYS_OPEN = "Mon-Sun 00:00-23:59"
DEFAULT_CHANNEL = "test"


class SpecError(ValueError):
    """A file that is not a valid conversation-test file: one line, where and what."""


@dataclass(frozen=True)
class Turn:
    number: int  # 1-based, as reported
    user: str | None = None
    tap: str | None = None
    #: Minutes between the previous turn (or ``now``) and this one.
    after_minutes: float = 0
    contains: tuple[str, ...] = ()
    not_contains: tuple[str, ...] = ()
    matches: re.Pattern[str] | None = None
    buttons: tuple[str, ...] = ()
    form: str | None = None
    form_given: bool = False  # ``form: null`` is an expectation too
    slots: dict[str, Any] | None = None
    handoff: bool | None = None
    court_called: bool | None = None
    silent: bool | None = None
    image: bool | None = None


@dataclass(frozen=True)
class Conversation:
    name: str
    turns: tuple[Turn, ...]
    now: datetime | None = None
    channel: str = DEFAULT_CHANNEL


@dataclass(frozen=True)
class Suite:
    path: Path
    conversations: tuple[Conversation, ...]
    business_hours: str = ALWAYS_OPEN


def load(path: Path) -> Suite:
    """The suite in ``path``; :class:`SpecError` for anything unreadable or unknown."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: 无法读取文件（cannot read）: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise SpecError(f"{path}: 不是有效的 YAML（invalid YAML）{where}") from exc
    return parse(raw, path)


def parse(raw: Any, path: Path) -> Suite:
    where = str(path)
    if not isinstance(raw, dict):
        raise SpecError(
            f"{where}: 顶层应为映射，含 conversations 列表（top level must be a mapping)"
        )
    _known(raw, FILE_KEYS, where)
    hours = raw.get("business_hours", ALWAYS_OPEN)
    _check(isinstance(hours, str), where, "business_hours 应为字符串（must be a string）")
    try:
        BusinessHours.parse(hours)
    except BusinessHoursError as exc:
        raise SpecError(f"{where}: business_hours: {exc}") from None
    items = raw.get("conversations")
    _check(
        isinstance(items, list) and bool(items),
        where,
        "conversations 应为非空列表（must be a non-empty list）",
    )
    conversations: list[Conversation] = []
    names: set[str] = set()
    assert isinstance(items, list)  # checked just above
    for index, item in enumerate(items, start=1):
        conversation = _conversation(item, f"{where}: 第{index}个对话")
        here = f"{where}: 对话「{conversation.name}」"
        _check(conversation.name not in names, here, "名称重复（duplicate name）")
        names.add(conversation.name)
        conversations.append(conversation)
    return Suite(path, tuple(conversations), hours)


def _conversation(item: Any, where: str) -> Conversation:
    _check(isinstance(item, dict), where, "应为映射（must be a mapping）")
    name = item.get("name")
    _check(isinstance(name, str) and bool(name.strip()), where, "缺少 name（name is required）")
    where = f"{where.rsplit(': ', 1)[0]}: 对话「{name}」"
    _known(item, CONVERSATION_KEYS, where)
    channel = item.get("channel", DEFAULT_CHANNEL)
    _check(
        isinstance(channel, str) and bool(channel), where, "channel 应为字符串（must be a string）"
    )
    turns = item.get("turns")
    _check(
        isinstance(turns, list) and bool(turns),
        where,
        "turns 应为非空列表（must be a non-empty list）",
    )
    return Conversation(
        name=name.strip(),
        turns=tuple(_turn(t, number, where) for number, t in enumerate(turns, start=1)),
        now=_now(item.get("now"), where),
        channel=channel,
    )


def _now(value: Any, where: str) -> datetime | None:
    """An ISO date-time; without an offset it is Beijing time."""
    if value is None:
        return None
    if isinstance(value, datetime):  # YAML reads an unquoted timestamp itself
        moment = value
    else:
        _check(isinstance(value, str), where, "now 应为 ISO 日期时间（must be an ISO datetime）")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise SpecError(
                f"{where}: now 不是 ISO 日期时间（not an ISO datetime）: {value!r}"
            ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=COURT_TZ)
    return moment.astimezone(COURT_TZ)


def _turn(raw: Any, number: int, conversation: str) -> Turn:
    where = f"{conversation} 第{number}轮"
    _check(isinstance(raw, dict), where, "应为映射（must be a mapping）")
    _known(raw, ACTIONS + TIMING + EXPECTATIONS, where)
    said = [key for key in ACTIONS if key in raw]
    _check(len(said) == 1, where, "须有且只有一个 user 或 tap（exactly one of user, tap）")
    action = said[0]
    text = raw[action]
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(text)  # "50000" typed as a bare number
    _check(isinstance(text, str) and bool(text.strip()), where, f"{action} 应为非空文本")
    pattern = raw.get("bot_matches")
    if pattern is not None:
        _check(isinstance(pattern, str), where, "bot_matches 应为正则字符串（must be a regex）")
        try:
            compiled: re.Pattern[str] | None = re.compile(pattern)
        except re.error as exc:
            raise SpecError(f"{where}: bot_matches 不是有效的正则（bad regex）: {exc}") from None
    else:
        compiled = None
    form = raw.get("form")
    _check(form is None or isinstance(form, str), where, "form 应为表单名或 null")
    after = raw.get("after_minutes", 0)
    _check(
        isinstance(after, int | float) and not isinstance(after, bool) and after >= 0,
        where,
        "after_minutes 应为不小于0的分钟数（must be a number of minutes >= 0）",
    )
    slots = raw.get("slots")
    _check(slots is None or isinstance(slots, dict), where, "slots 应为映射（must be a mapping）")
    return Turn(
        number=number,
        user=text if action == "user" else None,
        tap=text if action == "tap" else None,
        after_minutes=float(after),
        contains=_texts(raw, "bot_contains", where),
        not_contains=_texts(raw, "bot_not_contains", where),
        matches=compiled,
        buttons=_texts(raw, "buttons_include", where),
        form=form,
        form_given="form" in raw,
        slots=None if slots is None else {str(k): v for k, v in slots.items()},
        handoff=_flag(raw, "handoff", where),
        court_called=_flag(raw, "court_called", where),
        silent=_flag(raw, "silent", where),
        image=_flag(raw, "image", where),
    )


def _texts(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """A string or a list of strings (numbers are read as written)."""
    value = raw.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    for item in items:
        _check(
            isinstance(item, str | int) and not isinstance(item, bool) and str(item) != "",
            where,
            f"{key} 应为文本或文本列表（must be a string or a list of strings）",
        )
    return tuple(str(item) for item in items)


def _flag(raw: dict[str, Any], key: str, where: str) -> bool | None:
    value = raw.get(key)
    _check(value is None or isinstance(value, bool), where, f"{key} 应为 true 或 false")
    return value if isinstance(value, bool) else None


def _known(raw: dict[Any, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [str(key) for key in raw if key not in allowed]
    _check(
        not unknown,
        where,
        f"未知的键（unknown key）{', '.join(unknown)}；可用（allowed）: {', '.join(allowed)}",
    )


def _check(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise SpecError(f"{where}: {message}")
