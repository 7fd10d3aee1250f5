"""``waypost up``, ``down`` and ``status``: the embedded server (uvicorn) on the configured stores."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from waypost.cli._common import CliError, err, out

if TYPE_CHECKING:  # pydantic loads lazily, so `waypost --help` stays fast
    from waypost.settings import WaypostSettings


def load_settings() -> WaypostSettings:
    """The settings, loaded on first use."""
    from waypost.settings import load_settings as load

    return load()


PID_FILE = "server.pid"
LOG_FILE = "server.log"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


def _settings(host: str | None, port: int | None, store_url: str | None) -> WaypostSettings:
    base = load_settings()
    server = base.server.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v})
    store = base.store.model_copy(update={"url": store_url} if store_url else {})
    return base.model_copy(update={"server": server, "store": store})


def base_url(settings: WaypostSettings) -> str:
    """Where a browser on this machine reaches the server."""
    host = settings.server.host
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.server.port}{settings.server.prefix}"


def _pid_path(settings: WaypostSettings) -> Path:
    return settings.data_dir / PID_FILE


def read_pid_file(settings: WaypostSettings) -> dict[str, Any] | None:
    """The running server's record (pid, url), or None when none runs (a stale file is removed)."""
    path = _pid_path(settings)
    try:
        record: dict[str, Any] = json.loads(path.read_text())
        pid = int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        path.unlink(missing_ok=True)
        return None
    return record


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise CliError(f"Port {port} on {host} is in use; pick another with --port.") from None


def _bootstrap(settings: WaypostSettings) -> str:
    """Create the first admin when there is no user; return a one-time login link."""
    from waypost.store.sql.store import SqlStore

    store = SqlStore(settings.store_url, busy_timeout_s=settings.store.busy_timeout_s)
    try:
        if store.users.count() == 0:
            password = secrets.token_urlsafe(15)
            store.users.create("admin", password=password, is_admin=True)
            err().print(
                f"Created the first user: [bold]admin[/bold], password [bold]{password}[/bold] "
                "(shown once; keep it or change it after logging in)."
            )
        admins = [u for u in store.users.list(service_accounts=False) if u.is_admin and u.is_active]
        if not admins:
            raise CliError("No active admin user exists to log in as; reactivate one in the database.")
        admin = next((u for u in admins if u.name == "admin"), admins[0])
        token = store.auth.create_login_token(admin.id, ttl_s=600)
    finally:
        store.close()
    return f"{base_url(settings)}/login?token={token}"


def serve(settings: WaypostSettings) -> None:
    """Run the server in this process until interrupted."""
    import uvicorn

    from waypost.artifacts.store import ArtifactStore
    from waypost.server.app import create_app
    from waypost.store.sql.store import SqlStore

    store = SqlStore(
        settings.store_url, busy_timeout_s=settings.store.busy_timeout_s, pool_size=settings.store.pool_size
    )
    app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))
    path = _pid_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": os.getpid(), "url": base_url(settings)}))
    try:
        # Open dashboards hold never-ending event streams; without a limit, shutdown waits for every tab to close.
        # Idle connections stay open longer than clients and load balancers keep theirs (60 s is common):
        # at uvicorn's 5 s, the server closed connections just as busy clients reused them (ReadError
        # ~1 in 1,000 requests under `make bench`'s 100 clients).
        uvicorn.run(
            app,
            host=settings.server.host,
            port=settings.server.port,
            log_level="info",
            timeout_graceful_shutdown=3,
            timeout_keep_alive=65,
        )
    finally:
        record = read_pid_file(settings)
        if record is not None and record["pid"] == os.getpid():
            path.unlink(missing_ok=True)
        store.close()


def up_command(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8742).", min=1, max=65535)] = None,
    store_url: Annotated[
        str | None, typer.Option("--store-url", help="Metadata store URL (sqlite:///…, postgresql://…, mysql://…).")
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", help="Run in the background; stop it with `waypost down`.")
    ] = False,
    serve_only: Annotated[bool, typer.Option("--serve-only", hidden=True)] = False,
) -> None:
    """Start the Waypost server and dashboard, and print a one-time login link."""
    settings = _settings(host, port, store_url)
    if serve_only:  # the background child of `up --detach`: the parent did the rest
        serve(settings)
        return
    running = read_pid_file(settings)
    if running is not None:
        raise CliError(
            f"A Waypost server already runs at {running['url']} (pid {running['pid']}); stop it with `waypost down`."
        )
    _check_port_free(settings.server.host, settings.server.port)
    link = _bootstrap(settings)
    if not detach:
        out().print(f"Waypost is starting at {base_url(settings)}\nLog in (link valid 10 minutes, once): {link}")
        serve(settings)
        return
    pid = _spawn(settings)
    out().print(f"Waypost runs at {base_url(settings)} (pid {pid}); stop it with `waypost down`.")
    out().print(f"Log in (link valid 10 minutes, once): {link}")


def _spawn(settings: WaypostSettings) -> int:
    env = dict(os.environ)
    env["WAYPOST_SERVER__HOST"] = settings.server.host
    env["WAYPOST_SERVER__PORT"] = str(settings.server.port)
    env["WAYPOST_STORE__URL"] = settings.store_url
    env["WAYPOST_DATA_DIR"] = str(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / LOG_FILE
    args = [sys.executable, "-c", "from waypost.cli.main import main; main()", "up", "--serve-only"]
    with log_path.open("ab") as log:
        # posix_spawn, not Popen: the server outlives this command, and no Popen is left to warn about it.
        pid = os.posix_spawn(
            sys.executable,
            args,
            env,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
            ],
            setsid=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            raise CliError(f"The server exited at start (code {os.waitstatus_to_exitcode(code)}); see {log_path}.")
        if _healthy(base_url(settings)):
            return pid
        time.sleep(0.2)
    os.kill(pid, signal.SIGTERM)
    raise CliError(f"The server did not answer within {START_TIMEOUT_S:.0f} s; see {log_path}.")


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/api/v1/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def down_command() -> None:
    """Stop the server that `waypost up` started."""
    settings = load_settings()
    record = read_pid_file(settings)
    if record is None:
        out().print("No Waypost server is running.")
        return
    pid = int(record["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    forced = _alive(pid)
    if forced:
        os.kill(pid, signal.SIGKILL)
    _pid_path(settings).unlink(missing_ok=True)
    how = f" by force: it did not stop within {STOP_TIMEOUT_S:.0f} s" if forced else ""
    out().print(f"Stopped the Waypost server at {record['url']} (pid {pid}){how}.")


def _reap(pid: int) -> None:
    """Collect a child of this process that has exited (so it stops counting as alive)."""
    with contextlib.suppress(ChildProcessError):  # not our child: its parent reaps it
        os.waitpid(pid, os.WNOHANG)


def status_command() -> None:
    """Say whether the server runs, and where."""
    settings = load_settings()
    record = read_pid_file(settings)
    if record is None:
        out().print("No Waypost server is running.")
        raise typer.Exit(1)
    state = "running" if _healthy(record["url"]) else "starting or not answering"
    out().print(f"Waypost server {state} at {record['url']} (pid {record['pid']}).")
