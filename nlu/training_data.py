"""Reading and writing NLU training data in Rasa 3.x YAML.

``reads(text)`` is the core, ``read(path)`` a thin wrapper that also accepts a
directory; a malformed block is reported with the file name and skipped, as
Rasa does, so one bad line a court adds never takes the whole model down.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

# Rasa's annotation grammar: [span](entity) [span](entity:value) [span]{"entity": ..., ...}
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<json>[^}]+?)\})"
)


class TrainingDataError(ValueError):
    """A training file cannot be read at all (not YAML, no ``nlu`` list)."""


@dataclass(frozen=True)
class EntityAnnotation:
    entity: str
    value: Any
    start: int
    end: int
    text: str
    #: False when the annotation gave no value (then the value is the span itself).
    explicit_value: bool = True


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[EntityAnnotation, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})

    def extend(self, other: TrainingData) -> None:
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        self.warnings.extend(other.warnings)


def parse_annotated(
    line: str, synonyms: dict[str, str] | None = None
) -> tuple[str, list[EntityAnnotation]]:
    """Turn ``标的[5万]{"entity": "amount", "value": 50000}多少`` into plain text + entities."""
    synonyms = synonyms or {}
    plain: list[str] = []
    entities: list[EntityAnnotation] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        span = match.group("text")
        if match.group("json"):
            try:
                spec = json.loads("{" + match.group("json") + "}")
            except json.JSONDecodeError as exc:
                raise ValueError(f"实体标注不是合法 JSON: {match.group(0)}") from exc
            entity = str(spec["entity"])
            explicit = "value" in spec
            value = spec.get("value", span)
        else:
            entity = match.group("entity").strip()
            explicit = match.group("value") is not None
            value = match.group("value") if explicit else span
        if not explicit and span in synonyms:
            value, explicit = synonyms[span], True
        entities.append(EntityAnnotation(entity, value, length, length + len(span), span, explicit))
        plain.append(span)
        length += len(span)
        cursor = match.end()
    plain.append(line[cursor:])
    return "".join(plain), entities


def _example_lines(raw: Any) -> Iterable[str]:
    if isinstance(raw, str):
        for line in raw.splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):  # anything else (comments, blank lines) is not an example
                yield stripped[2:].strip()
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and "text" in item:
                yield str(item["text"]).strip()
            elif isinstance(item, str):
                yield item.strip()


def reads(text: str, origin: str = "<string>") -> TrainingData:
    """Parse the text of one Rasa NLU YAML file."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{origin}: 不是合法的 YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("nlu"), list):
        raise TrainingDataError(f"{origin}: 缺少 nlu: 列表（Rasa 3 NLU 格式）")
    data = TrainingData()
    blocks: list[dict[str, Any]] = [b for b in document["nlu"] if isinstance(b, dict)]
    for block in blocks:  # synonyms first: they apply to every block's annotations
        if "synonym" in block:
            for variant in _example_lines(block.get("examples")):
                data.synonyms[variant] = str(block["synonym"])
    for number, block in enumerate(blocks, start=1):
        if "intent" not in block:
            continue
        intent = str(block["intent"])
        for line in _example_lines(block.get("examples")):
            try:
                plain, entities = parse_annotated(line, data.synonyms)
            except (ValueError, KeyError) as exc:
                data.warnings.append(f"{origin}: 第{number}个块 {intent}: {exc}，已跳过")
                continue
            if plain.strip():
                data.examples.append(Example(plain, intent, tuple(entities)))
    for warning in data.warnings:
        log.warning(warning)
    return data


def read(path: Path) -> TrainingData:
    """Read a Rasa NLU file, or every ``*.yml``/``*.yaml`` file of a directory (not recursive)."""
    path = Path(path)
    if path.is_dir():
        files = sorted([*path.glob("*.yml"), *path.glob("*.yaml")])
        if not files:
            raise TrainingDataError(f"{path}: 目录中没有 .yml 文件")
    elif path.is_file():
        files = [path]
    else:
        raise TrainingDataError(f"{path}: 文件不存在")
    data = TrainingData()
    for file in files:
        data.extend(reads(file.read_text(encoding="utf-8"), str(file)))
    return data


def writes(data: TrainingData) -> str:
    """Serialise back to Rasa YAML with explicit-value annotations (round-trips with reads)."""
    by_intent: dict[str, list[str]] = {}
    for example in data.examples:
        line, last = [], 0
        for ent in sorted(example.entities, key=lambda e: e.start):
            spec = json.dumps({"entity": ent.entity, "value": ent.value}, ensure_ascii=False)
            line.append(
                example.text[last : ent.start] + f"[{example.text[ent.start : ent.end]}]{spec}"
            )
            last = ent.end
        line.append(example.text[last:])
        by_intent.setdefault(example.intent, []).append("".join(line))
    out = ['version: "3.1"', "nlu:"]
    for intent, lines in by_intent.items():
        out.append(f"- intent: {intent}")
        out.append("  examples: |")
        out.extend(f"    - {line}" for line in lines)
    return "\n".join(out) + "\n"
