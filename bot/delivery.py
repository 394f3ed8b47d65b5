"""Staff replies to litigants on their own channel (the desk's outbound hook).

The web chat pulls staff replies itself; WeChat and Telegram need a push, each
through its channel's idempotent send path, keyed by the stored message so a
retry never sends twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.from_thread

from bot.storage.models import Conversation
from dialogs.replies import Reply


def make_deliver(state: Any) -> Callable[[Conversation, str], None]:
    """``app.state.deliver`` for the desk: push ``text`` to the conversation's platform."""

    def deliver(conversation: Conversation, text: str) -> None:
        # next_seq has just been taken by the stored staff message: unique per message
        key = f"staff:{conversation.id}:{conversation.next_seq}"
        wechat = getattr(state, "wechat", None)
        telegram = getattr(state, "telegram", None)
        if conversation.channel == "wechat" and wechat is not None:
            wechat.send_text(conversation.sender_id, text, key)
        elif conversation.channel == "telegram" and telegram is not None:
            # desk routes run in a worker thread; the bot lives on the event loop
            anyio.from_thread.run(telegram.deliver, int(conversation.sender_id), [Reply(text)], key)

    return deliver
