"""Logging set-up: plain or JSON lines, personal numbers always masked, request ids attached."""

from __future__ import annotations

import json
import logging
import logging.config
import re
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


#: A path segment after ``/cases/`` is a case number (the court API and its simulator).
_CASE_IN_PATH = re.compile(r"(/cases/)[^/?]+")


def loggable_path(full_path: str) -> str:
    """A request path fit for a log line: no query string (it may carry ids), no case number."""
    return _CASE_IN_PATH.sub(r"\1{case_number}", full_path.split("?", 1)[0])


class AccessPathFilter(logging.Filter):
    """uvicorn's access line (client, method, path, version, status) with a loggable path."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], loggable_path(args[2]), args[3], args[4])
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
        "filters": {"mask": {"()": MaskingFilter}, "access": {"()": AccessPathFilter}},
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            **{
                name: {"handlers": ["main"], "level": level.upper(), "propagate": False}
                for name in ("uvicorn", "uvicorn.error")
            },
            "uvicorn.access": {
                "handlers": ["main"],
                "level": level.upper(),
                "propagate": False,
                "filters": ["access"],
            },
            # httpx logs every request's full URL at INFO: a court look-up's has the
            # case number in it, a Telegram call the bot token. Failures are ours to log.
            **{name: {"level": "WARNING"} for name in ("httpx", "httpcore")},
        },
    }


def configure_logging(level: str = "INFO", as_json: bool = False) -> None:
    logging.config.dictConfig(logging_config(level, as_json))
