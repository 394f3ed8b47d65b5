"""Button payloads in Rasa's convention: ``/intent`` or ``/intent{"key": "value"}``.

A payload sent back as a message acts as the button: it becomes a parse result
with full confidence, bypassing the classifier.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<json>\{.*\})?$", re.S)


def payload(intent: str, **entities: Any) -> str:
    """Build a payload string for a button."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def parse_payload(text: str, known_intents: frozenset[str]) -> dict[str, Any] | None:
    """The parse result a payload stands for, or None when the text is not a payload."""
    match = _PAYLOAD.match(text.strip())
    if match is None or match["intent"] not in known_intents:
        return None
    entities: list[dict[str, Any]] = []
    if match["json"]:
        try:
            values = json.loads(match["json"])
        except json.JSONDecodeError:
            return None
        if not isinstance(values, dict):
            return None
        entities = [{"entity": str(k), "value": v} for k, v in values.items()]
    name = match["intent"]
    return {
        "text": text,
        "intent": {"name": name, "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": name, "confidence": 1.0}],
        "payload": True,
    }
