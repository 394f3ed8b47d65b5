"""WeChat benchmark: how fast pushes are acknowledged when the court API is slow.

Run: .venv/bin/python benchmarks/wechat_bench.py [--users 50] [--seconds 60]
     [--delay 4] [--json]
A ``yichuang serve`` subprocess with the WeChat channel on (safe mode, AES) and
its court simulator; a fake WeChat platform (tests/fakes/wechat_server.py) in
this process both signs and encrypts the pushes exactly as WeChat does and
serves the 客服消息 API the channel sends late answers to. ``--users`` people
each send their next message 1–3 s after the previous push was acknowledged
(the same colloquial mix as serve_bench.py: 30 % of conversations look a case
up). The ack latency is the time from sending a push to WeChat getting the HTTP
answer (the passive reply, or "success" when the answer follows as 客服消息).
First with the simulator as it is, then with every court API request delayed
by ``--delay`` seconds (``PUT /_sim/faults`` on a simulator the benchmark runs
and names as the court API: the app's own one is reachable by the app only).
Users start within the first two seconds of a phase; ``--start-burst`` sends
every user's first push at the same instant instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from harness import (
    ROOT,
    CpuMeter,
    all_scripts,
    cpu_seconds,
    database,
    distribution,
    machine,
    serve,
    trained_model,
    workdir,
)

sys.path.insert(0, str(ROOT))  # tests.fakes: the fake WeChat platform the tests use

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN = "bench-token"
APP_ID = "wx2c2769f8efd9abc2"
APP_SECRET = "s3cret"


@dataclass
class Acks:
    court_ms: list[float] = field(default_factory=list)  # pushes whose turn asks the court
    other_ms: list[float] = field(default_factory=list)
    passive: int = 0  # answered in the HTTP response
    later: int = 0  # "success": the answer follows as 客服消息
    busy: int = 0  # passive answers saying the court system is busy
    failed: int = 0  # non-200 or transport errors
    #: Pushes answered "success": (user, wall-clock time the push was sent).
    waiting: list[tuple[str, float]] = field(default_factory=list)
    #: Push sent → answer on the user's phone: the passive reply's arrival, or the 客服消息's.
    answered_ms: list[float] = field(default_factory=list)


async def push(http: httpx.AsyncClient, fake: Any, xml: str, openid: str) -> httpx.Response:
    """``FakeWeChat.push`` in safe mode, on a shared async client (the fake's own sync
    push opens a new HTTP client per call, whose start-up would dominate the timing)."""
    from bot.channels.wechat import Codec, sha1_signature

    timestamp, nonce = str(int(time.time())), str(random.randrange(10**10))
    fake.open_window(openid)  # a user's message opens the 客服消息 window
    encrypted = Codec(fake.token, fake.aes_key, fake.app_id).encrypt(xml)
    params = {
        "signature": sha1_signature(fake.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
        "encrypt_type": "aes",
        "msg_signature": sha1_signature(fake.token, timestamp, nonce, encrypted),
    }
    body = (
        f"<xml><ToUserName><![CDATA[{fake.account}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    return await http.post(
        "/webhooks/wechat",
        params=params,
        content=body.encode("utf-8"),
        headers={"Content-Type": "text/xml"},
    )


async def user(
    name: str,
    http: httpx.AsyncClient,
    fake: Any,
    acks: Acks,
    stop: float,
    rng: random.Random,
    counter: list[int],
    stagger: float,
) -> None:
    scripts = all_scripts()
    generation = 0
    # People start within the first ``stagger`` seconds, as later messages follow 1–3 s
    # after the previous answer.
    await asyncio.sleep(rng.uniform(0.0, stagger))
    while time.monotonic() < stop:
        generation += 1
        openid = f"o{name}-{generation}"
        previous = ""
        for text, expected in rng.choice(scripts):
            if time.monotonic() >= stop:
                return
            counter[0] += 1
            xml = fake.text_xml(openid, text, str(10**18 + counter[0]), int(time.time()))
            began, sent_at = time.perf_counter(), time.time()
            try:
                response = await push(http, fake, xml, openid)
            except httpx.HTTPError:
                acks.failed += 1
                break
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                acks.failed += 1
                break
            (acks.court_ms if previous == "查询码" else acks.other_ms).append(elapsed)
            reply = fake.read_reply(response)
            if reply is None:
                acks.later += 1
                acks.waiting.append((openid, sent_at))
            else:
                acks.passive += 1
                acks.answered_ms.append(elapsed)
                acks.busy += "系统繁忙" in str(reply.get("Content", ""))
            previous = expected
            await asyncio.sleep(rng.uniform(1.0, 3.0))


async def phase(
    url: str, fake: Any, users: int, seconds: float, seed: int, pids: list[int], stagger: float
) -> dict[str, Any]:
    acks = Acks()
    cpu_before, began, meter = cpu_seconds(pids), time.monotonic(), CpuMeter(pids)
    rng = random.Random(seed)
    sent_before = len(fake.sent)
    stop = time.monotonic() + seconds
    counter = [seed * 10**6]
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        await asyncio.gather(
            *(
                user(
                    f"{seed}-{i}",
                    http,
                    fake,
                    acks,
                    stop,
                    random.Random(rng.random()),
                    counter,
                    stagger,
                )
                for i in range(users)
            )
        )
    cpu_used, wall, cores = cpu_seconds(pids) - cpu_before, time.monotonic() - began, meter.cores()
    await asyncio.sleep(6)  # late answers still on their way as 客服消息
    late = _late_answers(fake.sent[sent_before:], acks.waiting)
    everything = acks.court_ms + acks.other_ms
    return {
        "pushes": len(everything),
        "pushes_per_s": round(len(everything) / wall, 1),
        **cores,
        "server_cpu_ms_per_push": round(cpu_used * 1000 / max(1, len(everything)), 1),
        "ack_all": distribution(everything),
        "ack_court_turns": distribution(acks.court_ms),
        "ack_other_turns": distribution(acks.other_ms),
        "share_of_acks_over_1s": round(sum(ms > 1000 for ms in everything) / len(everything), 3),
        "passive_replies": acks.passive,
        "success_then_custom_message": acks.later,
        "custom_messages_sent": len(fake.sent) - sent_before,
        "success_never_answered": len(acks.waiting) - len(late),
        "answer_on_phone_all": distribution(acks.answered_ms + late),
        "answer_on_phone_after_success": distribution(late),
        "court_busy_answers": acks.busy
        + sum("系统繁忙" in s.content for s in fake.sent[sent_before:]),
        "failed": acks.failed,
    }


def _late_answers(sent: list[Any], waiting: list[tuple[str, float]]) -> list[float]:
    """For each "success" push, ms until the next 客服消息 to that user not yet matched to
    an earlier push (one user's turns are answered in order)."""
    late, used = [], set()
    for openid, sent_at in sorted(waiting, key=lambda w: w[1]):
        for index, message in enumerate(sent):
            if index not in used and message.touser == openid and message.at >= sent_at:
                used.add(index)
                late.append((message.at - sent_at) * 1000)
                break
    return late


#: The key of the court simulator the benchmark runs (and names as the court API).
COURT_KEY = "wechat-bench-court-key"


def main() -> None:
    from bot.court.simulator import create_simulator
    from bot.serving import serve_in_thread
    from tests.fakes.wechat_server import FakeWeChat

    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--delay", type=float, default=4.0, help="court API delay, seconds")
    parser.add_argument(
        "--start-burst", action="store_true", help="every user's first push at one instant"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    stagger = 0.0 if args.start_burst else 2.0

    fake = FakeWeChat(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, aes_key=AES_KEY)
    model = trained_model()
    results: dict[str, Any] = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "users": args.users,
        "seconds": args.seconds,
        "start_within_s": stagger,
    }
    with (
        serve_in_thread(fake.app()) as api_url,
        serve_in_thread(create_simulator(None, COURT_KEY, faults=True)) as court_url,
        workdir("yichuang-wechat-") as directory,
        database("sqlite", directory) as url,
        serve(
            url,
            model,
            directory,
            extra_env={
                "YICHUANG_WECHAT_TOKEN": TOKEN,
                "YICHUANG_WECHAT_AES_KEY": AES_KEY,
                "YICHUANG_WECHAT_APP_ID": APP_ID,
                "YICHUANG_WECHAT_APP_SECRET": APP_SECRET,
                "YICHUANG_WECHAT_API_BASE_URL": api_url + "/",
                "YICHUANG_COURT_API_URL": court_url,
                "YICHUANG_COURT_API_KEY": COURT_KEY,
            },
        ) as server,
    ):
        pids = server.pids()
        results["court_normal"] = asyncio.run(
            phase(server.url, fake, args.users, args.seconds, 1, pids, stagger)
        )
        fault = {"delay_seconds": args.delay}
        response = httpx.put(
            f"{court_url}/_sim/faults", json=fault, headers={"X-API-Key": COURT_KEY}, timeout=10
        )
        response.raise_for_status()
        results[f"court_delayed_{args.delay:g}s"] = asyncio.run(
            phase(server.url, fake, args.users, args.seconds, 2, pids, stagger)
        )
        results["rss"] = server.rss()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for key, value in results.items():
            print(f"{key}: {json.dumps(value, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
