"""Screenshots of the guide desk for the README: docs/desk-queue.png and docs/desk-chat.png.

Run: .venv/bin/python scripts/desk_screenshots.py [--out-dir docs]
Starts the real app on a free loopback port (its own temporary database), lets four
web-chat litigants reach the desk for different reasons, and drives Debian's
Chromium (/usr/bin/chromium) through Playwright at a desktop size (1280×800).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bot.app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, server_settings  # noqa: E402
from tests.browser.server import base_url_of, bind_loopback, run_in_thread  # noqa: E402
from tests.browser.test_desk import PASSWORD, Desk  # noqa: E402

DEMO = json.loads((REPO / "bot/court/demo_cases.json").read_text(encoding="utf-8"))["cases"][0]
#: What each sample litigant says before reaching the desk, oldest first.
LITIGANTS = (
    ("标的5万诉讼费多少", "我还是想找工作人员问问"),
    ("帮我查一下案件进度", DEMO["case_number"], "转人工"),
    ("我家邻居的树挡住了我的光", "到底怎么办啊", "我的电话13800138000，麻烦回电"),
    ("立案需要带什么材料", "转人工"),
)
REPLY = f"您好，我是导诉员王芳。您的案件目前处于“{DEMO['stage']}”阶段，有新进展会在这里告诉您。"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        sock = bind_loopback()
        # the browser tests' server settings: own database, shipped config, this address
        settings = server_settings(Path(tmp), Settings().nlu_model_path, base_url_of(sock))
        app = bot.app.create_app(settings)
        with run_in_thread(app, sock=sock) as url, sync_playwright() as playwright:
            desk = Desk(url, settings.database_url, app)
            desk.add_staff("wangfang")
            for words in LITIGANTS:
                session = httpx.post(url + "/webchat/session").json()
                credential = f"Bearer {session['sender']}.{session['secret']}"
                for text in words:
                    httpx.post(
                        url + "/webchat/message",
                        json={"message": text},
                        headers={"Authorization": credential},
                        timeout=30,
                    ).raise_for_status()

            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(
                viewport={"width": 1280, "height": 800}, device_scale_factor=1, locale="zh-CN"
            )
            page.goto(url + "/desk/login")
            page.get_by_label("用户名").fill("wangfang")
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(url + "/desk")
            page.locator("#queue-list .card").nth(len(LITIGANTS) - 1).wait_for()
            page.locator(".live.on").wait_for()
            page.wait_for_timeout(1500)  # the waiting times tick once or twice
            args.out_dir.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out_dir / "desk-queue.png"))

            case_card = page.locator("#queue-list .card", has_text=DEMO["case_number"])
            case_card.get_by_role("button", name="接手").click()
            page.locator("#transcript .line").first.wait_for()
            page.get_by_label("回复内容").fill(REPLY)
            page.get_by_role("button", name="发送", exact=True).click()
            page.locator("#transcript .line.staff").wait_for()
            page.get_by_label("回复内容").fill("请问您还需要了解什么？")
            page.wait_for_timeout(800)
            page.screenshot(path=str(args.out_dir / "desk-chat.png"))
            browser.close()
    print(f"saved {args.out_dir / 'desk-queue.png'} and {args.out_dir / 'desk-chat.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
