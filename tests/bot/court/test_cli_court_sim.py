"""``yichuang court-sim``: serves a fixture over HTTP; a bad one stops it with one Chinese line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.bot.court.builders import a_case

Cli = Callable[..., tuple[int, str, str]]
WriteFixture = Callable[..., Path]


def test_a_bad_fixture_exits_2_naming_the_file_and_the_case(
    cli: Cli, write_fixture: WriteFixture
) -> None:
    path = write_fixture({"cases": [a_case(filed_on="2025-13-01")]})
    status, out, err = cli("court-sim", "--fixture", str(path))
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and "（2025）内0602民初1234号" in err and "filed_on" in err


def test_the_fixture_can_come_from_the_environment(
    cli: Cli, write_fixture: WriteFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YICHUANG_COURT_FIXTURE", str(write_fixture("{not json")))
    status, _, err = cli("court-sim")
    assert status == 2 and "不是有效的 JSON" in err


def test_a_missing_fixture_file_and_a_bad_port_exit_2(cli: Cli, tmp_path: Path) -> None:
    status, _, err = cli("court-sim", "--fixture", str(tmp_path / "absent.json"))
    assert status == 2 and "找不到案件数据文件" in err
    status, _, err = cli("court-sim", "--port", "70000")
    assert status == 2 and "端口" in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_court_sim_serves_the_fixture_and_requires_the_configured_key(
    write_fixture: WriteFixture, tmp_path: Path
) -> None:
    path = write_fixture({"cases": [a_case()]})
    port = free_port()
    env = {**os.environ, "YICHUANG_COURT_API_KEY": "demo-key"}
    env.pop("YICHUANG_COURT_FIXTURE", None)
    command = [sys.executable, "-m", "bot.cli.main", "court-sim", "--fixture", str(path)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert httpx.get(f"{url}/openapi.json").status_code == 200
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "court-sim did not start"
                time.sleep(0.1)
        body = {"case_number": "(2025)内0602民初1234号", "proof": "k7m2q9"}
        assert httpx.post(f"{url}/v1/cases/verify", json=body).status_code == 401
        keyed = httpx.post(f"{url}/v1/cases/verify", json=body, headers={"X-API-Key": "demo-key"})
        assert keyed.status_code == 200 and keyed.json()["token_type"] == "Bearer"
    finally:
        server.terminate()
        server.wait(timeout=10)
