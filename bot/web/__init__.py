"""The mobile web chat: one static page, a client of the web chat API (bot.channels.webchat)."""

from bot.web.routes import WEB_CSP, web_router

__all__ = ["WEB_CSP", "web_router"]
