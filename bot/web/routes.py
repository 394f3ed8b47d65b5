"""Serves the web chat page and its static files (its API is bot.channels.webchat).

The files are read once when the router is built, so each response is a plain
in-memory answer with an ETag. The page links its assets as ``?v=<hash>``:
those URLs may be cached for a year, because any change gives a new hash, while
the page itself is revalidated on every visit (cheap 304s on slow phone links).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

STATIC_DIR = Path(__file__).parent / "static"

#: The page runs with no inline script or style and loads nothing from elsewhere;
#: images (QR codes) may come from the court's own HTTPS site.
WEB_CSP = (
    "default-src 'self'; img-src 'self' https:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_ASSETS = ("chat.js", "chat.css", "icon.svg")
_FOREVER = "public, max-age=31536000, immutable"
_REVALIDATE = "no-cache"


@dataclass(frozen=True)
class _File:
    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, name: str, body: bytes) -> _File:
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, _MEDIA_TYPES[Path(name).suffix], f'"{digest}"')

    @property
    def version(self) -> str:
        return self.etag.strip('"')


def _load() -> tuple[_File, dict[str, _File]]:
    assets = {name: _File.of(name, (STATIC_DIR / name).read_bytes()) for name in _ASSETS}
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for name, asset in assets.items():
        page = page.replace(f'"/static/{name}"', f'"/static/{name}?v={asset.version}"')
    return _File.of("index.html", page.encode("utf-8")), assets


def _answer(request: Request, file: _File, cache_control: str) -> Response:
    headers = {
        "ETag": file.etag,
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    if file.media_type.startswith("text/html"):
        headers["Content-Security-Policy"] = WEB_CSP
        headers["Referrer-Policy"] = "no-referrer"
    if file.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(file.body, media_type=file.media_type, headers=headers)


def web_router() -> APIRouter:
    """``GET /`` and ``GET /static/{name}``."""
    page, assets = _load()
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    def index(request: Request) -> Response:
        return _answer(request, page, _REVALIDATE)

    @router.get("/static/{name}", include_in_schema=False)
    def static(name: str, request: Request, v: str | None = None) -> Response:
        asset = assets.get(name)
        if asset is None:
            return JSONResponse({"error": "not_found", "message": "没有这个文件"}, status_code=404)
        return _answer(request, asset, _FOREVER if v == asset.version else _REVALIDATE)

    return router
