"""Schema migrations: one Alembic chain, applied on open when the database is behind."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from waypost.store.sql.engine import SINGLE_STATEMENT, Engines, translate_error

#: The newest revision; a test checks it against Alembic's script directory.
HEAD_REVISION = "0014"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def current_revision(engines: Engines) -> str | None:
    """The revision the database is at, or None for an empty database."""
    try:
        with engines.read.connect() as conn:
            conn = conn.execution_options(**{SINGLE_STATEMENT: True})
            try:
                # One query on every store opening; the catalogue is asked only when it fails.
                revision: str | None = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                return revision
            except DBAPIError:
                conn.rollback()  # PostgreSQL refuses further statements in a failed transaction
                if not conn.dialect.has_table(conn, "alembic_version"):
                    return None  # an empty database
                raise
    except DBAPIError as exc:
        raise translate_error(exc, engines.url) from None


def _config(engines: Engines, connection: object) -> object:
    from alembic.config import Config  # deferred: Alembic costs ~100 ms and is needed only when migrating

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engines: Engines, revision: str = "head") -> None:
    """Bring the database up to ``revision``."""
    from alembic import command

    try:
        with engines.write.begin() as conn:
            command.upgrade(_config(engines, conn), revision)  # type: ignore[arg-type]
    except DBAPIError as exc:
        raise translate_error(exc, engines.url) from None


def downgrade(engines: Engines, revision: str) -> None:
    """Take the database down to ``revision`` ("base" for empty)."""
    from alembic import command

    with engines.write.begin() as conn:
        command.downgrade(_config(engines, conn), revision)  # type: ignore[arg-type]


def ensure_schema(engines: Engines) -> None:
    """Migrate when the database is not at head (cheap check first)."""
    if current_revision(engines) != HEAD_REVISION:
        upgrade(engines)
