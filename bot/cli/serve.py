"""``yichuang serve``: the whole service over HTTP."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from bot.cli.common import CliError, add_json_flag
from bot.settings import Settings

#: More worker processes than this is a typo, not a deployment.
MAX_WORKERS = 64


def register(sub: Any) -> None:
    parser = sub.add_parser("serve", help="启动服务 (网页聊天、渠道、导诉台)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=1, help="工作进程数（默认 1；多进程时建议用 PostgreSQL）"
    )
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until stopped; with ``--json`` every log line is one JSON document."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_app
    from bot.court.fixture import FixtureError
    from bot.logs import configure_logging
    from bot.serving import RECOVERY_LOCK_ENV, WORKER_FACTORY, serve_forever
    from bot.storage.db import DatabaseUrlError, is_sqlite
    from bot.storage.migrate import MigrationError
    from dialogs.hours import BusinessHoursError

    if not 0 < args.port < 65536:
        raise CliError(f"端口应在 1–65535 之间: {args.port}")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise CliError(f"工作进程数应在 1–{MAX_WORKERS} 之间: {args.workers}")
    loopback = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    local_url = f"http://{loopback}:{args.port}"
    settings = Settings()
    settings = settings.model_copy(update={"local_url": local_url})
    configure_logging(settings.log_level, as_json=args.json)
    if not settings.rest_token:
        import logging

        logging.getLogger(__name__).warning(
            "YICHUANG_REST_TOKEN is not set: the REST channel (/webhooks/rest/*) answers "
            "loopback clients only"
        )
    try:
        # With workers this checks the configuration and migrates once, before any
        # worker starts; the workers then build their own apps from the environment.
        app: Any = create_app(settings)
        if args.workers > 1:
            from bot.nlu_model import ensure_trained

            app.state.db.dispose()
            app = None  # the supervisor keeps no app (nor its memory)
            ensure_trained(settings)  # train once here, not in every worker at once
    except (
        DatabaseUrlError,
        MigrationError,
        SQLAlchemyError,
        BusinessHoursError,
        FixtureError,
    ) as exc:
        raise CliError(f"无法启动：{exc}") from exc
    if args.workers == 1:
        serve_forever(app, args.host, args.port, settings.log_level, args.json)
        return 0
    if is_sqlite(settings.database_url):
        import logging

        logging.getLogger(__name__).warning(
            "%d workers on SQLite: one conversation's turns are serialised only within a "
            "process; use PostgreSQL for several workers",
            args.workers,
        )
    os.environ["YICHUANG_LOCAL_URL"] = local_url
    with ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="yichuang-serve-"))
        os.environ[RECOVERY_LOCK_ENV] = os.path.join(directory, "recovery.lock")
        if not settings.court_api_url:
            os.environ["YICHUANG_COURT_API_URL"] = stack.enter_context(
                shared_simulator(settings, loopback)
            )
        serve_forever(
            WORKER_FACTORY,
            args.host,
            args.port,
            settings.log_level,
            args.json,
            workers=args.workers,
        )
    return 0


@contextmanager
def shared_simulator(settings: Settings, host: str) -> Iterator[str]:
    """The built-in court simulator, once for all workers; yields its URL.

    It keeps the access tokens it issues (and its faults) in memory, so one mounted
    in every worker would refuse a token another worker issued: a look-up whose
    requests the kernel spread over two workers would end in "系统繁忙". With
    several workers it runs here, in the supervising process, on a loopback port
    of its own (its address is logged), and the workers use it as their court API.
    """
    import logging

    from bot.court.simulator import create_simulator
    from bot.serving import serve_in_thread

    simulator = create_simulator(
        settings.court_fixture, settings.court_api_key, faults=settings.court_sim_faults
    )
    with serve_in_thread(simulator, host=host, keep_logging=True) as url:
        logging.getLogger(__name__).info("court simulator for all workers at %s", url)
        yield url
