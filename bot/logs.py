"""Logging set-up: plain or JSON lines, personal numbers always masked, request ids attached."""

from __future__ import annotations

import json
import logging
import logging.config
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.privacy import mask_pii

#: The id of the HTTP request being handled (set by the app's middleware), for every log line.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class MaskingFilter(logging.Filter):
    """Rewrites every record's message with ID and phone numbers masked; adds the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_pii(record.getMessage())
        record.args = None
        record.request_id = REQUEST_ID.get() or "-"
        return True


class MaskingFormatter(logging.Formatter):
    """The whole line masked, tracebacks included (an exception may quote what a user typed)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_pii(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id and request_id != "-":
            payload["request_id"] = request_id
        if record.exc_info:
            payload["exception"] = mask_pii(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def logging_config(level: str = "INFO", as_json: bool = False) -> dict[str, Any]:
    """A dictConfig for our loggers and uvicorn's, so every line goes through the mask."""
    formatter = (
        {"()": JsonFormatter}
        if as_json
        else {
            "()": MaskingFormatter,
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        }
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "main",
        "filters": ["mask"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask": {"()": MaskingFilter}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            name: {"handlers": ["main"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(level: str = "INFO", as_json: bool = False) -> None:
    logging.config.dictConfig(logging_config(level, as_json))
