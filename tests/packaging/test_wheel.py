"""The wheel, as a user gets it: built, installed with the server extra in a fresh venv, `waypost up`.

The slow test builds the wheel from this checkout (dashboard/dist must be built: `make dashboard`),
installs ``wheel[server]`` into a throwaway virtual environment with uv (from uv's cache when it can,
so it also works offline; constrained to the versions this checkout's environment holds), starts
`waypost up` from that venv on a free loopback port over a temporary data dir, and loads the
dashboard's page and one of its hashed assets. Nothing of the checkout is on that venv's path.
Another venv gets the wheel without extras, as `pip install waypost` would, and runs a pipeline.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard" / "dist"
START_TIMEOUT_S = 90.0


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).is_file():
        pytest.skip("uv is not installed (`make install` bootstraps it into .tools/)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything pointing at the checkout, its venv or its settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WAYPOST_", "UV_", "PYTHON")) and k not in ("VIRTUAL_ENV", "CONDA_PREFIX")
    }
    return {**env, **extra}


def _run(args: list[str], *, cwd: Path, timeout: float, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, env=env or _clean_env(), capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args[:4])} … failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def build_wheel(uv: str, out: Path, source: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`uv build --wheel` of ``source`` into ``out``."""
    return subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(out), str(source)],
        cwd=out.parent,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _install(uv: str, venv: Path, wheel: Path, work: Path, extras: str = "[server]") -> None:
    """``wheel`` (with ``extras``) into a new venv: offline from uv's cache when it can, else from the index."""
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=work, timeout=120)
    # The versions this checkout's environment tested against (uv's cache holds them).
    frozen = subprocess.run(
        [uv, "pip", "freeze", "--python", sys.executable], capture_output=True, text=True, check=True, env=_clean_env()
    ).stdout
    pins = [line for line in frozen.splitlines() if "==" in line and not line.lower().startswith("waypost")]
    constraints = work / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n")
    install = [
        uv,
        "pip",
        "install",
        "--quiet",
        "--compile-bytecode",
        "--python",
        str(venv / "bin" / "python"),
        "--constraint",
        str(constraints),
        f"{wheel}{extras}",
    ]
    offline = subprocess.run(
        [*install, "--offline"], cwd=work, env=_clean_env(), capture_output=True, text=True, timeout=600
    )
    if offline.returncode != 0:  # something missing from the cache: fetch it
        _run(install, cwd=work, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout."""
    if not (DASHBOARD / "index.html").is_file():
        pytest.skip("The dashboard is not built: run `make dashboard`")
    work = tmp_path_factory.mktemp("wheel")
    built = build_wheel(_uv(), work / "dist")
    if built.returncode != 0:
        pytest.fail(f"uv build --wheel failed:\n{built.stdout[-3000:]}{built.stderr[-3000:]}")
    (found,) = (work / "dist").glob("waypost-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path) -> tuple[Path, Path]:
    """(the wheel, a venv with ``wheel[server]`` installed)."""
    venv = wheel.parent.parent / "venv"
    _install(_uv(), venv, wheel, wheel.parent.parent)
    return wheel, venv


@pytest.mark.slow
def test_the_wheel_without_extras_runs_a_pipeline(wheel: Path, tmp_path: Path) -> None:
    """`pip install waypost`: pipelines run on the embedded store without the server's libraries."""
    venv = tmp_path / "venv"
    _install(_uv(), venv, wheel, tmp_path, extras="")
    pipeline = ROOT / "benchmarks" / "pipelines" / "ten_steps.py"
    env = _clean_env(WAYPOST_DATA_DIR=str(tmp_path / "data"), WAYPOST_CONFIG=str(tmp_path / "config.yaml"))
    python = str(venv / "bin" / "python")
    done = subprocess.run([python, str(pipeline)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "(10 completed)" in done.stdout, done.stdout
    assert not (venv / "bin" / "uvicorn").exists()  # the server extra really is absent


@pytest.mark.slow
def test_wheel_carries_the_dashboard_build(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    built = {p.relative_to(DASHBOARD).as_posix() for p in DASHBOARD.rglob("*") if p.is_file()}
    assert {f"waypost/server/_dashboard/{n}" for n in built} <= names
    assert "waypost/py.typed" in names
    assert any(n.startswith("waypost/store/sql/migrations/versions/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "dashboard/"))]


@pytest.mark.slow
def test_installed_wheel_compiled_its_bytecode(installed: tuple[Path, Path]) -> None:
    _, venv = installed
    (site,) = venv.glob("lib/python3*/site-packages")
    assert list((site / "waypost" / "__pycache__").glob("__init__.*.pyc"))


@pytest.mark.slow
def test_waypost_up_from_the_wheel_serves_the_dashboard(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, venv = installed
    port = _free_port()
    env = _clean_env(
        WAYPOST_DATA_DIR=str(tmp_path / "data"),
        WAYPOST_CONFIG=str(tmp_path / "config.yaml"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    log = (tmp_path / "up.log").open("w")
    # cwd outside the checkout: the installed package must find its own dashboard copy.
    proc = subprocess.Popen(
        [str(venv / "bin" / "waypost"), "up", "--port", str(port)], cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10.0) as http:
            _wait_healthy(http, proc, tmp_path / "up.log")
            page = http.get("/")
            assert page.status_code == 200, page.text[:300]
            assert page.headers["content-type"].startswith("text/html")
            assets = re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', page.text)
            assert assets, f"the index names no hashed assets:\n{page.text[:1000]}"
            asset = http.get(assets[0])
            assert asset.status_code == 200
            assert asset.headers["cache-control"].endswith("immutable")
            assert len(asset.content) > 100
            # A client-side route gets the same page.
            assert http.get("/runs").text == page.text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    printed = (tmp_path / "up.log").read_text()
    assert f"Waypost is starting at {base}" in printed
    assert "Traceback" not in printed, printed[-3000:]


def _wait_healthy(http: httpx.Client, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`waypost up` exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if http.get("/api/v1/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`waypost up` did not answer within {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-3000:]}")


def test_wheel_without_a_dashboard_build_fails_with_one_line(tmp_path: Path) -> None:
    """A checkout whose dashboard is not built gets told what to run, not a wheel without a dashboard."""
    uv = _uv()
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "hatch_build.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "_dashboard"))
    built = build_wheel(uv, tmp_path / "dist", source)
    assert built.returncode != 0
    lines = [line for line in (built.stdout + built.stderr).splitlines() if "make dashboard" in line]
    assert len(lines) == 1, built.stdout + built.stderr
    assert "Traceback" not in built.stdout + built.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))
