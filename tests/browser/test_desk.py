"""The guide desk at ``/desk`` in real Chromium: staff and litigants in separate contexts.

One real server per module (bot.app.create_app, a real SQLite file); staff accounts
are made through bot.desk.accounts, as ``yichuang desk add-staff`` makes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

import bot.app
from tests.bot.rest_live import WebChat
from tests.browser.conftest import server_settings
from tests.browser.server import base_url_of, bind_loopback, run_in_thread
from tests.browser.test_webchat import bot_messages, open_chat, say, wait_for_new_bot_message

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, ViewportSize

PASSWORD = "desk-pass-2026"
WEBHOOK = "/webchat/message"  # what the web chat page posts to
CLOSING = "人工服务已结束"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
#: Routes anyone may reach: the login form and the assets of the login page.
PUBLIC = {"/desk/login", "/desk/static/{name}"}


@dataclass
class Desk:
    url: str
    database_url: str
    app: FastAPI

    def add_staff(self, username: str, role: str = "guide") -> str:
        """A staff account, made as ``yichuang desk add-staff`` makes it."""
        from bot.desk import accounts

        with self.app.state.db.session() as session:
            accounts.add_staff(session, username, PASSWORD, role)
        return username

    def handoff(self, text: str = "转人工") -> str:
        """A web-chat litigant (over plain HTTP) who asks for a human; returns the sender id."""
        chat = WebChat.start(self.url)
        chat.say(text)
        return chat.sender


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[Desk]:
    tmp = tmp_path_factory.mktemp("desk")
    sock = bind_loopback()
    settings = server_settings(tmp, model_path, base_url_of(sock))
    app = bot.app.create_app(settings)
    with run_in_thread(app, sock=sock) as url:
        yield Desk(url, settings.database_url, app)


@pytest.fixture
def staff(browser: Browser, desk: Desk) -> Iterator[Callable[[str], Page]]:
    """Log a staff member in at /desk in a fresh desktop-sized context of their own."""
    contexts: list[Any] = []

    def login(username: str) -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # "结束人工服务？"
        page.goto(desk.url + "/desk")
        assert page.url == desk.url + "/desk/login"
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(desk.url + "/desk")
        page.locator("#me-name", has_text=username).wait_for()
        page.locator(".live.on").wait_for()  # the live stream is open
        return page

    try:
        yield login
    finally:
        for context in contexts:
            context.close()


def card_ids(page: Page) -> list[str]:
    """The ids of the queue's cards, once the page has loaded the queue."""
    page.locator("body[data-queue='loaded']").wait_for(state="attached")
    return [
        str(i)
        for i in page.locator("#queue-list .card").evaluate_all(
            "cards => cards.map(c => c.dataset.id)"
        )
    ]


def wait_for_new_card(page: Page, known: list[str]) -> str:
    """The id of a queue card that was not there before (appears without a reload)."""
    handle = page.wait_for_function(
        """known => {
            const fresh = [...document.querySelectorAll('#queue-list .card')]
                .map(c => c.dataset.id).filter(id => !known.includes(id));
            return fresh.length ? fresh[0] : null;
        }""",
        arg=known,
        timeout=20_000,
    )
    return str(handle.json_value())


def card(page: Page, conversation_id: str) -> Any:
    return page.locator(f"#queue-list .card[data-id='{conversation_id}']")


def transcript_lines(page: Page) -> list[str]:
    return page.locator("#transcript .line-text").all_inner_texts()


def test_litigant_reaches_staff_and_the_bot_takes_over_again(
    desk: Desk, staff: Callable[[str], Page], phone: Page
) -> None:
    desk.add_staff("wang")
    guide = staff("wang")
    guide.evaluate("window.noReload = true")
    known = card_ids(guide)

    open_chat(phone, desk.url)
    before = bot_messages(phone).count()
    phone.get_by_role("navigation", name="常用问题").get_by_role("button", name="转人工").click()
    wait_for_new_bot_message(phone, before)

    chat_id = wait_for_new_card(guide, known)
    assert guide.evaluate("window.noReload") is True  # it appeared live, no reload
    item = card(guide, chat_id)
    assert item.locator(".badge.reason").inner_text() == "用户要求"
    assert item.locator(".badge.channel").inner_text() == "网页"
    assert re.fullmatch(r"等待 \d+秒", item.locator(".wait").inner_text())
    assert "转人工" in item.locator(".summary").inner_text()  # the NLU's guess, as a label

    item.get_by_role("button", name="接手").click()
    guide.locator("#chat-body").wait_for()
    guide.locator("#transcript .line.user", has_text="转人工").wait_for()
    assert guide.locator("#chat-meta").inner_text() == "人工服务中 · 接手人：wang"

    reply = "您好，我是导诉员小王，请问您要办理什么事？"
    guide.get_by_label("回复内容").fill(reply)
    guide.get_by_role("button", name="发送", exact=True).click()
    guide.locator("#transcript .line.staff", has_text=reply).wait_for()
    assert guide.get_by_label("回复内容").input_value() == ""

    phone.locator(".msg.bot", has_text=reply).wait_for(timeout=20_000)
    shown = bot_messages(phone).count()

    # The litigant answers: it reaches the desk live, and the bot says nothing.
    with phone.expect_response(lambda r: r.url.endswith(WEBHOOK)) as answered:
        say(phone, "我想立案，起诉别人欠钱不还")
    assert answered.value.json() == []
    guide.locator("#transcript .line.user", has_text="欠钱不还").wait_for()
    phone.wait_for_timeout(5_000)  # one web-chat poll: still nothing from the bot
    assert bot_messages(phone).count() == shown

    guide.get_by_role("button", name="结束服务").click()
    guide.get_by_text(f"对话 #{chat_id} 已结束").first.wait_for()
    phone.locator(".msg.bot", has_text=CLOSING).wait_for(timeout=20_000)
    closing = phone.locator(".msg.bot", has_text=CLOSING).last
    assert closing.locator(".reply-chip").count() == 5  # the 1–5 rating

    before = bot_messages(phone).count()
    say(phone, "标的5万诉讼费多少")
    assert "元" in wait_for_new_bot_message(phone, before).inner_text()
    assert card(guide, chat_id).count() == 0


def test_two_staff_race_for_one_chat_and_only_one_gets_it(
    desk: Desk, staff: Callable[[str], Page]
) -> None:
    desk.add_staff("li")
    desk.add_staff("zhao")
    first, second = staff("li"), staff("zhao")
    known = card_ids(first)
    desk.handoff()
    chat_id = wait_for_new_card(first, known)
    card(second, chat_id).get_by_role("button", name="接手").wait_for()

    buttons = [card(page, chat_id).get_by_role("button", name="接手") for page in (first, second)]
    for button in buttons:  # both clicks are sent before either answer comes back
        button.evaluate("b => b.click()")

    for page in (first, second):
        page.wait_for_function(
            "() => !document.getElementById('chat-body').hidden"
            " || document.getElementById('notice').textContent.includes('已被其他工作人员接手')"
        )
    opened = [not page.locator("#chat-body").is_hidden() for page in (first, second)]
    assert sorted(opened) == [False, True], opened
    winner, loser = (first, second) if opened[0] else (second, first)
    assert loser.get_by_role("status").inner_text() == "已被其他工作人员接手"
    name, other = ("li", "zhao") if winner is first else ("zhao", "li")
    loser.locator(f"#queue-list .card[data-id='{chat_id}'] .holder", has_text=name).wait_for()

    # The winner hands the chat to the colleague, who opens it from the queue.
    winner.get_by_label("转给同事").fill(other)
    winner.get_by_role("button", name="转交").click()
    winner.get_by_role("status").filter(has_text=f"已转给 {other}").wait_for()
    assert winner.locator("#chat-body").is_hidden()
    card(loser, chat_id).get_by_role("button", name="打开").click()
    loser.locator("#chat-meta", has_text=f"接手人：{other}").wait_for()
    assert loser.get_by_role("button", name="结束服务").is_enabled()


def served(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every (method, path) of these routes, looking inside included routers.

    FastAPI ≥ 0.16x keeps an included router as one wrapper route, not as copies.
    """
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from served(inner.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods or ()):
                yield method, prefix + route.path


def desk_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /desk but the public ones, ids filled in."""
    return sorted(
        {
            (method, re.sub(r"\{[^}]+\}", "1", path))
            for method, path in served(app.routes)
            if path.startswith("/desk") and path not in PUBLIC
        }
    )


def is_page(method: str, path: str) -> bool:
    """An HTML page of the desk (redirects when logged out), not a JSON or event endpoint."""
    return method == "GET" and not path.startswith(("/desk/api/", "/desk/events"))


@pytest.mark.parametrize("cookie", [None, "forged-session-token"])
def test_logged_out_visitors_reach_no_desk_page_or_api(
    desk: Desk, browser: Browser, cookie: str | None
) -> None:
    routes = desk_routes(desk.app)
    paths = {path for _, path in routes}
    for needed in (
        "/desk",
        "/desk/api/me",
        "/desk/api/queue",
        "/desk/api/canned",
        "/desk/api/stats",
        "/desk/events",
        "/desk/logout",
        "/desk/api/conversations/1",
        "/desk/api/conversations/1/claim",
        "/desk/api/conversations/1/messages",
        "/desk/api/conversations/1/transfer",
        "/desk/api/conversations/1/close",
    ):
        assert needed in paths, f"{needed} is not served"

    cookies = {"yichuang_desk": cookie} if cookie else None
    with httpx.Client(
        base_url=desk.url, follow_redirects=False, timeout=30, cookies=cookies
    ) as client:
        for method, path in routes:
            body: dict[str, str] | None = {} if method in ("POST", "PUT", "PATCH") else None
            answer = client.request(method, path, json=body)
            if is_page(method, path):
                assert answer.status_code == 303, (method, path, answer.status_code)
                assert answer.headers["location"] == "/desk/login", (method, path)
            else:
                assert answer.status_code == 401, (method, path, answer.status_code)
                assert answer.json()["message"] == "请先登录", (method, path)

    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        for path in sorted(path for method, path in routes if is_page(method, path)):
            page.goto(desk.url + path)
            assert page.url == desk.url + "/desk/login", path
            assert page.get_by_role("button", name="登录").is_visible()
    finally:
        context.close()


def test_wrong_password_and_logout_in_the_browser(
    desk: Desk, staff: Callable[[str], Page], browser: Browser
) -> None:
    desk.add_staff("sun")
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(desk.url + "/desk/login")
        page.get_by_label("用户名").fill("sun")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        assert page.get_by_role("alert").inner_text() == "用户名或密码不正确，请重新输入。"
        assert page.url == desk.url + "/desk/login"
    finally:
        context.close()

    guide = staff("sun")
    guide.get_by_role("button", name="退出登录").click()
    guide.wait_for_url(desk.url + "/desk/login")
    guide.goto(desk.url + "/desk")
    assert guide.url == desk.url + "/desk/login"
    assert guide.request.get(desk.url + "/desk/api/queue").status == 401


def test_state_changes_without_the_csrf_token_are_refused(
    desk: Desk, staff: Callable[[str], Page]
) -> None:
    desk.add_staff("qian", role="admin")
    admin = staff("qian")
    known = card_ids(admin)
    desk.handoff()
    chat_id = wait_for_new_card(admin, known)

    changing = [
        (method, path.replace("/1/", f"/{chat_id}/"))
        for method, path in desk_routes(desk.app)
        if method not in ("GET", "HEAD") and path.startswith("/desk/api/")
    ]
    assert ("POST", f"/desk/api/conversations/{chat_id}/claim") in changing
    token = admin.evaluate("fetch('/desk/api/me').then(r => r.json()).then(b => b.csrf_token)")
    for method, path in changing:
        for headers in ({}, {"X-CSRF-Token": "forged" + token[:4]}):
            answer = admin.request.fetch(desk.url + path, method=method, headers=headers, data={})
            assert answer.status == 403, (method, path, headers, answer.status)
            assert answer.json()["message"], (method, path)

    admin.reload()  # nothing changed: the chat still waits for someone to claim it
    card(admin, chat_id).get_by_role("button", name="接手").wait_for()
    ok = admin.request.post(
        desk.url + f"/desk/api/conversations/{chat_id}/claim", headers={"X-CSRF-Token": token}
    )
    assert ok.status == 200


MARKUP = "<img src=x onerror=alert(1)>"


def test_markup_from_litigants_staff_and_canned_answers_shows_as_text(
    desk: Desk, staff: Callable[[str], Page], phone: Page
) -> None:
    alerts: list[str] = []

    def record(dialog: Dialog) -> None:
        if dialog.type == "alert":
            alerts.append(dialog.message)
        dialog.dismiss()

    desk.add_staff("zhou", role="admin")
    admin = staff("zhou")
    token = admin.evaluate("fetch('/desk/api/me').then(r => r.json()).then(b => b.csrf_token)")
    canned_title = "<b>问候</b><script>alert(2)</script>"
    canned_text = "您好<img src=x onerror=alert(3)>，请稍等。"
    made = admin.request.post(
        desk.url + "/desk/api/canned",
        headers={"X-CSRF-Token": token},
        data={"title": canned_title, "text": canned_text},
    )
    assert made.ok, made.text()
    admin.reload()
    admin.on("dialog", record)
    phone.on("dialog", record)
    known = card_ids(admin)

    open_chat(phone, desk.url)
    before = bot_messages(phone).count()
    say(phone, "转人工")
    wait_for_new_bot_message(phone, before)
    with phone.expect_response(lambda r: r.url.endswith(WEBHOOK)):
        say(phone, MARKUP)  # while queued: for the desk only

    chat_id = wait_for_new_card(admin, known)
    card(admin, chat_id).get_by_role("button", name="接手").click()
    admin.locator("#transcript .line.user", has_text=MARKUP).wait_for()
    assert MARKUP in transcript_lines(admin)

    # A colleague's name typed with markup comes back in the refusal as text.
    admin.get_by_label("转给同事").fill("<b>x</b>")
    admin.get_by_role("button", name="转交").click()
    admin.get_by_role("status").filter(has_text="<b>x</b>").wait_for()

    option = admin.locator("#canned option", has_text="问候")
    assert option.inner_text() == canned_title
    admin.get_by_label("常用答复").select_option(label=canned_title)
    assert admin.get_by_label("回复内容").input_value() == canned_text
    admin.get_by_role("button", name="发送", exact=True).click()
    admin.locator("#transcript .line.staff", has_text="请稍等").wait_for()
    assert canned_text in transcript_lines(admin)
    assert admin.locator("#transcript .line-who", has_text="zhou").count() >= 1

    phone.locator(".msg.bot", has_text="请稍等").wait_for(timeout=20_000)
    assert phone.locator(".msg.bot .bubble").last.inner_text() == canned_text
    admin.wait_for_timeout(500)  # time for an injected handler to fire, if there were one
    assert alerts == []
    for page in (admin, phone):
        assert page.locator("img[src='x'], #transcript b, .log b, #canned b").count() == 0


def test_staff_send_a_model_text_link_that_the_web_chat_opens(
    desk: Desk, staff: Callable[[str], Page], phone: Page
) -> None:
    desk.add_staff("wu")
    guide = staff("wu")
    known = card_ids(guide)
    open_chat(phone, desk.url)
    before = bot_messages(phone).count()
    say(phone, "转人工")
    wait_for_new_bot_message(phone, before)
    chat_id = wait_for_new_card(guide, known)
    card(guide, chat_id).get_by_role("button", name="接手").click()
    guide.locator("#chat-body").wait_for()

    assert guide.locator("#template-number option").count() == 67
    guide.get_by_label("示范文本").select_option(value="2")
    guide.get_by_role("button", name="发送示范文本二维码").click()
    guide.locator("#transcript .line.staff", has_text="/templates/2").wait_for()

    link = phone.locator(".msg.bot a", has_text="/templates/2")
    link.wait_for(timeout=20_000)
    href = link.get_attribute("href") or ""
    assert href == desk.url + "/templates/2"
    template = httpx.get(href)
    assert template.status_code == 200 and "qr.png" in template.text


def test_stats_tab_draws_a_bar_per_day_with_todays_handled_chat(
    desk: Desk, staff: Callable[[str], Page]
) -> None:
    desk.add_staff("zheng")
    guide = staff("zheng")
    known = card_ids(guide)
    desk.handoff()
    chat_id = wait_for_new_card(guide, known)
    card(guide, chat_id).get_by_role("button", name="接手").click()
    guide.get_by_role("button", name="结束服务").click()
    guide.get_by_text(f"对话 #{chat_id} 已结束").first.wait_for()

    guide.get_by_role("button", name="统计").click()
    rows = guide.locator("#stats-body tr")
    rows.first.wait_for()
    assert rows.count() == 14
    assert guide.locator("#chart rect.column").count() == 14
    today = rows.last.locator("td").all_inner_texts()  # oldest day first
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", today[0])
    assert int(today[1]) >= 1 and int(today[2]) >= 1  # handed off, closed
    assert re.fullmatch(r"\d+(秒|分\d+秒|小时\d+分)", today[3]), today  # average wait
    heights = guide.locator("#chart rect.column").evaluate_all(
        "bars => bars.map(b => b.getBoundingClientRect().height)"
    )
    assert heights[0] == 0 and heights[-1] > 100, heights  # a fresh server: only today counts
    assert guide.locator("#stats-error").is_hidden()


def test_desk_pages_carry_a_strict_policy_and_no_script_errors(
    desk: Desk, staff: Callable[[str], Page], browser: Browser
) -> None:
    login = httpx.get(desk.url + "/desk/login")
    assert login.status_code == 200
    assert "default-src 'self'" in login.headers["content-security-policy"]
    assert login.headers["cache-control"] == "no-store"
    assert "<script>" not in login.text and "style=" not in login.text
    script = re.search(r'src="(/desk/static/login\.js\?v=[0-9a-f]+)"', login.text)
    assert script is not None
    assert "immutable" in httpx.get(desk.url + script[1]).headers["cache-control"]
    missing = httpx.get(desk.url + "/desk/static/../web.py")
    assert missing.status_code == 404

    desk.add_staff("feng")
    problems: list[str] = []
    guide = staff("feng")
    guide.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    guide.on("pageerror", lambda e: problems.append(str(e)))
    guide.reload()
    guide.locator(".live.on").wait_for()
    guide.get_by_role("button", name="统计").click()
    guide.locator("#stats-body tr").first.wait_for()
    assert not problems, problems
