"""What the store keeps of a message: personal numbers masked in text and JSON.

``bot.privacy.mask_pii`` finds numbers by pattern. The NLU has already found
them by position (and in forms the pattern misses, such as full-width digits),
so inbound text is masked at the entity spans first and by pattern after.
Span masking keeps the length, so the parse's ``start``/``end`` stay valid.
"""

from __future__ import annotations

from typing import Any

from bot.privacy import mask_pii

#: Entity types whose value is a personal number.
PERSONAL_ENTITIES = frozenset({"id_number", "phone"})
_KEEP = {"id_number": (6, 4), "phone": (3, 4)}  # digits kept at the start and the end


def mask_number(raw: str, kind: str) -> str:
    """Star the middle digits, keeping separators and length: 139 0000 1111 → 139 **** 1111."""
    head, tail = _KEEP.get(kind, (0, 4))
    positions = [i for i, ch in enumerate(raw) if ch.isdigit() or ch in "Xx"]
    if len(positions) <= head + tail:
        return "*" * len(raw)
    hidden = set(positions[head : len(positions) - tail])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(raw))


def mask_deep(value: Any) -> Any:
    """Every string inside ``value`` masked by pattern; web addresses left alone."""
    if isinstance(value, str):
        return value if value.startswith(("http://", "https://")) else mask_pii(value)
    if isinstance(value, dict):
        return {key: mask_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_deep(item) for item in value]
    return value


def _entity_spans(text: str, parse: dict[str, Any]) -> list[tuple[int, int, str]]:
    spans = []
    for entity in parse.get("entities") or []:
        if not isinstance(entity, dict) or entity.get("entity") not in PERSONAL_ENTITIES:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append((start, end, str(entity["entity"])))
    return spans


def mask_text(text: str, parse: dict[str, Any] | None = None) -> str:
    """``text`` with the personal numbers the parse found (at its spans) and mask_pii finds."""
    if parse and parse.get("text") == text:
        chars = list(text)
        for start, end, kind in _entity_spans(text, parse):
            chars[start:end] = mask_number(text[start:end], kind)
        text = "".join(chars)
    return mask_pii(text)


def mask_parse(parse: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Rasa parse result fit to store: text and personal entities masked."""
    masked: dict[str, Any] = mask_deep(parse)
    if isinstance(parse.get("text"), str):
        masked["text"] = mask_text(parse["text"], parse)
    originals = parse.get("entities")
    if isinstance(originals, list):
        masked["entities"] = [
            _mask_entity(original) if _is_personal(original) else copy
            for original, copy in zip(originals, masked["entities"], strict=True)
        ]
    return masked


def _is_personal(entity: Any) -> bool:
    return isinstance(entity, dict) and entity.get("entity") in PERSONAL_ENTITIES


def _mask_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity with its value and surface text starred (from the unmasked originals)."""
    kind = str(entity["entity"])
    masked: dict[str, Any] = mask_deep(entity)
    for key in ("value", "text"):
        if entity.get(key) is not None:
            masked[key] = mask_number(str(entity[key]), kind)
    return masked
