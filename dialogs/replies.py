"""What the assistant says, independent of any channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str  # sent back as the next message, it acts as the button (contracts.md §3)


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: tuple[Button, ...] = field(default=())
    image: str | None = None  # URL of an image (a model text's QR code)

    def as_rest(self, recipient_id: str) -> dict[str, Any]:
        """The Rasa REST channel's message shape."""
        message: dict[str, Any] = {"recipient_id": recipient_id}
        if self.text is not None:
            message["text"] = self.text
        if self.image is not None:
            message["image"] = self.image
        if self.buttons:
            message["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        return message
