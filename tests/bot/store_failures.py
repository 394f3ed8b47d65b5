"""A store that fails once, as a dropped database connection does (the owed-answer tests)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.storage import turns


def fail_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next store_answer raises what a dropped database connection raises."""
    real = turns.store_answer
    left = [1]

    def store_answer(*args: Any, **kwargs: Any) -> None:
        if left[0]:
            left[0] -= 1
            raise OperationalError("INSERT INTO messages", {}, Exception("server closed"))
        real(*args, **kwargs)

    monkeypatch.setattr(turns, "store_answer", store_answer)
