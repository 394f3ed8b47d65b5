"""The mobile web chat: one static page that speaks the Rasa REST channel."""

from bot.web.routes import WEB_CSP, web_router

__all__ = ["WEB_CSP", "web_router"]
