"""The command line's shared contract: bad arguments exit 2 with one Chinese line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable


def test_unknown_command_exits_2_with_one_line(cli: Callable[..., tuple[int, str, str]]) -> None:
    status, out, err = cli("no-such-command")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "参数错误" in err


def test_console_script_never_prints_a_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "serve", "--port", "not-a-port"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
