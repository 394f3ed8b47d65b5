"""Button payloads in Rasa's convention: ``/intent`` or ``/intent{"key": "value"}``.

A payload sent back as a message acts as the button: it becomes a parse result
with full confidence, bypassing the classifier.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<json>\{.*\})?$", re.S)
#: Integers longer than this stay text: Python refuses to read 4300 digits as an int.
_MAX_INT_DIGITS = 30


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
        values = _load(match["json"])
        if values is None:
            return None
        entities = [{"entity": str(k), "value": _scalar(v)} for k, v in values.items()]
    name = match["intent"]
    return {
        "text": text,
        "intent": {"name": name, "confidence": 1.0},
        "entities": entities,
        "intent_ranking": [{"name": name, "confidence": 1.0}],
        "payload": True,
    }


def _load(text: str) -> dict[str, Any] | None:
    """The payload's JSON object; numbers with a fraction, NaN and huge integers as text.

    Text keeps a typed amount exact ("1e309" stays "1e309", never a float's inf),
    and dialogs.slots refuses what is out of range. None when it is no object.
    """
    try:
        values = json.loads(
            text,
            parse_float=str,
            parse_int=lambda digits: int(digits) if len(digits) <= _MAX_INT_DIGITS else digits,
            parse_constant=str,
        )
    except (ValueError, RecursionError):  # bad JSON, or nested a hundred thousand deep
        return None
    return values if isinstance(values, dict) else None


def _scalar(value: Any) -> Any:
    """A button carries flat values: a list or object in a slot becomes None (refused)."""
    return None if isinstance(value, dict | list) else value
