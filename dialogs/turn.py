"""What one turn produces, and what a flow gets to work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.attempts import ProofAttempts
from dialogs.court import CourtGateway
from dialogs.grants import CaseGrants
from dialogs.hours import BusinessHours
from dialogs.kb import KnowledgeBase
from dialogs.replies import Reply
from dialogs.state import DialogState


@dataclass(frozen=True)
class Handoff:
    """The conversation goes to the guide desk; ``summary`` is what staff see first."""

    #: user_request | frustration | low_confidence | court_unavailable
    #: (and system_error, set by bot.recovery when no turn can answer a message)
    reason: str
    summary: dict[str, Any]


@dataclass
class Turn:
    replies: list[Reply] = field(default_factory=list)
    handoff: Handoff | None = None
    #: The user's message answered a proof question: store it masked, never verbatim.
    redact_inbound: bool = False
    #: The litigant confirmed "删除我的记录": the store deletes this conversation's
    #: transcript, call-back numbers and ratings before the replies are stored
    #: (dialogs.flows.forget; bot.conversation acts on it).
    forget: bool = False
    #: Set by the two-stage fallback (the NLU was unsure): "first" = asked again,
    #: "second" = handed to the desk. Read by the metrics, so the fallback rate is known.
    fallback: str | None = None
    #: The open form asked its question again because it did not understand the answer:
    #: the engine adds an example the second time and offers a person the third.
    reasked: bool = False


@dataclass
class Context:
    """One incoming message with everything a flow may need."""

    state: DialogState
    parse: dict[str, Any]
    now: datetime
    kb: KnowledgeBase
    court: CourtGateway
    hours: BusinessHours
    attempts: ProofAttempts
    #: Who is asking, as an opaque hash of channel and sender id (wrong-proof limits).
    sender: str
    #: Entities of this message whose values dialogs.slots refused (too large, no such date).
    refused: frozenset[str] = frozenset()
    #: The court's access grants of earlier proofs (proof once per session).
    grants: CaseGrants = field(default_factory=CaseGrants)

    @property
    def intent(self) -> str:
        return str(self.parse["intent"]["name"])

    @property
    def confidence(self) -> float:
        return float(self.parse["intent"]["confidence"])

    @property
    def text(self) -> str:
        return str(self.parse.get("text", ""))

    @property
    def is_payload(self) -> bool:
        return bool(self.parse.get("payload"))

    def entity(self, name: str) -> Any:
        """The first value of entity ``name`` in this message, or None."""
        for entity in self.parse.get("entities", []):
            if entity.get("entity") == name:
                return entity.get("value")
        return None
