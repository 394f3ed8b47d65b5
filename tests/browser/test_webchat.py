"""The web chat at ``/`` in real Chromium, against a real server."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.bot.rest_live import WebChat
from tests.browser.conftest import start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Locator, Page

WEBHOOK = "/webchat/message"
PULL = "/webchat/messages"


def open_chat(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.wait_for_function("() => (localStorage.getItem('yichuang.secret') || '').length > 0")


def credential(page: Page, base_url: str) -> WebChat:
    """The page's session, as its localStorage keeps it."""
    sender, secret = page.evaluate(
        "[localStorage.getItem('yichuang.sender'), localStorage.getItem('yichuang.secret')]"
    )
    return WebChat(base_url, sender, secret)


def say(page: Page, text: str) -> None:
    page.get_by_label("输入您的问题").fill(text)
    page.get_by_role("button", name="发送").click()


def bot_messages(page: Page) -> Locator:
    return page.locator(".msg.bot")


def user_bubbles(page: Page) -> Locator:
    return page.locator(".msg.user .bubble")


def wait_for_new_bot_message(page: Page, before: int) -> Locator:
    page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before, timeout=15_000
    )
    return bot_messages(page).nth(before)


@pytest.mark.parametrize(("width", "height"), [(390, 844), (360, 640)])
def test_page_fits_small_phones_with_large_type_and_tap_targets(
    browser: Browser, base_url: str, width: int, height: int
) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        response = page.goto(base_url + "/")
        assert response is not None and response.ok
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.get_by_role("heading", name="一窗 · 诉讼服务助手").is_visible()
        assert page.get_by_text("只提供程序信息，不提供法律意见").is_visible()
        assert page.get_by_label("输入您的问题").is_visible()
        assert page.get_by_role("log").get_attribute("aria-live") == "polite"

        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"page is {scroll_width}px wide at {width}px"

        body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert body_px >= 18
        menu = page.get_by_role("navigation", name="常用问题").get_by_role("button")
        assert menu.all_inner_texts() == ["立案", "诉讼费", "查案件", "示范文本", "转人工"]
        for target in [*menu.all(), page.get_by_role("button", name="发送")]:
            box = target.bounding_box()
            assert box is not None
            assert box["height"] >= 44 and box["width"] >= 44, target.inner_text()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert not problems, problems  # nothing blocked by the CSP, no script error
    finally:
        context.close()


def test_fee_question_is_answered_in_yuan(phone: Page, base_url: str) -> None:
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    say(phone, "标的5万诉讼费多少")
    assert user_bubbles(phone).last.inner_text() == "标的5万诉讼费多少"
    reply = wait_for_new_bot_message(phone, before)
    assert "元" in reply.inner_text()
    assert phone.get_by_label("输入您的问题").input_value() == ""


def test_reply_button_sends_its_payload_and_shows_its_title(phone: Page, base_url: str) -> None:
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    say(phone, "诉讼费")
    wait_for_new_bot_message(phone, before)
    chip = phone.locator(".msg.bot .reply-chip").first
    chip.wait_for()
    title = chip.inner_text()
    payload = chip.get_attribute("data-payload")
    assert payload and payload != title

    before = bot_messages(phone).count()
    with phone.expect_request(lambda r: r.url.endswith(WEBHOOK)) as sent:
        chip.click()
    assert json.loads(sent.value.post_data or "{}")["message"] == payload
    assert user_bubbles(phone).last.inner_text() == title
    assert payload not in phone.locator(".msg.user").all_inner_texts()
    wait_for_new_bot_message(phone, before)


def test_quick_menu_sends_its_words(phone: Page, base_url: str) -> None:
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    with phone.expect_request(lambda r: r.url.endswith(WEBHOOK)) as sent:
        phone.get_by_role("navigation", name="常用问题").get_by_role("button", name="立案").click()
    assert json.loads(sent.value.post_data or "{}")["message"] == "立案"
    assert user_bubbles(phone).last.inner_text() == "立案"
    wait_for_new_bot_message(phone, before)


def test_image_reply_shows_an_image_that_loads(phone: Page, base_url: str) -> None:
    open_chat(phone, base_url)
    say(phone, "我要离婚起诉状的示范文本")
    image = phone.locator(".msg.bot img").first
    image.wait_for()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.get_attribute("alt")
    opener = phone.locator(".msg.bot figure a").first
    assert re.match(r"^https?://", opener.get_attribute("href") or "")
    assert opener.get_attribute("target") == "_blank"


@pytest.mark.parametrize("markup", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"])
def test_markup_is_shown_as_literal_text(phone: Page, base_url: str, markup: str) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    phone.on("dialog", dismiss)
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    say(phone, markup)
    wait_for_new_bot_message(phone, before)
    assert user_bubbles(phone).last.inner_text() == markup
    phone.wait_for_timeout(500)  # time for an injected handler to fire, if there were one
    assert dialogs == []
    assert phone.locator(".log script, .log img[src='x']").count() == 0


def test_sender_id_is_random_and_kept_in_local_storage(
    browser: Browser, phone: Page, base_url: str
) -> None:
    open_chat(phone, base_url)
    chat = credential(phone, base_url)
    sender = chat.sender
    assert len(sender) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", sender)
    phone.reload()
    phone.wait_for_load_state()
    with phone.expect_request(lambda r: r.url.endswith(WEBHOOK)) as sent:
        say(phone, "你好")
    assert sent.value.headers["authorization"] == chat.headers["Authorization"]
    assert sender not in sent.value.url and sender not in (sent.value.post_data or "")

    other = browser.new_context()
    try:
        page = other.new_page()
        open_chat(page, base_url)
        assert page.evaluate("localStorage.getItem('yichuang.sender')") != sender
    finally:
        other.close()


def test_later_messages_arrive_by_polling_and_each_reply_shows_once(
    phone: Page, base_url: str
) -> None:
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    say(phone, "你好")
    wait_for_new_bot_message(phone, before)
    shown = bot_messages(phone).count()

    # The same conversation gets messages the page did not ask for (as a guide's reply
    # would): here the litigant's other tab, speaking with this page's credential.
    chat = credential(phone, base_url)
    with phone.expect_response(lambda r: PULL + "?" in r.url) as polled:
        later = chat.say("谢谢")
    assert chat.sender not in polled.value.url and chat.secret not in polled.value.url
    assert polled.value.request.headers["authorization"] == chat.headers["Authorization"]
    assert later and later[-1].get("text")
    phone.get_by_text(later[-1]["text"]).wait_for(timeout=15_000)
    phone.wait_for_timeout(5_000)  # one more poll: nothing may be shown twice
    assert bot_messages(phone).count() == shown + len(later)
    assert int(phone.evaluate("localStorage.getItem('yichuang.seq')")) > 0


def test_unreachable_server_shows_chinese_error_and_keeps_the_text(
    phone: Page, tmp_path: Path, model_path: Path
) -> None:
    server: Any = start_server(tmp_path / "first", model_path)
    with server as url:
        open_chat(phone, url)
    port = int(url.rsplit(":", 1)[1])

    say(phone, "立案需要带什么材料")
    alert = phone.get_by_role("alert")
    alert.wait_for()
    assert "无法连接服务器" in alert.inner_text()
    assert phone.get_by_label("输入您的问题").input_value() == "立案需要带什么材料"
    assert user_bubbles(phone).count() == 0

    (tmp_path / "second").mkdir()
    with start_server(tmp_path / "second", model_path, port=port):
        before = bot_messages(phone).count()
        phone.get_by_role("button", name="重新发送").click()
        wait_for_new_bot_message(phone, before)
    assert user_bubbles(phone).last.inner_text() == "立案需要带什么材料"
    assert phone.get_by_label("输入您的问题").input_value() == ""
    assert phone.get_by_role("alert").is_hidden()


def test_assets_are_cached_by_version_and_revalidated_by_etag(base_url: str) -> None:
    page = httpx.get(base_url + "/")
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-type"].startswith("text/html")
    script = re.search(r'src="(/static/chat\.js\?v=[0-9a-f]+)"', page.text)
    assert script is not None

    versioned = httpx.get(base_url + script[1])
    assert "immutable" in versioned.headers["cache-control"]
    again = httpx.get(base_url + script[1], headers={"If-None-Match": versioned.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(base_url + "/static/chat.js").headers["cache-control"] == "no-cache"

    missing = httpx.get(base_url + "/static/../bot/settings.py")
    assert missing.status_code == 404
    unknown = httpx.get(base_url + "/static/secret.txt")
    assert unknown.status_code == 404 and unknown.json()["message"] == "没有这个文件"


def test_each_session_gets_its_own_unguessable_sender(base_url: str) -> None:
    sessions = [httpx.post(base_url + "/webchat/session").json() for _ in range(5)]
    assert len({s["sender"] for s in sessions}) == 5 and len({s["secret"] for s in sessions}) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", s["sender"]) for s in sessions)  # 192 bits
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", s["secret"]) for s in sessions)  # 256 bits


def test_litigant_checks_a_demo_case_after_proving_identity(phone: Page, base_url: str) -> None:
    demo = json.loads(Path("bot/court/demo_cases.json").read_text(encoding="utf-8"))["cases"][0]
    open_chat(phone, base_url)
    before = bot_messages(phone).count()
    say(phone, "帮我查一下案件进度")
    assert "案号" in wait_for_new_bot_message(phone, before).inner_text()
    before = bot_messages(phone).count()
    say(phone, demo["case_number"])
    assert "查询码" in wait_for_new_bot_message(phone, before).inner_text()
    before = bot_messages(phone).count()
    say(phone, demo["query_code"])
    answer = wait_for_new_bot_message(phone, before).inner_text()
    assert demo["stage"] in answer and demo["court"] in answer


def test_an_answer_lost_on_the_way_is_resent_once_not_asked_twice(
    phone: Page, base_url: str
) -> None:
    """The server stored and answered, the phone lost the reply: 重新发送 shows that answer."""
    open_chat(phone, base_url)
    lost: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        lost.append(json.loads(route.request.post_data or "{}"))
        route.fetch()  # reaches the real server: stored and answered there
        route.abort("connectionreset")  # ...but the phone never hears back

    phone.route("**" + WEBHOOK, lose_the_first_answer)
    say(phone, "诉讼费怎么算")
    phone.get_by_role("alert").wait_for()
    before = bot_messages(phone).count()
    phone.get_by_role("button", name="重新发送").click()
    assert "哪一类" in wait_for_new_bot_message(phone, before).inner_text()
    phone.wait_for_timeout(1500)  # and no second copy follows
    assert bot_messages(phone).count() == before + 1
    pulled = credential(phone, base_url).pull()
    assert sum("哪一类" in m.get("text", "") for m in pulled) == 1  # answered once
    assert len(lost[0]["metadata"]["message_id"]) == 32


def test_one_page_cannot_read_another_pages_conversation(
    browser: Browser, phone: Page, base_url: str
) -> None:
    demo = json.loads(Path("bot/court/demo_cases.json").read_text(encoding="utf-8"))["cases"][0]
    open_chat(phone, base_url)
    for text in ("帮我查一下案件进度", demo["case_number"], demo["query_code"]):
        before = bot_messages(phone).count()
        say(phone, text)
        wait_for_new_bot_message(phone, before)
    assert demo["stage"] in bot_messages(phone).last.inner_text()
    victim = credential(phone, base_url)

    other = browser.new_context(locale="zh-CN")
    try:
        page = other.new_page()
        open_chat(page, base_url)
        # The other page, knowing the victim's sender id, asks with its own secret.
        answers = page.evaluate(
            """async (sender) => {
                const own = localStorage.getItem('yichuang.secret');
                const headers = { Authorization: 'Bearer ' + sender + '.' + own };
                const pulled = await fetch('/webchat/messages?after=0', { headers });
                const sent = await fetch('/webchat/message', {
                    method: 'POST',
                    headers: { ...headers, 'Content-Type': 'application/json' },
                    body: JSON.stringify({ message: '删除我的记录' }),
                });
                return [pulled.status, await pulled.text(), sent.status];
            }""",
            victim.sender,
        )
        assert answers[0] == 401 and demo["stage"] not in answers[1] and answers[2] == 401
        assert credential(page, base_url).pull() == []  # its own conversation: empty
        assert demo["case_number"] not in page.locator("#log").inner_text()
    finally:
        other.close()
    assert any(demo["stage"] in m.get("text", "") for m in victim.pull())  # intact


def test_a_page_that_kept_only_a_sender_gets_a_new_session_silently(
    phone: Page, base_url: str
) -> None:
    phone.goto(base_url + "/")
    old = "A" * 32  # what a page from before credentials kept
    phone.evaluate(
        "old => { localStorage.clear(); localStorage.setItem('yichuang.sender', old); }", old
    )
    open_chat(phone, base_url)
    chat = credential(phone, base_url)
    assert chat.sender != old
    before = bot_messages(phone).count()
    say(phone, "你好")
    wait_for_new_bot_message(phone, before)
    assert phone.get_by_role("alert").is_hidden()
    assert chat.pull()  # the new session's conversation
