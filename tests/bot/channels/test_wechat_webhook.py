"""The WeChat webhook over real HTTP: what a litigant sees, and what attackers do not get."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from bot.channels.wechat import sha1_signature
from tests.bot.channels.wechat_live import Live, live_wechat
from tests.databases import stored_rows
from tests.fakes.wechat_server import msg_id

VECTORS = json.loads((Path(__file__).parents[2] / "data/wechat/vectors.json").read_text("utf-8"))


@pytest.fixture
def live(tmp_path: Path, model_path: Path) -> Iterator[Live]:
    with live_wechat(tmp_path, model_path) as running:
        yield running


def inbound_texts(live: Live, user: str) -> list[str]:
    rows = stored_rows(
        live.settings.database_url,
        "SELECT m.text FROM messages m JOIN conversations c ON c.id = m.conversation_id"
        " WHERE c.channel = 'wechat' AND c.sender_id = :user AND m.direction = 'in'"
        " ORDER BY m.seq",
        user=user,
    )
    return [row[0] for row in rows]


def test_url_verification_echoes_the_official_example(tmp_path: Path, model_path: Path) -> None:
    v = VECTORS["plain_signatures"][1]
    params = {k: v[k] for k in ("signature", "timestamp", "nonce", "echostr")}
    with live_wechat(tmp_path, model_path, token="AAAAA", clock=lambda: 1714036504.0) as live:
        answer = httpx.get(f"{live.url}/webhooks/wechat", params=params)
        assert (answer.status_code, answer.text) == (200, "4375120948345356249")
        wrong = httpx.get(f"{live.url}/webhooks/wechat", params={**params, "nonce": "1"})
        assert wrong.status_code == 403 and "签名" in wrong.text
    with live_wechat(tmp_path, model_path, token="AAAAA") as live:  # today: a 2024 replay
        late = httpx.get(f"{live.url}/webhooks/wechat", params=params)
        assert late.status_code == 403 and "过期" in late.text


def _post_vector_c(live: Live) -> httpx.Response:
    v = VECTORS["decrypt"][0]
    return httpx.post(
        f"{live.url}/webhooks/wechat",
        params={
            "signature": sha1_signature(v["token"], v["timestamp"], v["nonce"]),
            "timestamp": v["timestamp"],
            "nonce": v["nonce"],
            "encrypt_type": "aes",
            "msg_signature": v["msg_signature"],
        },
        content=v["body"].encode(),
        timeout=30,
    )


def test_official_compat_vector_is_answered_encrypted(tmp_path: Path, model_path: Path) -> None:
    with live_wechat(tmp_path, model_path, token="spamtest", clock=lambda: 1409735669.0) as live:
        reply = live.wechat.read_reply(_post_vector_c(live))
        assert reply is not None and reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
        assert reply["FromUserName"] == "gh_10f6c3c3ac5a" and reply["MsgType"] == "text"
        assert reply["Content"]
        assert inbound_texts(live, "oyORnuP8q7ou2gfYjqLzSIWZf0rs") == ["abcdteT"]


def test_replayed_old_timestamp_is_rejected_and_nothing_stored(
    tmp_path: Path, model_path: Path
) -> None:
    with live_wechat(tmp_path, model_path, token="spamtest") as live:
        response = _post_vector_c(live)
        assert response.status_code == 403 and "过期" in response.text
        assert inbound_texts(live, "oyORnuP8q7ou2gfYjqLzSIWZf0rs") == []


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_numbered_choices_work_in_every_mode(live: Live, mode: str) -> None:
    menu = live.say("u-fee", "诉讼费怎么算", msg_id(mode + "1"), mode=mode)
    assert "哪一类" in menu and "回复 1 借款、合同等要钱的纠纷" in menu
    assert "回复 2 离婚" in menu
    answer = live.say("u-fee", "回复 2", msg_id(mode + "2"), mode=mode)
    assert "离婚" in answer and answer != menu
    assert inbound_texts(live, "u-fee")[-1].startswith("/fee_calculation")


def test_three_deliveries_of_one_message_get_one_answer(live: Live) -> None:
    first = live.say("u-retry", "诉讼费怎么算", "6054768590064713728")
    retries = [live.say("u-retry", "诉讼费怎么算", "6054768590064713728") for _ in range(2)]
    assert "哪一类" in first and retries == ["", ""]
    assert inbound_texts(live, "u-retry") == ["诉讼费怎么算"]


def test_identical_request_replayed_has_no_effect(live: Live) -> None:
    xml = live.wechat.text_xml("u-replay", "诉讼费怎么算", "42", 1_700_000_000)
    ts = int(time.time())
    first = live.wechat.push(live.url, xml, user="u-replay", timestamp=ts, nonce="777")
    again = live.wechat.push(live.url, xml, user="u-replay", timestamp=ts, nonce="777")
    assert "哪一类" in first.text and (again.status_code, again.text) == (200, "success")
    assert inbound_texts(live, "u-replay") == ["诉讼费怎么算"]


def test_msg_id_shared_by_two_users_answers_both(live: Live) -> None:
    answers = [live.say(user, "诉讼费怎么算", "1234567890123456789") for user in ("ua", "ub")]
    assert all("哪一类" in a for a in answers)


def _raw_push(live: Live, user: str, text: str, seed: str) -> socket.socket:
    """Send one signed push on its own connection and return without reading the answer."""
    ts, nonce = str(int(time.time())), seed
    query = urlencode(
        {"signature": sha1_signature("court-token", ts, nonce), "timestamp": ts, "nonce": nonce}
    )
    body = live.wechat.text_xml(user, text, msg_id(seed), 1_700_000_000).encode()
    host, port = live.url.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)))
    head = (
        f"POST /webhooks/wechat?{query} HTTP/1.1\r\nHost: {host}\r\n"
        f"Content-Type: text/xml\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    conn.sendall(head.encode() + body)
    return conn


def _read_all(conn: socket.socket) -> str:
    chunks = []
    while data := conn.recv(65536):
        chunks.append(data)
    conn.close()
    return b"".join(chunks).decode("utf-8", "replace")


def test_one_users_burst_is_handled_in_arrival_order(live: Live) -> None:
    # Writes from one thread, 50 ms apart, fix the arrival order at the server.
    texts = [f"第{i}条：你好" for i in range(10)]
    conns = []
    for i, text in enumerate(texts):
        conns.append(_raw_push(live, "u-burst", text, f"burst{i}"))
        time.sleep(0.05)
    answers = [_read_all(conn) for conn in conns]
    assert inbound_texts(live, "u-burst") == texts
    assert all(" 200 OK" in a.splitlines()[0] and "<Content>" in a for a in answers)


def test_handed_off_chat_gets_no_bot_reply(live: Live) -> None:
    live.say("u-human", "判了不服", msg_id("h1"))  # "上诉 还是 申请执行？"
    assert "导诉员" in live.say("u-human", "都不是", msg_id("h2"))
    assert live.say("u-human", "你好", msg_id("h3")) == ""
    assert inbound_texts(live, "u-human")[-1] == "你好"  # kept for the staff member


XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>u-evil</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content>"
    "<MsgId>1</MsgId></xml>"
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>u-evil</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content>"
    "<MsgId>2</MsgId></xml>"
)


@pytest.mark.parametrize("body", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("mode", ["plain", "safe"])
def test_entity_payloads_are_rejected_cleanly(live: Live, body: str, mode: str) -> None:
    response = live.wechat.push(live.url, body, mode=mode)
    assert response.status_code == 400 and "实体" in response.text
    assert "root:" not in response.text and "lol" not in response.text
    assert inbound_texts(live, "u-evil") == []


def test_bad_requests_get_chinese_errors_and_store_nothing(live: Live) -> None:
    xml = live.wechat.text_xml("u-bad", "你好", "9", 1)
    ts = str(int(time.time()))
    url = f"{live.url}/webhooks/wechat"
    unsigned = httpx.post(url, content=xml)
    forged = httpx.post(
        url, params={"signature": "0" * 40, "timestamp": ts, "nonce": "1"}, content=xml
    )
    good = {"signature": sha1_signature("court-token", ts, "5"), "timestamp": ts, "nonce": "5"}
    garbage = httpx.post(url, params=good, content="not xml at all")
    huge = live.wechat.push(live.url, xml.replace("你好", "长" * 40_000), user="u-bad")
    bad_cipher = httpx.post(
        url,
        params={
            **good,
            "nonce": "6",
            "signature": sha1_signature("court-token", ts, "6"),
            "encrypt_type": "aes",
            "msg_signature": sha1_signature("court-token", ts, "6", "QUJD"),
        },
        content="<xml><Encrypt><![CDATA[QUJD]]></Encrypt></xml>",
    )
    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert "签名" in unsigned.text + forged.text
    assert garbage.status_code == 400 and "XML" in garbage.text
    assert huge.status_code == 413 and "过大" in huge.text
    assert bad_cipher.status_code == 400 and "解密" in bad_cipher.text
    assert inbound_texts(live, "u-bad") == []


def _event(live: Live, user: str, body: str, mode: str = "plain") -> str:
    xml = (
        f"<xml><ToUserName><![CDATA[gh_court0001]]></ToUserName>"
        f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>1700000001</CreateTime>"
        f"{body}</xml>"
    )
    reply = live.wechat.read_reply(live.wechat.push(live.url, xml, user=user, mode=mode))
    return "" if reply is None else str(reply["Content"])


def test_subscribe_greets_with_the_numbered_menu(live: Live) -> None:
    greeting = _event(live, "u-new", "<MsgType>event</MsgType><Event>subscribe</Event>")
    assert "一窗" in greeting and "回复 1 " in greeting
    again = _event(live, "u-new", "<MsgType>event</MsgType><Event>subscribe</Event>")
    assert again == ""  # the same event redelivered


def test_menu_click_acts_as_the_button_and_unsubscribe_is_silent(live: Live) -> None:
    click = "<MsgType>event</MsgType><Event>CLICK</Event><EventKey>/fee_calculation</EventKey>"
    assert "哪一类" in _event(live, "u-click", click, mode="safe")
    assert _event(live, "u-click", "<MsgType>event</MsgType><Event>unsubscribe</Event>") == ""


def test_voice_image_and_location(live: Live) -> None:
    heard = "<MsgType>voice</MsgType><MediaId>m</MediaId><Format>amr</Format>"
    assert "哪一类" in _event(
        live, "u-v", heard + "<Recognition>诉讼费怎么算</Recognition><MsgId>71</MsgId>"
    )
    assert "听不懂语音" in _event(
        live, "u-v", heard + "<Recognition></Recognition><MsgId>72</MsgId>"
    )
    image = "<MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl><MsgId>73</MsgId>"
    assert "看不懂图片" in _event(live, "u-v", image)
    where = "<MsgType>location</MsgType><Location_X>39.6</Location_X><Location_Y>109.8</Location_Y>"
    located = _event(live, "u-v", where + "<Label>东胜区</Label><MsgId>74</MsgId>")
    assert "已收到您的位置（东胜区）" in located


def _signed(live: Live, nonce: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"signature": sha1_signature("court-token", ts, nonce), "timestamp": ts, "nonce": nonce}


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("nul", ["&#0;", "&#x0;", "\x00"], ids=["decimal", "hex", "raw"])
def test_a_nul_in_a_field_is_a_400_not_a_500(live: Live, mode: str, nul: str) -> None:
    xml = (
        f"<xml><ToUserName>gh</ToUserName><FromUserName>u-nul{nul}</FromUserName>"
        f"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>你好{nul}</Content>"
        "<MsgId>31</MsgId></xml>"
    )
    response = live.wechat.push(live.url, xml, mode=mode)
    assert response.status_code == 400 and "XML" in response.text  # XML cannot hold NUL
    assert inbound_texts(live, "u-nul") == []


def test_nul_inside_cdata_is_a_400_and_an_escape_there_is_plain_text(live: Live) -> None:
    raw = live.wechat.push(live.url, live.wechat.text_xml("u-cdata", "你\x00好", "33", 1))
    assert raw.status_code == 400
    escaped = live.wechat.push(live.url, live.wechat.text_xml("u-cdata", "你好&#0;", "34", 1))
    assert escaped.status_code == 200  # inside CDATA "&#0;" is four characters, no NUL


def test_bad_pushes_keep_the_connection_alive(live: Live) -> None:
    deep = "<xml>" + "<a>" * 6000 + "</a>" * 6000 + "</xml>"  # under the 64 KB limit
    with httpx.Client(base_url=live.url, timeout=30) as client:
        for index, body in enumerate([deep, "<xml><Content>&#0;</Content></xml>"]):
            bad = client.post("/webhooks/wechat", params=_signed(live, f"k{index}"), content=body)
            assert bad.status_code == 400, bad.text
        xml = live.wechat.text_xml("u-kept", "你好", "32", int(time.time()))
        good = client.post("/webhooks/wechat", params=_signed(live, "k9"), content=xml)
        assert good.status_code == 200
        assert good.extensions["network_stream"] is bad.extensions["network_stream"]
