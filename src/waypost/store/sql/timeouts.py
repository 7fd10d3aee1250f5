"""Statement timeouts: a server's database statements are cut once they run longer than a budget.

A filter the server accepts still becomes SQL whose cost depends on the data; one slow
request must not hold a worker thread and a database connection for minutes. Each
database has its own brake: PostgreSQL's ``statement_timeout``, MariaDB's
``max_statement_time`` (seconds) or MySQL's ``max_execution_time`` (milliseconds, SELECTs
only), set per connection when it is opened; SQLite has none, so a progress handler,
called every few thousand virtual-machine steps, aborts a statement past its deadline.

Only the server turns this on (:func:`limit_statements`), after the store is migrated:
migrations and the CLI's local stores run without it.
"""

from __future__ import annotations

import math
import sqlite3
import time
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from waypost.exceptions import StoreError

if TYPE_CHECKING:
    from waypost.store.sql.engine import Engines

__all__ = ["StatementTimeoutError", "is_timeout", "limit_statements", "timeout_error"]

#: SQLite virtual-machine steps between two looks at the clock (well under a millisecond).
_PROGRESS_STEPS = 20_000
_DEADLINE = "waypost_deadline"
_MARIADB_TIMEOUT, _MYSQL_TIMEOUT = 1969, 3024
_PG_QUERY_CANCELED = "57014"

# The budget of each limited engine, read when a statement starts or a connection opens.
_BUDGETS: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()
_BY_URL: dict[str, float] = {}


class StatementTimeoutError(StoreError):
    """A database statement ran past the time limit and was stopped."""


def limit_statements(engines: Engines, seconds: float) -> None:
    """Cut every statement of ``engines`` that runs longer than ``seconds`` (again: change the limit).

    Pooled connections are closed, so every connection from now on has the limit.
    """
    _BY_URL[engines.url] = seconds
    for engine in {id(e): e for e in (engines.read, engines.write)}.values():
        if engine not in _BUDGETS:
            if engine.dialect.name == "sqlite":
                _watch_sqlite(engine)
            else:
                event.listen(engine, "connect", _session_limit(engine))
        _BUDGETS[engine] = seconds
        engine.dispose()


def _watch_sqlite(engine: Engine) -> None:
    def on_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        deadline = [math.inf]
        record.info[_DEADLINE] = deadline
        dbapi_conn.set_progress_handler(lambda: time.monotonic() > deadline[0], _PROGRESS_STEPS)

    def on_execute(conn: Any, *_: Any) -> None:
        deadline = conn.info.get(_DEADLINE)
        if deadline is not None:
            deadline[0] = time.monotonic() + _BUDGETS[engine]

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "before_cursor_execute", on_execute)


def _session_limit(engine: Engine) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        seconds = _BUDGETS[engine]
        cur = dbapi_conn.cursor()
        try:
            if engine.dialect.name == "postgresql":
                cur.execute(f"SET statement_timeout = {max(1, round(seconds * 1000))}")
            elif "mariadb" in str(dbapi_conn.get_server_info()).lower():
                cur.execute(f"SET SESSION max_statement_time = {seconds:.3f}")
            else:
                cur.execute(f"SET SESSION max_execution_time = {max(1, round(seconds * 1000))}")
        finally:
            cur.close()
        dbapi_conn.commit()  # a SET inside a transaction that is rolled back would be undone

    return on_connect


def is_timeout(exc: DBAPIError) -> bool:
    """Whether ``exc`` is a statement stopped by its time limit."""
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        return str(orig) == "interrupted"
    if getattr(orig, "sqlstate", None) == _PG_QUERY_CANCELED:
        return True
    args: tuple[Any, ...] = getattr(orig, "args", ())
    return bool(args) and args[0] in (_MARIADB_TIMEOUT, _MYSQL_TIMEOUT)


def timeout_error(url: str) -> StatementTimeoutError:
    """The one-line error for a statement of the store at ``url`` stopped by its limit."""
    limit = _BY_URL.get(url)
    took = f"longer than {limit:g} s" if limit is not None else "too long"
    return StatementTimeoutError(
        f"The query took {took} and was stopped; narrow the filter or ask for fewer rows "
        "(the server's query_timeout_s setting sets the limit)."
    )
