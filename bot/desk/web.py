"""The desk's pages: the login page, the desk itself (login required) and their assets.

The pages are static files and clients of the desk JSON API; nothing user-typed is
ever rendered on the server. Assets are served as the web chat serves its own
(in memory, with an ETag, ``?v=<hash>`` links cacheable for a year).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from bot.desk.auth import current_staff
from bot.web.routes import _answer, _File
from knowledge.intents import INTENT_LABELS
from knowledge.model_texts import load_model_texts

STATIC_DIR = Path(__file__).parent / "static"
_ASSETS = ("desk.js", "desk.css", "login.js")
_PAGES = ("desk.html", "login.html")
_FOREVER = "public, max-age=31536000, immutable"
#: The desk page shows who is logged in: never stored by a browser or a proxy.
_PRIVATE = "no-store"


def _load() -> tuple[dict[str, _File], dict[str, _File]]:
    assets = {name: _File.of(name, (STATIC_DIR / name).read_bytes()) for name in _ASSETS}
    pages = {}
    for page_name in _PAGES:
        page = (STATIC_DIR / page_name).read_text(encoding="utf-8")
        for name, asset in assets.items():
            page = page.replace(
                f'"/desk/static/{name}"', f'"/desk/static/{name}?v={asset.version}"'
            )
        pages[page_name] = _File.of(page_name, page.encode("utf-8"))
    return pages, assets


def _logged_in(request: Request) -> bool:
    try:
        current_staff(request)
    except HTTPException:
        return False
    return True


@cache
def _labels(config_dir: Path | None, base_url: str) -> dict[str, Any]:
    catalogue = load_model_texts(config_dir, base_url)
    base = base_url.rstrip("/")
    return {
        "intents": INTENT_LABELS,
        "templates": [
            {
                "number": text.number,
                "name": text.name,
                "title": text.title,
                "page": f"{base}/templates/{text.number}",
            }
            for text in catalogue.texts
        ],
    }


def desk_page_router() -> APIRouter:
    """``GET /desk``, ``GET /desk/login``, ``GET /desk/static/{name}``, ``GET /desk/api/labels``."""
    pages, assets = _load()
    router = APIRouter()

    @router.get("/desk", include_in_schema=False)
    def desk(request: Request) -> Response:
        if not _logged_in(request):
            return RedirectResponse("/desk/login", status_code=303)
        return _answer(request, pages["desk.html"], _PRIVATE)

    @router.get("/desk/login", include_in_schema=False)
    def login(request: Request) -> Response:
        if _logged_in(request):
            return RedirectResponse("/desk", status_code=303)
        return _answer(request, pages["login.html"], _PRIVATE)

    @router.get("/desk/static/{name}", include_in_schema=False)
    def static(name: str, request: Request, v: str | None = None) -> Response:
        asset = assets.get(name)
        if asset is None:
            return JSONResponse({"error": "not_found", "message": "没有这个文件"}, status_code=404)
        return _answer(request, asset, _FOREVER if v == asset.version else "no-cache")

    @router.get("/desk/api/labels", dependencies=[Depends(current_staff)])
    def labels(request: Request) -> dict[str, Any]:
        """What the page shows for intent names, and the 67 model texts staff can send."""
        settings = request.app.state.settings
        return _labels(settings.court_config_dir(), settings.public_base_url)

    return router
