"""Requests to put a version in a stage that needs approval, and the votes that decide them.

Asking for a stage takes the model's row lock as a stage change does, so the policy, the holders
and the pending requests it reads cannot change under it: a stage the policy does not name is
changed at once; one it names gets a pending request (one per version and stage, the unique
index on ``pending_stage`` behind the lock). A vote takes the same lock; the vote that completes
the quorum makes the transition (how ``approval``) in its own transaction, so a request is
approved exactly when its version moves.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, and_, exists, func, insert, or_, select, update

from waypost.enums import ModelStages
from waypost.exceptions import ConflictError, NotFoundError, ParameterError, StoreError
from waypost.schemas import Page
from waypost.schemas.access import Visibility
from waypost.schemas.model_approvals import (
    TEXT_MAX,
    StageRequestResult,
    TransitionRequestRead,
    TransitionVoteRead,
)
from waypost.store import model_stages as rules
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.repositories._approval_policy import effective_policy
from waypost.store.sql.repositories._common import parse_id, visible
from waypost.store.sql.repositories._model_rows import model_row, version_read, version_row
from waypost.store.sql.repositories.model_stages import StageChange, change_in, is_deadlock
from waypost.store.sql.tables import utcnow

T = TypeVar("T")
_ATTEMPTS = 5
STATUSES = ("pending", "approved", "rejected", "cancelled")
LIST_HINT = "`waypost model requests` lists the pending ones"


@dataclass(frozen=True)
class Requested:
    """What asking for a stage did: the answer, and the stage change when it was made at once."""

    result: StageRequestResult
    change: StageChange | None = None


@dataclass(frozen=True)
class Decided:
    """A request after a vote, and the stage change when the vote completed its quorum."""

    request: TransitionRequestRead
    change: StageChange | None = None


def _retrying(sessions: Sessions, work: Callable[[Connection], T], clash: str) -> T:
    """``work`` in one write transaction, tried again when the database picked it as a deadlock victim."""
    for attempt in range(_ATTEMPTS):
        try:
            with sessions.write() as s:
                return work(s)
        except StoreError as exc:
            if isinstance(exc, ConflictError | NotFoundError):
                raise
            if is_conflict(exc):  # the unique index caught what the lock should have
                raise ConflictError(clash) from None
            if not is_deadlock(exc) or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _lock_model(s: Connection, model_id: uuid.UUID) -> None:
    s.execute(select(db.models.c.id).where(db.models.c.id == model_id).with_for_update())


def _short(request_id: uuid.UUID) -> str:
    return str(request_id)[:8]


def request_stage(
    sessions: Sessions,
    model: str | uuid.UUID,
    version: str,
    stage: ModelStages | str,
    *,
    force: bool = False,
    reason: str | None = None,
    user_id: uuid.UUID | None = None,
    how: str = "manual",
    rule: str | None = None,
    project_id: uuid.UUID | None = None,
) -> Requested:
    """Put a version in ``stage`` now, or, when the model's policy wants approval for it, ask for that.

    A request asked for already (the same version and stage, pending) is a ConflictError; so is
    another version holding staging or production without ``force`` (approving could not move it).
    """
    target = rules.settable_stage(stage)
    if how not in ("manual", "rule"):
        raise ParameterError(f"A stage is requested by hand ('manual') or by a rule ('rule'), not '{how}'.")
    rules.check_transition(how, rule, reason)

    def work(s: Connection) -> Requested:
        m = model_row(s, model, project_id)
        _lock_model(s, m.id)
        row = version_row(s, m, str(version), lock=True)
        policy = effective_policy(s, m)
        if target.value not in policy.stages or ModelStages(row.stage) == target:
            done = change_in(s, m.id, str(row.id), target, force, reason, how, rule, user_id, None)
            return Requested(StageRequestResult(outcome="done", version=done.version), done)
        rq = db.model_transition_requests
        waiting = s.scalar(select(rq.c.id).where(rq.c.model_version_id == row.id, rq.c.pending_stage == target.value))
        if waiting is not None:
            raise ConflictError(
                f"Version {row.name} of model '{m.name}' has a pending request for {target.value} already "
                f"({_short(waiting)}); approve or reject it ({LIST_HINT})."
            )
        if target in rules.EXCLUSIVE and not force:
            holder = _holder(s, m.id, target, row.id)
            if holder is not None:
                raise rules.holder_conflict(m.name, target, holder, row.name)
        request_id = uuid.uuid4()
        s.execute(
            insert(rq),
            [
                {
                    "id": request_id,
                    "created_at": utcnow(),
                    "model_id": m.id,
                    "model_version_id": row.id,
                    "to_stage": target.value,
                    "pending_stage": target.value,
                    "force": force,
                    "reason": reason,
                    "requested_by": user_id,
                    "status": "pending",
                    "how": how,
                    "rule": rule,
                    "approvals_required": policy.approvals_required,
                }
            ],
        )
        made = request_reads(s, _rows(s, rq.c.id == request_id))[0]
        return Requested(StageRequestResult(outcome="pending", request=made, version=version_read(s, row.id)))

    clash = f"A request for {target.value} of that version of model '{model}' went in at the same time; {LIST_HINT}."
    return _retrying(sessions, work, clash)


def _holder(s: Connection, model_id: uuid.UUID, stage: ModelStages, other_than: uuid.UUID) -> str | None:
    mv = db.model_versions
    found: str | None = s.scalar(
        select(mv.c.name)
        .where(mv.c.model_id == model_id, mv.c.stage == stage.value, mv.c.id != other_than)
        .order_by(mv.c.number.desc())
        .limit(1)
    )
    return found


def decide(
    sessions: Sessions,
    request_id: uuid.UUID | str,
    decision: str,
    *,
    user_id: uuid.UUID | None,
    comment: str | None = None,
) -> Decided:
    """Approve or reject a pending request as ``user_id``; see :meth:`ModelPromotionRepository.decide`."""
    if decision not in ("approve", "reject"):
        raise ParameterError(f"A request is decided by 'approve' or 'reject', not '{decision}'.")
    if user_id is None:
        raise ParameterError(
            "Approving or rejecting needs a user, and a local store has none; decide requests on a Waypost "
            "server (`waypost login URL`)."
        )
    if comment is not None and len(comment) > TEXT_MAX:
        raise ParameterError(f"A comment holds {TEXT_MAX} characters at most; shorten it.")
    rid = _request_id(request_id)

    def work(s: Connection) -> Decided:
        rq, votes = db.model_transition_requests, db.model_transition_votes
        found = s.execute(select(rq.c.model_id).where(rq.c.id == rid)).first()
        if found is None:
            raise _no_request(request_id)
        _lock_model(s, found.model_id)  # the lock stage changes take, before the request's own
        req = s.execute(select(rq).where(rq.c.id == rid).with_for_update()).one()
        if req.status != "pending":
            raise ConflictError(f"Request {_short(rid)} was {req.status} already; nothing changed.")
        own = req.requested_by is not None and req.requested_by == user_id
        if own and decision == "approve":
            raise ParameterError(
                f"You asked for request {_short(rid)}, so you cannot approve it; another user holding "
                "model:approve must (rejecting it withdraws it)."
            )
        voted = s.scalar(select(votes.c.decision).where(votes.c.request_id == rid, votes.c.user_id == user_id))
        if voted is not None:
            did = "approved" if voted == "approve" else "rejected"
            raise ConflictError(f"You {did} request {_short(rid)} already; each user decides once.")
        now = utcnow()
        s.execute(
            insert(votes),
            [
                {
                    "id": uuid.uuid4(),
                    "created_at": now,
                    "request_id": rid,
                    "user_id": user_id,
                    "decision": decision,
                    "comment": comment,
                }
            ],
        )
        change = None
        if decision == "reject":
            _close(s, rid, "cancelled" if own else "rejected")
        else:
            approvers = _approvers(s, rid)
            if len(approvers) >= req.approvals_required:
                change = _carry_out(s, req, approvers)
                _close(s, rid, "approved")
        return Decided(request_reads(s, _rows(s, rq.c.id == rid))[0], change)

    return _retrying(sessions, work, f"Another vote on request {_short(rid)} went in at the same time; try again.")


def _approvers(s: Connection, request_id: uuid.UUID) -> list[str]:
    votes, u = db.model_transition_votes, db.users
    rows = s.execute(
        select(u.c.name)
        .select_from(votes.outerjoin(u, u.c.id == votes.c.user_id))
        .where(votes.c.request_id == request_id, votes.c.decision == "approve")
        .order_by(votes.c.created_at, votes.c.id)
    )
    return [name or "a removed user" for (name,) in rows]


def _carry_out(s: Connection, req: Row[Any], approvers: list[str]) -> StageChange:
    """The approved request's transition: how ``approval``, the approvers named in its reason."""
    target = ModelStages(req.to_stage)
    if target in rules.EXCLUSIVE and not req.force:
        holder = _holder(s, req.model_id, target, req.model_version_id)
        if holder is not None:
            raise ConflictError(
                f"Version {holder} holds {target.value} now and request {_short(req.id)} was made without force; "
                "reject it and request the stage again with --force."
            )
    approved = f"approved by {', '.join(approvers)}"
    reason = f"{req.reason} ({approved})" if req.reason else approved
    return change_in(
        s,
        req.model_id,
        str(req.model_version_id),
        target,
        req.force,
        reason[: rules.REASON_MAX],
        "approval",
        req.rule,
        req.requested_by,
        None,
    )


def _close(s: Connection, request_id: uuid.UUID, status: str) -> None:
    rq = db.model_transition_requests
    s.execute(update(rq).where(rq.c.id == request_id).values(status=status, pending_stage=None, decided_at=utcnow()))


def _request_id(ref: uuid.UUID | str) -> uuid.UUID:
    rid = parse_id(ref)
    if rid is None:
        raise _no_request(ref)
    return rid


def _no_request(ref: object) -> NotFoundError:
    return NotFoundError(f"No model request '{ref}' exists; {LIST_HINT} (--status all for every one).")


def get_request(sessions: Sessions, request_id: uuid.UUID | str) -> TransitionRequestRead:
    """One request with its votes."""
    rid = _request_id(request_id)
    with sessions.read() as s:
        rows = _rows(s, db.model_transition_requests.c.id == rid)
        if not rows:
            raise _no_request(request_id)
        return request_reads(s, rows)[0]


def list_requests(
    sessions: Sessions,
    *,
    model: str | uuid.UUID | None = None,
    status: str | None = "pending",
    needs_approval_by: uuid.UUID | None = None,
    requested_by: uuid.UUID | None = None,
    visibility: Visibility | None = None,
    approvable: Visibility | None = None,
    project_id: uuid.UUID | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[TransitionRequestRead]:
    """Requests, newest first: of ``model``, in ``status`` (None: any), only those ``visibility`` lets be read.

    ``needs_approval_by``: pending requests that user did not make and has not voted on, of models
    where ``approvable`` (their ``model:approve``) holds. ``requested_by``: the ones that user made.
    ``project_id`` finds ``model`` by name there, or (no model named) keeps that project's requests.
    """
    check_page(page, size)
    if status is not None and status not in STATUSES:
        raise ParameterError(f"No request status '{status}'; use one of {', '.join(STATUSES)} or all.")
    rq, votes = db.model_transition_requests, db.model_transition_votes
    conds: list[Any] = []
    if status is not None:
        conds.append(rq.c.status == status)
    for cond in (visible(db.models, visibility), visible(db.models, approvable)):
        if cond is not None:
            conds.append(cond)
    if needs_approval_by is not None:
        mine = and_(votes.c.request_id == rq.c.id, votes.c.user_id == needs_approval_by)
        conds += [
            rq.c.status == "pending",
            or_(rq.c.requested_by.is_(None), rq.c.requested_by != needs_approval_by),
            ~exists().where(mine),
        ]
    if requested_by is not None:
        conds.append(rq.c.requested_by == requested_by)
    with sessions.read() as s:
        if model is not None:
            conds.append(rq.c.model_id == model_row(s, model, project_id).id)
        elif project_id is not None:
            conds.append(db.models.c.project_id == project_id)
        where = and_(*conds) if conds else None
        joined = rq.join(db.models, db.models.c.id == rq.c.model_id)
        count = select(func.count()).select_from(joined)
        total = s.scalar(count.where(where) if where is not None else count) or 0
        rows = _rows(s, where, limit=size, offset=(page - 1) * size)
        return Page(items=request_reads(s, rows), total=total, page=page, size=size)


def _rows(s: Connection, where: Any, *, limit: int | None = None, offset: int = 0) -> list[Row[Any]]:
    rq, mv, m, u = db.model_transition_requests, db.model_versions, db.models, db.users
    stmt = (
        select(
            rq,
            m.c.name.label("model_name"),
            mv.c.name.label("version_name"),
            mv.c.number.label("version_number"),
            u.c.name.label("requested_by_name"),
        )
        .select_from(
            rq.join(m, m.c.id == rq.c.model_id)
            .join(mv, mv.c.id == rq.c.model_version_id)
            .outerjoin(u, u.c.id == rq.c.requested_by)
        )
        .order_by(rq.c.created_at.desc(), rq.c.id.desc())
    )
    if where is not None:
        stmt = stmt.where(where)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list(s.execute(stmt).all())


def request_reads(s: Connection, rows: Sequence[Row[Any]]) -> list[TransitionRequestRead]:
    """Wire schemas of request rows (as :func:`_rows` selects them), with their votes (one query for all)."""
    ids = [r.id for r in rows]
    votes: dict[uuid.UUID, list[TransitionVoteRead]] = {i: [] for i in ids}
    if ids:
        v, u = db.model_transition_votes, db.users
        for vote in s.execute(
            select(v, u.c.name.label("user_name"))
            .select_from(v.outerjoin(u, u.c.id == v.c.user_id))
            .where(v.c.request_id.in_(ids))
            .order_by(v.c.created_at, v.c.id)
        ):
            votes[vote.request_id].append(
                TransitionVoteRead(
                    user_id=vote.user_id,
                    user_name=vote.user_name,
                    decision=vote.decision,
                    comment=vote.comment,
                    created_at=vote.created_at,
                )
            )
    return [
        TransitionRequestRead(
            id=r.id,
            model_id=r.model_id,
            model_name=r.model_name,
            model_version_id=r.model_version_id,
            version_name=r.version_name,
            version_number=r.version_number,
            to_stage=ModelStages(r.to_stage),
            force=r.force,
            reason=r.reason,
            requested_by=r.requested_by,
            requested_by_name=r.requested_by_name,
            requested_at=r.created_at,
            status=r.status,
            decided_at=r.decided_at,
            how=r.how,
            rule=r.rule,
            approvals_required=r.approvals_required,
            approvals=sum(1 for vote in votes[r.id] if vote.decision == "approve"),
            votes=votes[r.id],
        )
        for r in rows
    ]
