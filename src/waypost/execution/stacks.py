"""The stack a run uses: which one (the active-stack rules), what the run records of it, its artifact store.

Which stack, strongest first:

1. ``stack=`` given to :func:`waypost.execution.launcher.launch` (``source="argument"``);
2. the environment variable ``WAYPOST_STACK`` (``"environment"``);
3. ``stack:`` in the nearest ``.waypost/config.yaml`` from the current folder up (``"folder"``,
   written by ``waypost init`` and by ``waypost stack set`` inside such a folder);
4. the user's active stack (``"user"``): for a local store the ``stack:`` key of the user's
   config file (the local store has no users), for a server the one ``PUT /stacks/active`` set;
5. the workspace's ``default`` stack (``"default"``).

The run records the stack's id and a :class:`~waypost.schemas.stacks.StackSnapshot` (secret
references as written, secret values masked). The default stack (the local orchestrator and the
settings' artifact store) costs one small query per run and loads no flavor models.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waypost import _lazy
from waypost.exceptions import ConfigurationError, NotFoundError
from waypost.schemas.access import DEFAULT_NAME, DEFAULT_PROJECT_ID, DEFAULT_WORKSPACE_ID
from waypost.schemas.stack_snapshot import ComponentType, StackComponentSnapshot, StackSnapshot, StackSource

if TYPE_CHECKING:
    from waypost.artifacts.store import ArtifactStore
    from waypost.execution.runtime import Runtime
    from waypost.schemas.stacks import StackRead

__all__ = [
    "ENV_VAR",
    "FOLDER",
    "RunStack",
    "StackChoice",
    "choose",
    "find_folder",
    "folder_config_path",
    "for_run",
    "read_yaml",
    "user_stack",
    "write_folder_config",
]

#: The environment variable that picks the stack of every run in its process.
ENV_VAR = "WAYPOST_STACK"
#: The folder that marks a project folder (``waypost init``); it holds ``config.yaml``.
FOLDER = ".waypost"
_FILE = "config.yaml"


# -- which stack --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackChoice:
    """A stack named by one of the rules (``ref`` None: the workspace's default stack)."""

    ref: str | None
    source: StackSource
    where: str | None = None
    """What named it: the config file's path, or the environment variable."""


def find_folder(start: Path | None = None) -> Path | None:
    """The nearest folder from ``start`` (the current folder) up that holds ``.waypost/``; None if none."""
    here = start if start is not None else Path(os.getcwd())
    for folder in (here, *here.parents):
        if (folder / FOLDER).is_dir():
            return folder
    return None


def folder_config_path(folder: Path) -> Path:
    """``FOLDER/.waypost/config.yaml``."""
    return folder / FOLDER / _FILE


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping file (empty when missing); ConfigurationError in one line when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigurationError(f"{path} cannot be read ({exc.strerror}); fix its permissions.") from None
    import yaml  # only when a file exists

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path} is not valid YAML ({str(exc).splitlines()[0]}); fix or delete it.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} must hold a mapping (e.g. 'stack: NAME'); fix or delete it.")
    return data


def write_folder_config(folder: Path, values: dict[str, Any]) -> Path:
    """Merge ``values`` into ``folder/.waypost/config.yaml`` (``None`` removes a key); returns the file."""
    import yaml

    path = folder_config_path(folder)
    current = read_yaml(path)
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(current, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    return path


def _stack_value(value: Any, where: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"'stack' in {where} must be a stack's name; fix it or run `waypost stack set NAME`.")
    return value.strip()


def user_stack(config_file: Path) -> str | None:
    """The ``stack:`` of the user's config file (the local store's active stack); None when unset."""
    return _stack_value(read_yaml(config_file).get("stack"), config_file)


def choose(explicit: str | None = None, *, start: Path | None = None) -> StackChoice:
    """The stack named by the argument, the environment or the folder; ``source="user"`` when none does.

    Asks no store: for ``"user"`` the caller looks up the user's active stack.
    """
    if explicit:
        return StackChoice(explicit, "argument")
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return StackChoice(env, "environment", ENV_VAR)
    folder = find_folder(start)
    if folder is not None:
        path = folder_config_path(folder)
        named = _stack_value(read_yaml(path).get("stack"), path)
        if named:
            return StackChoice(named, "folder", str(path))
    return StackChoice(None, "user")


# -- what a run uses ----------------------------------------------------------------------------


@dataclass
class RunStack:
    """What a run records of its stack, and the artifact store its files go to."""

    stack_id: uuid.UUID | None
    name: str
    source: StackSource
    snapshot: StackSnapshot
    artifact_store: ArtifactStore | None
    """None: the runtime's own (the settings' artifact store, or the server's)."""
    max_parallel_steps: int | None = None
    """The orchestrator component's ``max_parallel_steps``, if set."""
    secrets: tuple[str, ...] = ()
    """Secret values its components were resolved with (masked in the run's step logs)."""
    orchestrator_config: dict[str, Any] | None = None
    """The orchestrator component's config as the run uses it, ``{{secret...}}`` references resolved.

    None for a ``local`` orchestrator (``max_parallel_steps`` says what it needs) and for one whose
    config is empty (nothing to resolve: the flavor's defaults apply). From a local store every
    field is there, defaults filled in. From a server it is the config as the server sends it
    (fields as set; references as written, secret values masked), except a dask orchestrator's
    ``worker_api_key``, which the server resolves for whoever may run on the stack.
    """


def for_run(rt: Runtime, project_id: uuid.UUID | None, explicit: str | None = None) -> RunStack:
    """The stack of a run recorded in project ``project_id``: chosen, loaded, its artifact store opened.

    Raises:
        NotFoundError: the chosen stack does not exist (the message says where it was named).
        ConfigurationError: its artifact store cannot be opened here (a secret that does not
            resolve; a server's secret a client cannot read).
    """
    choice = choose(explicit)
    load = _lazy.load("waypost.execution.stacks_load")
    if rt.settings.store_is_remote:
        remote: RunStack = load.remote_run_stack(rt, choice)
        return remote
    if choice.source == "user":
        named = user_stack(_config_file())
        choice = StackChoice(named, "user") if named else StackChoice(None, "default")
    local: RunStack = load.local_run_stack(rt, choice, _workspace_of(rt, project_id))
    return local


def _config_file() -> Path:
    from waypost.settings import config_path

    return config_path()


def _workspace_of(rt: Runtime, project_id: uuid.UUID | None) -> uuid.UUID:
    """The workspace of a project (the default project's without a query; others looked up once)."""
    if project_id is None or project_id == DEFAULT_PROJECT_ID:
        return DEFAULT_WORKSPACE_ID
    known = rt.workspaces.get(project_id)
    if known is None:
        access = getattr(rt.store, "access", None)
        if access is None:
            return DEFAULT_WORKSPACE_ID
        known = rt.workspaces[project_id] = access.get_project(project_id).workspace_id
    return known


def not_found(choice: StackChoice) -> NotFoundError:
    """The one-line error for a chosen stack that does not exist, naming where it was chosen."""
    where = {
        "argument": "was asked for",
        "environment": f"is named by {ENV_VAR}",
        "folder": f"is named in {choice.where}",
        "user": "is your active stack",
        "default": "is the default",
    }[choice.source]
    fix = {
        "environment": f"unset {ENV_VAR} or register it",
        "folder": "run `waypost stack set NAME` here or register it",
    }.get(choice.source, "`waypost stack list` shows the stacks; `waypost stack set NAME` picks one")
    return NotFoundError(f"Stack '{choice.ref or DEFAULT_NAME}' {where} but does not exist in this workspace; {fix}.")


def snapshot_of(stack: StackRead) -> StackSnapshot:
    """A snapshot from a stack as the API returns it (configs already masked, references as written)."""
    return StackSnapshot(
        id=stack.id,
        name=stack.name,
        components={
            ctype: StackComponentSnapshot(
                id=c.id, name=c.name, flavor=c.flavor, config=dict(c.config), connector=c.connector
            )
            for ctype, c in stack.components.items()
        },
    )


def max_parallel(snapshot: StackSnapshot) -> int | None:
    """The orchestrator component's ``max_parallel_steps`` (None when unset)."""
    orchestrator = snapshot.components.get(ComponentType.ORCHESTRATOR)
    value = orchestrator.config.get("max_parallel_steps") if orchestrator is not None else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
