"""What the serving benchmarks share: a real ``yichuang serve`` subprocess, its database,
simulated litigants speaking colloquial Chinese, and the arithmetic of the results.

Not a benchmark itself; ``serve_bench.py``, ``wechat_bench.py`` and ``soak_bench.py``
import it (run them as ``.venv/bin/python benchmarks/NAME.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from loadclient import LeanClient, LoadClientError

ROOT = Path(__file__).resolve().parents[1]
DEMO = json.loads((ROOT / "bot/court/demo_cases.json").read_text("utf-8"))["cases"]
#: Where the databases of PostgreSQL runs are created (a database per run, dropped after).
POSTGRES_ENV = ("YICHUANG_BENCH_POSTGRES_URL", "YICHUANG_TEST_POSTGRES_URL")


# -- numbers -----------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of unsorted ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def distribution(ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of latencies in milliseconds, rounded for the results table."""
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else math.nan,
    }


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {model}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


# -- processes ---------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    found = [pid]
    for current in found:
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            found.extend(int(child) for child in children.split())
    return found


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (VmRSS from /proc); 0 if it is gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def is_worker(pid: int) -> bool:
    """A process that serves requests (the supervisor and multiprocessing's tracker do not)."""
    with contextlib.suppress(OSError):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        return "resource_tracker" not in cmdline
    return False


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of ``pids`` so far (clock ticks from /proc/PID/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def machine_cpu_seconds() -> float:
    """CPU seconds all processes of this machine have used so far (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Cores kept busy during a measurement: by the server, this process, everything else.

    The machine is shared; "others" is what other people's processes took from it.
    """

    def __init__(self, server_pids: Sequence[int]) -> None:
        self.pids = list(server_pids)
        self.began = time.monotonic()
        self.server = cpu_seconds(self.pids)
        self.me = time.process_time()
        self.total = machine_cpu_seconds()

    def cores(self) -> dict[str, float]:
        wall = time.monotonic() - self.began
        server = (cpu_seconds(self.pids) - self.server) / wall
        me = (time.process_time() - self.me) / wall
        total = (machine_cpu_seconds() - self.total) / wall
        return {
            "server_cores": round(server, 2),
            "load_generator_cores": round(me, 2),
            "other_processes_cores": round(max(0.0, total - server - me), 2),
        }


# -- databases ---------------------------------------------------------------------------


def postgres_server() -> str | None:
    for name in POSTGRES_ENV:
        url = os.environ.get(name, "").strip()
        if url:
            return url
    return None


@contextlib.contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file in ``directory``, or a new PostgreSQL database
    on the server named by YICHUANG_BENCH_POSTGRES_URL (else YICHUANG_TEST_POSTGRES_URL),
    dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    server = postgres_server()
    if server is None:
        raise RuntimeError(f"PostgreSQL runs need one of {', '.join(POSTGRES_ENV)}")
    from sqlalchemy import make_url, text

    from bot.storage.db import make_engine

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def trained_model(directory: Path = ROOT / "var" / "bench") -> Path:
    """The shipped NLU data's model in ``directory``, trained only when missing or stale."""
    from nlu.train import DEFAULT_DATA_DIR, train

    path = directory / "model.pkl"
    train(DEFAULT_DATA_DIR, path, config_dir=ROOT / "config")
    return path


def free_port() -> int:
    from bot.serving import free_port as free

    return free()


@dataclass
class Server:
    """A running ``yichuang serve``: its URL, process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    started_s: float  # process start → /health answered 200

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def worker_pids(self) -> list[int]:
        return [pid for pid in self.pids() if is_worker(pid)]

    def rss(self) -> dict[str, float]:
        """Per-process RSS (MB) of the serving processes, their largest, and their sum."""
        each = [rss_mb(pid) for pid in self.worker_pids()]
        return {"max_mb": round(max(each), 1), "sum_mb": round(sum(each), 1)}


def server_env(
    database_url: str, model_path: Path, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env.update(
        {
            "YICHUANG_DATABASE_URL": database_url,
            "YICHUANG_NLU_MODEL_PATH": str(model_path),
            "YICHUANG_CONFIG_DIR": str(ROOT / "config"),
            # Staff are "in" around the clock: a handoff's wording does not depend on
            # the hour the benchmark runs.
            "YICHUANG_BUSINESS_HOURS": "Mon-Sun 00:00-23:59",
            "YICHUANG_COURT_SIM_FAULTS": "true",
        }
    )
    env.update(extra or {})
    return env


@contextlib.contextmanager
def serve(
    database_url: str,
    model_path: Path,
    directory: Path,
    *,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    ready_path: str = "/health",
) -> Iterator[Server]:
    """``yichuang serve`` as a subprocess in ``directory``, until the block ends."""
    port = free_port()
    log = directory / f"serve-{port}.log"
    command = [sys.executable, "-m", "bot.cli.main", "serve", "--port", str(port)]
    command += ["--workers", str(workers), *extra_args]
    with open(log, "wb") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=directory,
            env=server_env(database_url, model_path, extra_env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"yichuang serve exited: {log.read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError("yichuang serve did not answer within 120 s")
                try:
                    if httpx.get(url + ready_path, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
            yield Server(url, process, log, time.perf_counter() - started)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


# -- litigants ---------------------------------------------------------------------------

#: One step: what the litigant types, and a fragment the answer must contain.
Step = tuple[str, str]


def _case_scripts() -> list[list[Step]]:
    """Case status and case money against every demo case, with the right proof."""
    asks = ["查案件进度", "我的案子到哪一步了", "帮我查下案子", "想问问我那个案子咋样了"]
    money = ["{number} 执行款到了没", "查一下{number}的案款", "{number}案款啥时候能发"]
    scripts: list[list[Step]] = []
    for i, case in enumerate(DEMO):
        number = case["case_number"]
        # the way people type it: half-width brackets, no 号, sometimes spaces
        typed = number.replace("（", "(").replace("）", ")").rstrip("号") if i % 2 else number
        code = case["query_code"].lower() if i % 3 == 0 else case["query_code"]
        if "执" in number:  # case money: the number comes with the question
            ask = money[i % len(money)].format(number=typed)
            scripts.append([(ask, "查询码"), (code, "案款")])
        else:
            ask = asks[i % len(asks)]
            scripts.append([(ask, "案号"), (typed, "查询码"), (code, case["stage"])])
    return scripts


#: The proofs the case scripts end with (any case: upper or lower case as typed).
PROOFS = frozenset(c["query_code"] for c in DEMO) | frozenset(c["query_code"].lower() for c in DEMO)

#: Fee questions, procedure questions, small talk: each checked by a fragment of its answer.
OTHER_SCRIPTS: list[list[Step]] = [
    [("借给朋友5万块不还 起诉要交多少诉讼费", "1,050元")],
    [("俺借给人家3万 告他得交多少钱", "550元")],
    [("离婚的诉讼费要交多少", "离婚案件受理费")],
    [("你好", "一窗"), ("欠我货款12万 起诉费多少", "2,700元"), ("谢谢", "不客气")],
    [("不服一审判决 上诉期还有几天", "上诉")],
    [("交不起诉讼费能减免吗", "缓")],
    [("怎么申请强制执行", "执行")],
    [("法律援助怎么申请", "法律援助")],
    [("能不能网上立案", "立案")],
    [("要起诉 得带啥材料", "起诉")],
    [("判决书啥时候能送到", "送达")],
    [("老板欠工资不给 想告他", "仲裁")],  # the dispute path: labour arbitration comes first
    [("好的 谢谢你", "不客气"), ("再见", "再见")],
]


#: Share of conversations that look a case up (each lookup is five court API calls).
CASE_SHARE = 0.3


def all_scripts() -> list[list[Step]]:
    """The conversations, case look-ups repeated so that they are ``CASE_SHARE`` of them."""
    cases = _case_scripts()
    others = OTHER_SCRIPTS * round(len(cases) * (1 - CASE_SHARE) / CASE_SHARE / len(OTHER_SCRIPTS))
    return cases + others


@dataclass
class Tally:
    """What a load run saw: latencies of good answers, and what went wrong."""

    latencies_ms: list[float] = field(default_factory=list)
    unexpected: int = 0  # 200 but the answer lacked the expected fragment
    errors: int = 0  # non-200 or transport error
    samples: list[str] = field(default_factory=list)

    def bad(self, what: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(what[:300])


class Litigant:
    """One simulated person: walks through scripts one after another on one sender id.

    A wrong answer (the assistant misunderstood, or handed the chat to a person)
    starts a new sender, so one misunderstanding cannot silence the rest of the run.
    """

    def __init__(
        self,
        name: str,
        scripts: list[list[Step]],
        rng: random.Random,
        new_sender_odds: float = 0.0,
    ) -> None:
        self.name = name
        self.scripts = scripts
        self.rng = rng
        #: After a finished script, the chance that the next one is another person's.
        self.new_sender_odds = new_sender_odds
        self.generation = 0
        self.pending: list[Step] = []

    @property
    def sender(self) -> str:
        return f"{self.name}-{self.generation}"

    def next_step(self) -> Step:
        if not self.pending:
            script = self.rng.choice(self.scripts)
            if self.new_sender_odds and self.rng.random() < self.new_sender_odds:
                self.generation += 1
            elif script[-1][0] in PROOFS:
                # a case look-up is one party's: the same sender proved a case minutes ago
                # would be answered without the proof (proof once per session)
                self.generation += 1
            self.pending = list(script)
        return self.pending.pop(0)

    async def say(self, client: LeanClient, tally: Tally, started: float | None) -> None:
        """Send the next message; ``started`` is when it was due (open-loop runs)."""
        text, expected = self.next_step()
        began = time.perf_counter() if started is None else started
        try:
            response = await client.post(
                "/webhooks/rest/webhook", {"sender": self.sender, "message": text}
            )
        except LoadClientError as exc:
            tally.errors += 1
            tally.bad(f"{text!r}: {exc}")
            self._restart()
            return
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            tally.errors += 1
            tally.bad(f"{text!r}: HTTP {response.status_code} {response.text}")
            self._restart()
            return
        tally.latencies_ms.append(elapsed)
        answer = "\n".join(m.get("text", "") for m in response.json())
        if expected not in answer:
            tally.unexpected += 1
            tally.bad(f"{text!r} -> {answer[:200]!r} (expected {expected!r})")
            self._restart()

    def _restart(self) -> None:
        self.generation += 1
        self.pending = []


@contextlib.asynccontextmanager
async def client(url: str, connections: int) -> AsyncIterator[LeanClient]:
    http = LeanClient(url, connections)
    try:
        yield http
    finally:
        await http.aclose()


async def closed_loop(
    url: str, users: int, seconds: float, seed: int = 1, prefix: str = "c"
) -> tuple[Tally, float]:
    """``users`` litigants each send their next message as soon as the last was answered.

    Returns the tally and the measured wall time.
    """
    tally = Tally()
    rng = random.Random(seed)
    scripts = all_scripts()
    people = [
        Litigant(f"{prefix}{seed}-{i}", scripts, random.Random(rng.random())) for i in range(users)
    ]
    async with client(url, users) as http:
        stop = time.perf_counter() + seconds

        async def run(person: Litigant) -> None:
            while time.perf_counter() < stop:
                await person.say(http, tally, None)

        began = time.perf_counter()
        await asyncio.gather(*(run(person) for person in people))
        wall = time.perf_counter() - began
    return tally, wall


async def open_loop(
    url: str,
    rate: float,
    seconds: float,
    pool: int = 200,
    seed: int = 2,
    prefix: str = "o",
    new_sender_odds: float = 0.0,
) -> tuple[Tally, float]:
    """Messages arrive at ``rate`` per second (Poisson), each from an idle litigant of ``pool``.

    Latency counts from the moment a message was due, so a server that falls
    behind shows it (no coordinated omission). Returns the tally and the wall
    time in which the messages were answered.
    """
    tally = Tally()
    rng = random.Random(seed)
    scripts = all_scripts()
    idle: asyncio.Queue[Litigant] = asyncio.Queue()
    for i in range(pool):
        idle.put_nowait(
            Litigant(f"{prefix}{seed}-{i}", scripts, random.Random(rng.random()), new_sender_odds)
        )
    tasks: set[asyncio.Task[None]] = set()
    async with client(url, pool) as http:

        async def one(person: Litigant, due: float) -> None:
            try:
                await person.say(http, tally, due)
            finally:
                idle.put_nowait(person)

        began = time.perf_counter()
        due = began
        while True:
            due += rng.expovariate(rate)
            if due - began > seconds:
                break
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            person = await idle.get()
            task = asyncio.create_task(one(person, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*list(tasks))
        wall = time.perf_counter() - began
    return tally, wall


def summary(tally: Tally, wall: float) -> dict[str, Any]:
    answered = len(tally.latencies_ms)
    return {
        "messages_per_s": round(answered / wall, 1),
        **distribution(tally.latencies_ms),
        "unexpected": tally.unexpected,
        "errors": tally.errors,
        "samples": tally.samples,
    }
