"""``waypost model request|requests|approve|reject|policy|project-policy``: transitions that need approval.

A request's id may be given in full or by the first characters ``waypost model requests`` shows, as
long as one pending request starts with them.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from waypost.cli._common import CliError, client, new_table, out, page_footer, print_json, when_short
from waypost.cli.models import STAGE_STYLES

if TYPE_CHECKING:
    from waypost.client import Client
    from waypost.schemas.model_approvals import ApprovalPolicy, TransitionRequestRead

RequestArg = Annotated[str, typer.Argument(help="The request's id, or its first characters.", show_default=False)]
CommentOpt = Annotated[str | None, typer.Option("--comment", "-m", help="Why, kept with the vote.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the JSON of the records instead of a table.")]
RequireOpt = Annotated[
    list[str] | None,
    typer.Option("--require", help="A stage whose transitions need approval (repeat for several).", show_default=False),
]
ApprovalsOpt = Annotated[int | None, typer.Option("--approvals", help="How many approvals each needs.", min=1, max=20)]
#: Characters of an id the tables show.
SHORT = 8


def resolve_request(c: Client, ref: str) -> uuid.UUID:
    """A request id from the full id or a prefix of a pending request's id; else one line saying what to do."""
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    if len(ref) < 4:
        raise CliError(f"'{ref}' is too short to name a request; give at least 4 characters of its id.")
    found = [r.id for r in c.list_model_requests(status="pending", size=1000).items if str(r.id).startswith(ref)]
    if len(found) != 1:
        what = "No pending request's id starts" if not found else f"{len(found)} pending requests' ids start"
        raise CliError(f"{what} with '{ref}'; `waypost model requests` lists them (give more of the id).")
    return found[0]


def _subject(r: TransitionRequestRead) -> str:
    return f"version {r.version_name} of {r.model_name}"


def request_command(
    model: Annotated[str, typer.Argument(help="The model's name or id.", show_default=False)],
    version: Annotated[str, typer.Argument(help="The version's name or number.", show_default=False)],
    stage: Annotated[str, typer.Argument(help="staging, production, archived or none.", show_default=False)],
    reason: Annotated[str | None, typer.Option("--reason", help="Why, for the approvers and the history.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Archive the version holding staging or production when it goes in.")
    ] = False,
) -> None:
    """Ask for a version to go into a stage: pending until enough users approve, when the model's policy says so."""
    done = client().request_model_stage(model, version, stage, force=force, reason=reason)
    moved = done.version
    if done.outcome == "done" or done.request is None:
        out().print(f"Version {moved.name} of {moved.model_name} is now in {moved.stage.value} (no approval needed).")
        return
    r = done.request
    needs = f"{r.approvals_required} approval{'s' if r.approvals_required != 1 else ''}"
    out().print(
        f"Requested {r.to_stage.value} for {_subject(r)}: request {str(r.id)[:SHORT]} waits for {needs} "
        f"(`waypost model approve {str(r.id)[:SHORT]}`)."
    )


def requests_command(
    model: Annotated[str | None, typer.Option("--model", help="Only this model's requests.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only those waiting for your approval.")] = False,
    requested: Annotated[bool, typer.Option("--requested", help="Only those you made.")] = False,
    status: Annotated[str, typer.Option("--status", help="pending, approved, rejected, cancelled or all.")] = "pending",
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    size: Annotated[int, typer.Option(help="Requests per page.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List requests for a stage, newest first (pending ones by default; --mine: those awaiting your vote)."""
    if mine and requested:
        raise CliError("Give --mine (awaiting your approval) or --requested (made by you), not both.")
    which = "needs_approval" if mine else ("requested" if requested else None)
    result = client().list_model_requests(model=model, status=status, mine=which, page=page, size=size)
    if as_json:
        print_json(result)
        return
    console = out()
    if not result.items:
        nothing = (
            "No requests await your approval." if mine else f"No {'' if status == 'all' else status + ' '}requests."
        )
        console.print(nothing if result.total == 0 else f"Page {page} is past the last page.")
        return
    table = new_table()
    for column in ("id", "model", "version", "to", "by", "approvals", "status", "asked", "reason"):
        table.add_column(column, no_wrap=column != "reason")
    for r in result.items:
        by = f"rule {r.rule}" if r.how == "rule" else (r.requested_by_name or "-")
        table.add_row(
            str(r.id)[:SHORT],
            r.model_name,
            r.version_name,
            Text(r.to_stage.value, style=STAGE_STYLES.get(r.to_stage.value, "")),
            by,
            f"{r.approvals}/{r.approvals_required}",
            r.status,
            when_short(r.requested_at),
            r.reason or "",
        )
    console.print(table)
    console.print(page_footer(result, "request" if result.total == 1 else "requests"))


def _decided(r: TransitionRequestRead) -> str:
    short = str(r.id)[:SHORT]
    if r.status == "approved":
        return f"Approved request {short}: {_subject(r)} is now in {r.to_stage.value}."
    if r.status == "rejected":
        return f"Rejected request {short} ({_subject(r)} into {r.to_stage.value}); nothing changed."
    if r.status == "cancelled":
        return f"Withdrew request {short} ({_subject(r)} into {r.to_stage.value}); nothing changed."
    return f"Approved request {short} ({_subject(r)} into {r.to_stage.value}): {r.approvals} of {r.approvals_required}."


def approve_command(request: RequestArg, comment: CommentOpt = None) -> None:
    """Approve a pending request (not your own); the approval completing its quorum moves the version."""
    c = client()
    out().print(_decided(c.approve_model_request(resolve_request(c, request), comment)))


def reject_command(request: RequestArg, comment: CommentOpt = None) -> None:
    """Reject a pending request: nothing changes (your own request: it is withdrawn)."""
    c = client()
    out().print(_decided(c.reject_model_request(resolve_request(c, request), comment)))


def _print_policy(policy: ApprovalPolicy, whose: str) -> None:
    if not policy.stages:
        source = {"model": "its own policy", "project": "its project's policy", "none": "no policy"}[policy.source]
        out().print(f"{whose}: no stage needs approval ({source}).")
        return
    needs = f"{policy.approvals_required} approval{'s' if policy.approvals_required != 1 else ''}"
    source = {"model": "", "project": " (the project's policy)", "none": ""}[policy.source]
    out().print(f"{whose}: {', '.join(policy.stages)} need{'s' if len(policy.stages) == 1 else ''} {needs}{source}.")


def policy_command(
    model: Annotated[str, typer.Argument(help="The model's name or id.", show_default=False)],
    require: RequireOpt = None,
    approvals: ApprovalsOpt = None,
    nothing: Annotated[bool, typer.Option("--none", help="No stage needs approval for this model.")] = False,
    inherit: Annotated[bool, typer.Option("--inherit", help="Follow the project's policy again.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show or set which stages need approval for a model and how many approvals (needs model:approve to set)."""
    if sum((bool(require), nothing, inherit)) > 1:
        raise CliError("Give one of --require STAGE, --none and --inherit.")
    c = client()
    if require or nothing or inherit or approvals is not None:
        change: dict[str, object] = {}
        if require or nothing or inherit:
            change["stages"] = None if inherit else list(require or [])
        if approvals is not None:
            change["approvals_required"] = approvals
        policy = c.set_model_approval_policy(model, **change)  # type: ignore[arg-type]
    else:
        policy = c.get_model_approval_policy(model)
    if as_json:
        print_json(policy)
        return
    _print_policy(policy, model)


def project_policy_command(
    require: RequireOpt = None,
    approvals: ApprovalsOpt = None,
    nothing: Annotated[bool, typer.Option("--none", help="No stage needs approval in this project.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show or set the active project's policy, which its models without their own follow."""
    if require and nothing:
        raise CliError("Give --require STAGE or --none, not both.")
    c = client()
    if require or nothing:
        policy = c.set_project_approval_policy(list(require or []), approvals or 1)
    elif approvals is not None:
        raise CliError("Name the stages too: --require STAGE --approvals N.")
    else:
        policy = c.get_project_approval_policy()
    if as_json:
        print_json(policy)
        return
    _print_policy(policy, "This project")


def register(app: typer.Typer) -> None:
    """Add these commands to the ``waypost model`` group."""
    app.command("request")(request_command)
    app.command("requests")(requests_command)
    app.command("approve")(approve_command)
    app.command("reject")(reject_command)
    app.command("policy")(policy_command)
    app.command("project-policy")(project_policy_command)
