"""Playing conversation tests against the real assistant, in-process.

Each conversation gets a store of its own (a copy of one migrated SQLite file,
so wrong-proof counters and handoffs never leak between conversations), the
file's business hours, and a clock stopped at its ``now`` that moves on only by a
turn's ``after_minutes`` (so an expired access grant can be tested). The court is whatever
gateway the caller gives (the CLI and ``make test``: the built-in simulator
over loopback HTTP); the runner only counts the look-ups it forwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.assembly import NluHolder, build_conversations
from bot.conversation import HUMAN_STATUSES, ConversationService
from bot.convtest.checks import failed_expectations
from bot.convtest.spec import Conversation, Suite, Turn
from bot.settings import Settings
from bot.storage import repo
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from dialogs.court import AccessGrant, CaseAccess, CaseRecord, CourtGateway
from dialogs.kb import KnowledgeBase, load_knowledge
from dialogs.replies import Reply
from nlu.pipeline import COURT_TZ


class StoppedClock:
    """A conversation's clock: stopped at its ``now`` (without one: the real time) and
    moved on only by :meth:`advance`."""

    def __init__(self, now: datetime | None) -> None:
        self._now = now
        self._offset = timedelta(0)

    def advance(self, by: timedelta) -> None:
        self._offset += by

    def __call__(self) -> datetime:
        return (self._now or datetime.now(COURT_TZ)) + self._offset


class CountingCourt:
    """The court gateway, counting look-ups and reads with a grant, so a turn can say
    whether it asked the court."""

    def __init__(self, court: CourtGateway) -> None:
        self.court = court
        self.calls = 0

    def lookup(self, case_number: str, proof: str) -> CaseAccess | None:
        self.calls += 1
        return self.court.lookup(case_number, proof)

    def read(self, grant: AccessGrant) -> CaseRecord | None:
        self.calls += 1
        return self.court.read(grant)


@dataclass(frozen=True)
class Answer:
    """What the assistant did with one turn, as the checks see it."""

    sent: str
    replies: tuple[Reply, ...]
    form: str | None
    slots: dict[str, Any]
    handoff: bool
    court_called: bool

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.replies if r.text is not None)

    @property
    def buttons(self) -> tuple[str, ...]:
        return tuple(b.title for r in self.replies for b in r.buttons)


@dataclass(frozen=True)
class Failure:
    turn: int
    said: str
    expected: tuple[str, ...]  # each unmet expectation, in words
    bot: str  # what the assistant answered (text, buttons)


@dataclass(frozen=True)
class Result:
    name: str
    turns: int
    failure: Failure | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass
class SuiteResult:
    path: Path
    results: list[Result] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)


class Runner:
    """Runs suites; one migrated template store, NLU model and knowledge base for all."""

    def __init__(self, settings: Settings, court: CourtGateway, workdir: Path) -> None:
        self.settings = settings
        self.court = CountingCourt(court)
        self.workdir = workdir
        self.nlu = NluHolder(settings)
        self.kb: KnowledgeBase = load_knowledge(
            settings.court_config_dir(), settings.public_base_url
        )
        self._template = workdir / "template.db"
        self._stores = 0
        upgrade(_sqlite_url(self._template))

    def run_suite(self, suite: Suite) -> SuiteResult:
        outcome = SuiteResult(suite.path)
        for conversation in suite.conversations:
            outcome.results.append(self.run(conversation, suite.business_hours))
        return outcome

    def run(self, conversation: Conversation, business_hours: str) -> Result:
        """One conversation from a fresh store; stops at the first turn that fails."""
        clock = StoppedClock(conversation.now)
        with self._service(conversation, business_hours, clock) as service:
            previous: tuple[Reply, ...] = ()
            for turn in conversation.turns:
                clock.advance(timedelta(minutes=turn.after_minutes))
                answer = self._play(service, conversation, turn, previous)
                if isinstance(answer, Failure):
                    return Result(conversation.name, turn.number, answer)
                unmet = failed_expectations(turn, answer)
                if unmet:
                    return Result(
                        conversation.name,
                        turn.number,
                        Failure(turn.number, answer.sent, unmet, describe(answer)),
                    )
                previous = answer.replies
        return Result(conversation.name, len(conversation.turns))

    def _play(
        self,
        service: ConversationService,
        conversation: Conversation,
        turn: Turn,
        previous: tuple[Reply, ...],
    ) -> Answer | Failure:
        text = turn.user
        if turn.tap is not None:
            offered = {b.title: b.payload for r in previous for b in r.buttons}
            if turn.tap not in offered:
                shown = "、".join(offered) or "（无按钮）"
                return Failure(
                    turn.number,
                    f"点按「{turn.tap}」",
                    (f"上一条回复有按钮「{turn.tap}」（button offered）",),
                    f"上一条回复的按钮：{shown}",
                )
            text = offered[turn.tap]
        assert text is not None  # the spec demands user or tap
        before = self.court.calls
        try:
            replies = service.handle(channel=conversation.channel, sender_id=_SENDER, text=text)
        except Exception as exc:  # a test runner reports a crash as a failure
            return Failure(
                turn.number,
                text,
                ("助手正常答复（an answer）",),
                f"出错：{type(exc).__name__}: {exc}",
            )
        with service.database.session(readonly=True) as session:
            stored = repo.find_conversation(
                session, channel=conversation.channel, sender_id=_SENDER
            )
            state = dict(stored.state or {}) if stored is not None else {}
            status = stored.status if stored is not None else None
        return Answer(
            sent=text,
            replies=tuple(replies),
            form=state.get("form"),
            slots=dict(state.get("slots") or {}),
            handoff=status in HUMAN_STATUSES,
            court_called=self.court.calls > before,
        )

    @contextmanager
    def _service(
        self, conversation: Conversation, business_hours: str, clock: StoppedClock
    ) -> Iterator[ConversationService]:
        self._stores += 1
        store = self.workdir / f"conversation-{self._stores}.db"
        shutil.copyfile(self._template, store)
        settings = self.settings.model_copy(
            update={"database_url": _sqlite_url(store), "business_hours": business_hours}
        )
        database = Database(settings.database_url)
        try:
            service = build_conversations(
                settings, self.court, database=database, nlu=self.nlu, kb=self.kb
            )
            service.clock = clock
            yield service
        finally:
            database.dispose()
            store.unlink(missing_ok=True)


#: One litigant per conversation (each has a store of its own).
_SENDER = "conversation-test"


def describe(answer: Answer) -> str:
    """The answer as a litigant would see it: texts, then the buttons."""
    if not answer.replies:
        return "（没有回复 / no reply）"
    parts = [answer.text] if answer.text else []
    parts += [f"图片：{r.image}" for r in answer.replies if r.image]
    if answer.buttons:
        parts.append("按钮：" + " | ".join(answer.buttons))
    return "\n".join(parts)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
