"""Reading the package's own data files and the court's configuration files.

Why one module: every knowledge area reads YAML the same way, and a court's IT
team must get an error naming the file and the item when they mistype one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

#: How well a fact is established (see shared/domain/facts.md):
#: V checked against a primary text, S secondary sources, I inferred by a
#: checked rule, U unverified (configurable, phrased "以法院公告为准").
Tag = Literal["V", "S", "I", "U"]
TAGS: frozenset[str] = frozenset({"V", "S", "I", "U"})

#: The phrase every unverified fact carries when shown to a user.
UNVERIFIED_NOTE = "以法院公告为准"


#: libyaml's safe loader when PyYAML was built with it (8x faster at start-up), else PyYAML's.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeDataError(ValueError):
    """A data or configuration file is malformed; the message names file and item."""


def parse_yaml(text: str, origin: str) -> Any:
    """YAML text of a data file, read safely; a mistake names ``origin``."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise KnowledgeDataError(f"{origin}: YAML 格式错误: {exc}") from exc
    except ValueError as exc:  # PyYAML builds dates itself: 2025-13-15 fails there
        raise KnowledgeDataError(f"{origin}: 含有无效的值（日期应为 YYYY-MM-DD）: {exc}") from exc


@cache
def load_data(name: str) -> Any:
    """Return the parsed content of ``knowledge/data/<name>`` (cached: read once)."""
    text = resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")
    return parse_yaml(text, f"knowledge/data/{name}")


def load_config(config_dir: Path | None, name: str) -> dict[str, Any]:
    """Return a court configuration file as a mapping; ``{}`` when absent.

    The court's configuration is optional: a missing directory or file means
    "nothing configured", and callers fall back to their unverified defaults.
    """
    if config_dir is None:
        return {}
    path = Path(config_dir) / name
    if not path.is_file():
        return {}
    content = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise KnowledgeDataError(f"{path}: 顶层应为映射 (key: value)")
    return content


def check_tag(value: object, origin: str) -> Tag:
    """Validate a fact's tag so a typo in a data file fails loudly at load time."""
    if value not in TAGS:
        raise KnowledgeDataError(f"{origin}: tag 应为 V/S/I/U 之一, 实为 {value!r}")
    return value  # type: ignore[return-value]
