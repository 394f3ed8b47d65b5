"""The FastAPI application factory."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from bot.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app from explicit settings, so tests can pass their own."""
    settings = settings or Settings()
    app = FastAPI(title="一窗 Yichuang", version="0.1.0")
    app.state.settings = settings

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "service": "yichuang"}

    return app
