"""Screenshot of the web chat after a short conversation, for the README: docs/webchat.png.

Run: .venv/bin/python scripts/screenshot.py [--out docs/webchat.png]
Starts the real app on a free loopback port (its own temporary database) and
drives Debian's Chromium (/usr/bin/chromium) through Playwright at 390×844.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import bot.app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, server_settings  # noqa: E402
from tests.browser.server import base_url_of, bind_loopback, run_in_thread  # noqa: E402

#: What the sample conversation types or taps, in order.
CONVERSATION = (("say", "算诉讼费"), ("tap", "借款、合同等要钱的纠纷"), ("say", "5万"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "webchat.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        sock = bind_loopback()
        # the browser tests' server settings: own database, shipped config, this address
        settings = server_settings(Path(tmp), Settings().nlu_model_path, base_url_of(sock))
        with (
            run_in_thread(bot.app.create_app(settings), sock=sock) as url,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN"
            )
            page.goto(url + "/")
            for action, words in CONVERSATION:
                replies = page.locator(".msg.bot").count()
                if action == "say":
                    page.get_by_label("输入您的问题").fill(words)
                    page.get_by_role("button", name="发送").click()
                else:
                    page.locator(".reply-chip", has_text=words).last.click()
                page.wait_for_function(
                    "n => document.querySelectorAll('.msg.bot').length > n", arg=replies
                )
            # Show the exchange from the tapped button on, rather than the answer's last lines.
            page.locator(".msg.user").nth(-2).evaluate("row => row.scrollIntoView()")
            page.wait_for_timeout(800)  # smooth scrolling settles
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
