"""Apply the schema migrations programmatically: ``upgrade(url)``, ``downgrade(url, rev)``.

Alembic is configured in code (the scripts live in ``bot/storage/migrations``),
so there is no alembic.ini to keep in step with the settings. Alembic is imported
only when there is something to migrate: every start-up calls ``upgrade``, and a
database already at ``HEAD`` is recognised with one query (a quicker cold start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.db import make_engine, parse_url

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: The newest revision in ``migrations/versions`` (a test checks it is Alembic's head).
HEAD = "0004"

#: Shared by env.py and the autogenerate check, so the test sees what Alembic sees.
CONTEXT_OPTIONS: dict[str, Any] = {"render_as_batch": True, "compare_type": True}


class MigrationError(Exception):
    """A migration request that cannot be met; the message is one Chinese line."""


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our UtcDateTime as plain ``sa.DateTime(timezone=True)`` in new scripts.

    Migrations must not import the models: they describe the schema as it was.
    """
    from bot.storage.models import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def alembic_config(url: str) -> Config:
    """An Alembic Config for ``url`` without any ini file."""
    from alembic.config import Config

    parse_url(url)  # a bad URL is reported before Alembic gets to it
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head() -> str:
    """The newest revision the code knows."""
    revision = _scripts().get_current_head()
    assert revision is not None, "no migration scripts"
    return revision


def revisions() -> list[str]:
    """All revisions, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def current(url: str) -> str | None:
    """The revision the database is at, None for an empty database."""
    from alembic.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
            return revision
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (default: the newest)."""
    from alembic import command

    if revision == "head" and _at_head(url):
        return
    _run(command.upgrade, url, revision)


def _at_head(url: str) -> bool:
    """True when the database is certainly at ``HEAD`` (any doubt: let Alembic look)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            connection.rollback()
    except SQLAlchemyError:  # no table yet (a new database), or not reachable: Alembic says
        return False
    finally:
        engine.dispose()
    return [row[0] for row in rows] == [HEAD]


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (``base`` = no tables)."""
    from alembic import command

    _run(command.downgrade, url, revision)


def _run(action: Any, url: str, revision: str) -> None:
    from alembic.util import CommandError

    config = alembic_config(url)
    try:
        _scripts().get_revisions(revision)
    except CommandError as exc:
        known = ", ".join(["base", *revisions(), "head"])
        raise MigrationError(f"没有这个数据库版本：{revision}（可用：{known}）") from exc
    try:
        action(config, revision)
    except CommandError as exc:
        raise MigrationError(f"数据库迁移失败：{' '.join(str(exc).split())}") from exc


def pending_model_changes(url: str) -> list[Any]:
    """What autogenerate would write for the database at ``url``; empty when in step."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.models import Base

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=dict(CONTEXT_OPTIONS))
            diff: list[Any] = compare_metadata(context, Base.metadata)
            connection.rollback()
            return diff
    finally:
        engine.dispose()
