"""``waypost run FILE.py:PIPELINE``: import a pipeline from a file and run it."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer
from rich.text import Text

from waypost import Pipeline
from waypost.cli._common import CliError, duration, fail, out
from waypost.execution.status_styles import STATUS_STYLES

_loaded: set[str] = set()  # module names this process gave to files it ran


def run_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="FILE.py[:PIPELINE]",
            help="The file and the pipeline in it (its variable or pipeline name); optional when the file has one.",
        ),
    ],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="A YAML run config (parameters, steps, settings).")
    ] = None,
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="A pipeline parameter as key=value; the value is read as JSON if it parses."
        ),
    ] = None,
    stack: Annotated[
        str | None,
        typer.Option("--stack", "-s", help="Run on this stack (else the folder's, yours, or default)."),
    ] = None,
    detach: Annotated[
        bool,
        typer.Option(
            "--detach",
            help="Submit the run and exit; the stack's Dask cluster runs and records it without this process.",
        ),
    ] = False,
) -> None:
    """Run a pipeline from a Python file.

    Shows live progress on a terminal; exits with code 1 when a step fails.
    """
    # Imported here: the settings load pydantic, which `waypost --help` does not need.
    from waypost.settings import load_settings

    file, name = split_target(target)
    parameters = parse_params(params or [])
    path = Path(file).expanduser().resolve()
    folder = str(path.parent)
    added = folder not in sys.path
    if added:  # so the file can import its neighbours, as `python FILE.py` allows
        sys.path.insert(0, folder)
    try:
        pipeline = find_pipeline(load_module(path, file), name, file)
        if config is not None:
            pipeline = pipeline.with_options(config_path=config)
        if detach:
            pipeline = pipeline.with_options(detach=True)
        before = os.environ.get("WAYPOST_STACK")
        if stack is not None:  # as WAYPOST_STACK would, for this run only
            os.environ["WAYPOST_STACK"] = stack
        try:
            run = pipeline(**parameters)
        except KeyboardInterrupt:
            fail("The run was stopped (Ctrl-C); the finished steps are recorded.", code=130)
        finally:
            if stack is not None:
                if before is None:
                    os.environ.pop("WAYPOST_STACK", None)
                else:
                    os.environ["WAYPOST_STACK"] = before
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    if detach:
        out().print(
            f"Submitted run {run.name} to the Dask cluster; it goes on without this process. "
            f"Follow it with `waypost runs show {run.name}`."
        )
        return
    if not load_settings().execution.show_progress:  # otherwise the progress display said it
        mark, style = STATUS_STYLES.get(run.status, ("?", ""))
        took = f" in {duration(run.duration_s)}" if run.duration_s is not None else ""
        out().print(Text.assemble((f"{mark} Run {run.name} {run.status.value}", style), took))


def split_target(target: str) -> tuple[str, str | None]:
    """``FILE.py:NAME`` into its parts (Windows drive letters stay in the file part)."""
    file, sep, name = target.rpartition(":")
    if not sep or not name or "/" in name or "\\" in name or not file or file.endswith(":"):
        return target, None
    return file, name


def parse_params(items: list[str]) -> dict[str, Any]:
    """``key=value`` options into parameters; values that parse as JSON become numbers, lists …"""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise CliError(f"Parameter '{item}' is not key=value; write it like -p lr=0.05.")
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


def load_module(path: Path, shown: str) -> ModuleType:
    """Import the file at ``path`` as a module named after it (never shadowing another module)."""
    if not path.is_file():
        raise CliError(f"File {shown} does not exist; give the path of a Python file, like pipelines.py:train.")
    name = (
        path.stem
        if path.stem.isidentifier()
        else "waypost_run_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    )
    if name in sys.modules and name not in _loaded:
        name = f"waypost_run_{name}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CliError(f"Cannot import {shown}; give the path of a Python (.py) file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # step functions are found by module name when pickled
    _loaded.add(name)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise CliError(f"Importing {shown} failed{where}: {type(exc).__name__}: {exc}") from exc
    return module


def find_pipeline(module: ModuleType, name: str | None, shown: str) -> Pipeline:
    """The pipeline called ``name`` in ``module`` (by variable or pipeline name), or its only one."""
    found = {var: obj for var, obj in vars(module).items() if isinstance(obj, Pipeline)}
    if not found:
        raise CliError(f"{shown} defines no pipeline; decorate a function in it with @pipeline.")
    if name is None:
        if len(found) == 1:
            return next(iter(found.values()))
        raise CliError(
            f"{shown} defines several pipelines ({', '.join(sorted(found))}); pick one, like {shown}:{min(found)}."
        )
    if name in found:
        return found[name]
    for p in found.values():
        if p.name == name:
            return p
    raise CliError(f"{shown} has no pipeline '{name}'; its pipelines: {', '.join(sorted(found))}.")
