"""The dialog state of one conversation, stored as JSON between turns.

Kept small and explicit: the store is the source of truth, so a server restart
in the middle of a form continues exactly where the litigant was.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DialogState:
    form: str | None = None  # fee | deadline | case_status | case_payment | template
    slots: dict[str, Any] = field(default_factory=dict)
    requested: str | None = None  # the slot the last question asked for
    misses: int = 0  # consecutive turns the assistant did not understand
    clarify: list[str] = field(default_factory=list)  # the intents offered by "您是想问 A 还是 B"
    topic: str | None = None  # the last procedure answered, for its detail buttons
    last_case: str | None = None  # the last case number looked up (never its proof)
    #: The buttons of the last answer as [title, payload]: a typed title or "第二个" presses one.
    offered: list[list[str]] = field(default_factory=list)
    #: How many times in a row the open form asked again because it did not understand.
    repeats: int = 0
    #: The form last answered and its slots, so "不对 是6万" can do it again (dialogs.corrections).
    done: dict[str, Any] | None = None
    #: A form left for another question, offered back once that is answered (dialogs.pauses).
    paused: dict[str, Any] | None = None
    #: What the litigant said of their matter (amount, date, case_category), kept for
    #: follow-ups such as "那要交多少钱" (dialogs.followups). Never a case number or proof.
    facts: dict[str, Any] = field(default_factory=dict)

    def start_form(self, name: str, **slots: Any) -> None:
        self.form, self.slots, self.requested = name, dict(slots), None
        self.repeats = 0

    def complete_form(self) -> None:
        """The form is answered: closed, and remembered for a correction."""
        self.done = {"form": self.form, "slots": dict(self.slots)}
        self.end_form()

    def end_form(self) -> None:
        self.form, self.slots, self.requested = None, {}, None
        self.repeats = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> DialogState:
        if not raw:
            return cls()
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        return cls(**known)
