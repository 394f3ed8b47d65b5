"""Row ids in desk URLs, bounded to what an INTEGER column holds on every database.

Without the bound (``MAX_INTEGER``), /desk/api/conversations/99999999999999999999
reached the driver: SQLite cannot bind an int that large and PostgreSQL's 32-bit
integer overflows at 2^31, both a 500. Out of range is now the app's 400 with
its Chinese message, before any query.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from bot.storage.models import MAX_INTEGER

RowId = Annotated[int, Path(ge=1, le=MAX_INTEGER)]
