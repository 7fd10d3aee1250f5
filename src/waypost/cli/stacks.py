"""``waypost stack``: register stacks from components, list and describe them, pick the active one.

Each command works against the configured store: a Waypost server after ``waypost login`` (in
the active project's workspace, checked against your roles), else the local store. The active
stack of a run: ``WAYPOST_STACK``, else the nearest ``.waypost/config.yaml`` (``waypost init``),
else your own (``waypost stack set``), else ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from waypost.cli._common import CliError, fail, new_table, out, print_json, when_short

if TYPE_CHECKING:  # pydantic, SQLAlchemy and httpx load on first use, so `waypost --help` stays fast
    from waypost.client.stacks import StackBackend
    from waypost.execution.stacks import StackChoice
    from waypost.schemas.stacks import ComponentRead, ComponentType, StackRead, VerifyResult

app = typer.Typer(
    help="Register stacks (one component per type), list them, pick the active one.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
DescriptionOpt = Annotated[str | None, typer.Option("--description", "-d", help="What it is for.")]
StackArg = Annotated[str, typer.Argument(help="The stack's name or id.")]

#: One option per component type: (type value, flags, help).
TYPE_OPTIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("orchestrator", ("--orchestrator", "-o"), "The orchestrator component (required)."),
    ("artifact_store", ("--artifact-store", "-a"), "The artifact store component (required)."),
    ("container_registry", ("--container-registry",), "A container registry component."),
    ("step_operator", ("--step-operator",), "A step operator component."),
    ("experiment_tracker", ("--experiment-tracker",), "An experiment tracker component."),
    ("alerter", ("--alerter",), "An alerter component."),
    ("model_deployer", ("--model-deployer",), "A model deployer component."),
    ("data_validator", ("--data-validator",), "A data validator component."),
)


def _opt(index: int) -> Any:
    _, flags, text = TYPE_OPTIONS[index]
    return typer.Option(*flags, help=text)


Orchestrator = Annotated[str | None, _opt(0)]
ArtifactStore = Annotated[str | None, _opt(1)]
ContainerRegistry = Annotated[str | None, _opt(2)]
StepOperator = Annotated[str | None, _opt(3)]
ExperimentTracker = Annotated[str | None, _opt(4)]
Alerter = Annotated[str | None, _opt(5)]
ModelDeployer = Annotated[str | None, _opt(6)]
DataValidator = Annotated[str | None, _opt(7)]


@contextmanager
def backend() -> Iterator[StackBackend]:
    """The configured store's stack backend: the logged-in server, else the local store."""
    from waypost.client.stacks import open_stacks

    with open_stacks() as found:
        yield found


def component_type(value: str) -> ComponentType:
    """``artifact-store`` or ``artifact_store`` as a ComponentType; one line naming the types when unknown."""
    from waypost.schemas.stacks import ComponentType

    try:
        return ComponentType(value.strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(t.value for t in ComponentType)
        raise CliError(f"Unknown component type '{value}'; use one of: {known}.") from None


def _chosen(components: tuple[str | None, ...]) -> dict[str, str]:
    return {TYPE_OPTIONS[i][0]: name for i, name in enumerate(components) if name}


def active_choice(stacks: StackBackend) -> tuple[str, StackChoice]:
    """The name of the stack a run started here would use, and which rule named it."""
    from waypost.execution.stacks import StackChoice, choose

    choice = choose()
    if choice.ref is not None:
        return choice.ref, choice
    mine = stacks.active_stack()
    return mine.name, StackChoice(mine.name, "default" if mine.is_default else "user")


def _source_text(choice: StackChoice) -> str:
    return {
        "argument": "argument",
        "environment": "WAYPOST_STACK",
        "folder": f"folder {choice.where}",
        "user": "your active stack",
        "default": "default",
    }[choice.source]


@app.command("register")
def register_stack(
    name: Annotated[str, typer.Argument(help="The new stack's name.")],
    orchestrator: Orchestrator = None,
    artifact_store: ArtifactStore = None,
    container_registry: ContainerRegistry = None,
    step_operator: StepOperator = None,
    experiment_tracker: ExperimentTracker = None,
    alerter: Alerter = None,
    model_deployer: ModelDeployer = None,
    data_validator: DataValidator = None,
    description: DescriptionOpt = None,
    make_active: Annotated[bool, typer.Option("--set", help="Make it the active stack right away.")] = False,
) -> None:
    """Register a stack from registered components (`waypost component list`): an orchestrator and an
    artifact store at least, at most one component of each type."""
    from waypost.schemas.stacks import StackCreate

    components = _chosen(
        (
            orchestrator,
            artifact_store,
            container_registry,
            step_operator,
            experiment_tracker,
            alerter,
            model_deployer,
            data_validator,
        )
    )
    body = StackCreate.model_validate({"name": name, "components": components, "description": description})
    with backend() as stacks:
        stack = stacks.create_stack(body)
        out().print(f"Registered stack [bold]{stack.name}[/bold] ({_summary(stack)}).")
        if make_active:
            _set(stacks, stack.name, user=False)
        else:
            out().print(f"`waypost stack set {stack.name}` makes it the active stack.")


def _summary(stack: StackRead) -> str:
    return ", ".join(f"{t.value}: {c.name}" for t, c in stack.components.items())


@app.command("list")
def list_stacks(as_json: JsonOpt = False) -> None:
    """List the stacks; the one a run started here would use is marked with '*'."""
    with backend() as stacks:
        found = stacks.list_stacks()
        active, choice = active_choice(stacks)
    if as_json:
        print_json([{**s.model_dump(mode="json"), "active": s.name == active} for s in found])
        return
    table = new_table()
    for column in ("", "stack", "orchestrator", "artifact store", "other components", "active for", "updated"):
        table.add_column(column, no_wrap=column in ("stack", "updated"))
    for s in found:
        mark = Text("*", style="bold green") if s.name == active else ""
        comps = s.components
        others = ", ".join(
            f"{t.value}: {c.name}" for t, c in comps.items() if t.value not in ("orchestrator", "artifact_store")
        )
        table.add_row(
            mark,
            Text(s.name, style="bold"),
            _component_text(comps, "orchestrator"),
            _component_text(comps, "artifact_store"),
            others,
            ", ".join(s.active_for),
            when_short(s.updated_at or s.created_at),
        )
    console = out()
    console.print(table)
    if all(s.name != active for s in found):
        console.print(f"[yellow]The active stack '{active}' ({_source_text(choice)}) does not exist.[/yellow]")
    else:
        console.print(Text(f"* active here: {active} ({_source_text(choice)})", style="dim"))


def _component_text(components: dict[ComponentType, ComponentRead], type_value: str) -> str:
    for t, c in components.items():
        if t.value == type_value:
            return f"{c.name} ({c.flavor})"
    return ""


@app.command("describe")
def describe_stack(
    ref: Annotated[str | None, typer.Argument(help="The stack's name or id (default: the active one).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a stack's components and their configurations (secret values masked)."""
    with backend() as stacks:
        active, choice = active_choice(stacks)
        stack = stacks.get_stack(ref or active)
    if as_json:
        print_json({**stack.model_dump(mode="json"), "active": stack.name == active})
        return
    console = out()
    console.print(Text.assemble((stack.name, "bold"), f"  ({stack.id})"))
    if stack.description:
        console.print(Text(stack.description))
    if stack.name == active:
        console.print(Text(f"active here ({_source_text(choice)})", style="green"))
    if stack.active_for:
        console.print(f"active for: {', '.join(stack.active_for)}")
    console.print(Text(f"created {when_short(stack.created_at)} by {stack.created_by or '-'}", style="dim"))
    table = new_table()
    for column in ("type", "component", "flavor", "connector", "configuration"):
        table.add_column(column, no_wrap=column != "configuration")
    for t, c in stack.components.items():
        table.add_row(t.value, Text(c.name, style="bold"), c.flavor, c.connector or "", Text(config_text(c.config)))
    console.print(table)


def config_text(config: dict[str, Any]) -> str:
    """A configuration on one line: ``key=value`` pairs (values as JSON where they are not text)."""
    import json

    if not config:
        return "(defaults)"
    return "  ".join(f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in config.items())


@app.command("set")
def set_stack(
    ref: StackArg,
    user: Annotated[
        bool, typer.Option("--user", help="Set your own active stack even inside a project folder.")
    ] = False,
) -> None:
    """Make a stack the active one: for this project folder when inside one (`waypost init`), else yours."""
    with backend() as stacks:
        _set(stacks, ref, user=user)


def _set(stacks: StackBackend, ref: str, *, user: bool) -> None:
    import os

    from waypost.execution.stacks import ENV_VAR, choose, find_folder, write_folder_config

    stack = stacks.get_stack(ref)
    console = out()
    folder = None if user else find_folder()
    if folder is not None:
        path = write_folder_config(folder, {"stack": stack.name})
        console.print(f"Active stack for {folder}: [bold]{stack.name}[/bold] (saved in {path}).")
    else:
        stacks.set_active_stack(stack.name)
        console.print(f"Your active stack: [bold]{stack.name}[/bold] ({stacks.where}).")
        here = choose()
        if here.source == "folder" and here.ref != stack.name:
            console.print(f"[yellow]Here the folder's stack '{here.ref}' ({here.where}) takes precedence.[/yellow]")
    if os.environ.get(ENV_VAR, stack.name) != stack.name:
        console.print(f"[yellow]{ENV_VAR} is set and takes precedence; unset it to use this stack.[/yellow]")


@app.command("update")
def update_stack(
    ref: StackArg,
    orchestrator: Orchestrator = None,
    artifact_store: ArtifactStore = None,
    container_registry: ContainerRegistry = None,
    step_operator: StepOperator = None,
    experiment_tracker: ExperimentTracker = None,
    alerter: Alerter = None,
    model_deployer: ModelDeployer = None,
    data_validator: DataValidator = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", "-r", help="Remove the component of this type (repeatable).")
    ] = None,
    description: DescriptionOpt = None,
) -> None:
    """Swap, add or remove (--remove TYPE) a stack's components, or change its description."""
    from waypost.schemas.stacks import StackUpdate

    changes: dict[str, str | None] = dict(
        _chosen(
            (
                orchestrator,
                artifact_store,
                container_registry,
                step_operator,
                experiment_tracker,
                alerter,
                model_deployer,
                data_validator,
            )
        )
    )
    for word in remove or []:
        ctype = component_type(word).value
        if ctype in changes:
            raise CliError(f"--remove {word} and --{ctype.replace('_', '-')} disagree; give one.")
        changes[ctype] = None
    if not changes and description is None:
        raise CliError("Nothing to change; give a component option, --remove TYPE or --description.")
    values: dict[str, Any] = {}
    if changes:
        values["components"] = changes
    if description is not None:
        values["description"] = description
    with backend() as stacks:
        stack = stacks.update_stack(ref, StackUpdate.model_validate(values))
    out().print(f"Updated stack [bold]{stack.name}[/bold] ({_summary(stack)}).")


@app.command("rename")
def rename_stack(ref: StackArg, new_name: Annotated[str, typer.Argument(help="The new name.")]) -> None:
    """Rename a stack (the default stack keeps its name); where it is the active stack, it stays so."""
    from waypost.execution.stacks import find_folder, folder_config_path, read_yaml, write_folder_config
    from waypost.schemas.stacks import StackUpdate

    with backend() as stacks:
        old = stacks.get_stack(ref)
        stack = stacks.update_stack(ref, StackUpdate(name=new_name))
        if not stacks.is_remote and _user_stack() == old.name:
            stacks.set_active_stack(stack.name)
    folder = find_folder()
    if folder is not None and read_yaml(folder_config_path(folder)).get("stack") == old.name:
        write_folder_config(folder, {"stack": stack.name})
    out().print(f"Renamed stack {old.name} to [bold]{stack.name}[/bold].")


def _user_stack() -> str | None:
    from waypost.execution.stacks import user_stack
    from waypost.settings import config_path

    return user_stack(config_path())


@app.command("copy")
def copy_stack(ref: StackArg, new_name: Annotated[str, typer.Argument(help="The copy's name.")]) -> None:
    """Copy a stack under a new name (the copy holds the same components)."""
    with backend() as stacks:
        stack = stacks.copy_stack(ref, new_name)
    out().print(f"Copied to stack [bold]{stack.name}[/bold] ({_summary(stack)}).")


@app.command("delete")
def delete_stack(ref: StackArg) -> None:
    """Delete a stack (its components stay registered; the default stack cannot be deleted)."""
    with backend() as stacks:
        stack = stacks.delete_stack(ref)
    out().print(f"Deleted stack [bold]{stack.name}[/bold].")


@app.command("verify")
def verify_stack(
    ref: Annotated[str | None, typer.Argument(help="The stack (default: the active one).")] = None,
) -> None:
    """Check that each component of a stack can reach its resource."""
    with backend() as stacks:
        name = ref or active_choice(stacks)[0]
        results = stacks.verify_stack(name)
    failed = print_results(results)
    if failed:
        fail(f"Stack '{name}' did not verify: {failed}")


def print_results(results: dict[ComponentType, VerifyResult]) -> str | None:
    """One line per component, ✓ or ✗; the first failure's text, or None."""
    console, failed = out(), None
    for t, r in results.items():
        mark = ("✓ ", "green") if r.ok else ("✗ ", "red")
        console.print(Text.assemble(mark, f"{t.value:<20}", r.message, (f"  {r.duration_ms:.0f} ms", "dim")))
        if not r.ok and failed is None:
            failed = f"{t.value}: {r.message}"
    return failed


def init_folder(folder: Path, stack: str | None) -> Path:
    """Make ``folder`` a project folder: ``.waypost/config.yaml`` naming ``stack`` (checked to exist) or none."""
    from waypost.execution.stacks import write_folder_config

    if stack is not None:
        with backend() as stacks:
            stack = stacks.get_stack(stack).name
    return write_folder_config(folder, {"stack": stack} if stack else {})
