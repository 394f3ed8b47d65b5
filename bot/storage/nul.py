"""No NUL character ever reaches the database, whichever channel or desk form it came from.

PostgreSQL's text types cannot hold ``\\x00`` (the driver refuses the whole
statement, and the turn ends in a 500), while SQLite would store it. So every
string parameter of every statement is stripped of it at the cursor, one place
for the ORM, the Core statements of bot.storage.turns and any query to come:
both databases keep the same text, and a lookup by a NUL-bearing sender id finds
what the insert stored. JSON values need nothing: they are serialised before
this point and json escapes the character as the six characters ``\\u0000``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event

NUL = "\x00"


def strip_nul(value: Any) -> Any:
    """``value`` without NUL characters when it is text; anything else unchanged."""
    if isinstance(value, str) and NUL in value:
        return value.replace(NUL, "")
    return value


def _has_nul(values: Any) -> bool:
    items = values.values() if isinstance(values, Mapping) else values
    return any(isinstance(v, str) and NUL in v for v in items)


def _one(parameters: Any) -> Any:
    if isinstance(parameters, Mapping):
        if not _has_nul(parameters):
            return parameters  # the common case: no copy
        return {key: strip_nul(value) for key, value in parameters.items()}
    if isinstance(parameters, Sequence) and not isinstance(parameters, str):
        if not _has_nul(parameters):
            return parameters
        return type(parameters)(strip_nul(value) for value in parameters)  # type: ignore[call-arg]
    return parameters


def _before_cursor_execute(
    conn: Any,
    cursor: Any,
    statement: str,
    parameters: Any,
    context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    if executemany and isinstance(parameters, Sequence):
        return statement, type(parameters)(_one(row) for row in parameters)  # type: ignore[call-arg]
    return statement, _one(parameters)


def install(engine: Engine) -> None:
    """Strip NUL from every string parameter ``engine`` sends (idempotent)."""
    if not event.contains(engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(engine, "before_cursor_execute", _before_cursor_execute, retval=True)
