"""A staff reply at the desk reaches a WeChat litigant as one 客服消息."""

from __future__ import annotations

import time
from pathlib import Path

from bot.desk.accounts import add_staff
from bot.storage.db import Database
from tests.bot.channels.wechat_live import live_wechat
from tests.bot.desk.test_api_support import PASSWORD, StaffClient
from tests.fakes.wechat_server import msg_id


def test_staff_reply_goes_out_on_wechat_once(tmp_path: Path, model_path: Path) -> None:
    with live_wechat(tmp_path, model_path, aes_key=None) as live:
        user = "o-litigant-1"
        live.say(user, "转人工", msg_id("h1"), create_time=int(time.time()))
        database = Database(live.settings.database_url)
        with database.session() as session:
            add_staff(session, "lina", PASSWORD)
        staff = StaffClient(live.url, "lina")
        (item,) = [q for q in staff.queue() if q["channel"] == "wechat"]
        assert staff.action(item["conversation_id"], "claim").status_code == 200
        live.wechat.open_window(user)
        sent = staff.action(item["conversation_id"], "messages", {"text": "您好，我是导诉员李娜"})
        assert sent.status_code == 200 and sent.json()["delivered"] is True
        deadline = time.monotonic() + 10
        while not live.wechat.sent_to(user) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live.wechat.sent_to(user) == ["您好，我是导诉员李娜"]
