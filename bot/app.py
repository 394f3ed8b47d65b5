"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.settings import Settings

if TYPE_CHECKING:
    from nlu.pipeline import NluPipeline


class ParseRequest(BaseModel):
    """Rasa's ``POST /model/parse`` body."""

    text: str = Field(max_length=20_000)
    message_id: str | None = None


class NluHolder:
    """Loads the NLU pipeline once (training it first if needed), thread-safely."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._pipeline: NluPipeline | None = None

    def get(self) -> NluPipeline:
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    from bot.nlu_model import load_pipeline

                    self._pipeline = load_pipeline(self._settings)
        return self._pipeline


def check_court_config(settings: Settings) -> None:
    """Read every court-editable file now, so a typo stops start-up, not a litigant's chat."""
    from knowledge.calendar import load_calendar
    from knowledge.courts import load_court_directory
    from knowledge.fees import load_fee_schedule
    from knowledge.model_texts import load_model_texts

    config_dir = settings.court_config_dir()
    load_court_directory(config_dir)
    load_fee_schedule(config_dir)
    load_calendar(config_dir)
    load_model_texts(config_dir, settings.public_base_url)


def create_app(settings: Settings | None = None, *, preload_nlu: bool = True) -> FastAPI:
    """Build the app from explicit settings, so tests can pass their own."""
    settings = settings or Settings()
    check_court_config(settings)
    nlu = NluHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if preload_nlu:
            nlu.get()  # the first litigant should not wait for the model
        yield

    app = FastAPI(title="一窗 Yichuang", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.nlu = nlu

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "body" for e in exc.errors())
        return JSONResponse(
            status_code=400,
            content={"error": "bad_request", "message": f"请求格式不正确：{fields}"},
        )

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": "yichuang"}

    @app.post("/model/parse")
    def model_parse(body: ParseRequest) -> dict[str, Any]:
        return nlu.get().parse(body.text)

    return app
