"""Stage changes of model versions and their history, in one transaction each under the model's row lock.

Two promotions of one model queue on that lock (``SELECT … FOR UPDATE`` on PostgreSQL and
MariaDB; SQLite's writers take the database's write lock at BEGIN IMMEDIATE), and each reads the
current holders again after it got it, so two processes promoting different versions into
production leave exactly one there. The unique index on (model_id, exclusive_stage) is the
database's own guard behind the lock.

Every read after the lock is a locking one: on MariaDB (REPEATABLE READ) a plain SELECT would
still see the snapshot taken before the lock was granted.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from waypost.enums import ModelStages
from waypost.exceptions import ConflictError, StoreError
from waypost.schemas import ModelVersionRead, Page
from waypost.schemas.models import ModelStageTransitionRead
from waypost.store import model_stages as rules
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.repositories._approval_policy import effective_policy
from waypost.store.sql.repositories._model_rows import model_row, version_read, version_row
from waypost.store.sql.tables import utcnow

#: Tries of a stage change that the database ended as a deadlock victim (MariaDB's gap locks).
_ATTEMPTS = 5


@dataclass(frozen=True)
class StageChange:
    """What a stage change did: the version as it now is, its stage before, the versions archived for it."""

    version: ModelVersionRead
    previous: ModelStages
    archived: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """False when the version was in that stage already (nothing was recorded)."""
        return self.previous != self.version.stage


def is_deadlock(error: StoreError) -> bool:
    """Whether the database ended the transaction behind ``error`` as a deadlock victim (worth trying again)."""
    cause = error.__context__
    return isinstance(cause, DBAPIError) and "deadlock" in str(cause.orig or cause).lower()


def change_stage(
    sessions: Sessions,
    model: str | uuid.UUID,
    version: str,
    stage: ModelStages | str,
    *,
    force: bool = False,
    reason: str | None = None,
    how: str = "manual",
    rule: str | None = None,
    user_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> StageChange:
    """Put ``version`` of ``model`` in ``stage``; see :meth:`ModelRepository.set_stage`."""
    target = rules.settable_stage(stage)
    rules.check_transition(how, rule, reason)
    for attempt in range(_ATTEMPTS):
        try:
            with sessions.write() as s:
                return change_in(s, model, str(version), target, force, reason, how, rule, user_id, project_id)
        except StoreError as exc:
            if isinstance(exc, ConflictError):
                raise
            if is_conflict(exc):  # the unique index caught what the lock should have: say so, change nothing
                raise ConflictError(
                    f"Another change to the stages of model '{model}' went in at the same time; run it again."
                ) from None
            if not is_deadlock(exc) or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def change_in(
    s: Connection,
    model: str | uuid.UUID,
    version: str,
    target: ModelStages,
    force: bool,
    reason: str | None,
    how: str,
    rule: str | None,
    user_id: uuid.UUID | None,
    project_id: uuid.UUID | None,
) -> StageChange:
    """The stage change in transaction ``s``, under the model's lock (taken here; taking it again is free).

    A stage the model's approval policy names is refused unless ``how`` is ``approval`` (an
    approved request makes it).
    """
    m = model_row(s, model, project_id)
    s.execute(select(db.models.c.id).where(db.models.c.id == m.id).with_for_update())  # promotions of m queue here
    row = version_row(s, m, version, lock=True)
    previous = ModelStages(row.stage)
    if previous == target:  # nothing to do, nothing recorded
        return StageChange(version_read(s, row.id), previous)
    if how != "approval":
        policy = effective_policy(s, m)
        if target.value in policy.stages:
            raise rules.approval_needed(m.name, row.name, target, policy.approvals_required)
    mv = db.model_versions
    now = utcnow()
    archived: list[str] = []
    if target in rules.EXCLUSIVE:
        holders = s.execute(
            select(mv.c.id, mv.c.name)
            .where(mv.c.model_id == m.id, mv.c.stage == target.value, mv.c.id != row.id)
            .order_by(mv.c.number)
            .with_for_update()
        ).all()
        if holders and not force:
            raise rules.holder_conflict(m.name, target, holders[-1].name, row.name)
        for holder in holders:
            why = f"replaced by version {row.name}"
            _move(s, holder.id, target, ModelStages.ARCHIVED, now, user_id, why, how, rule)
            archived.append(holder.name)
        now += timedelta(microseconds=1)  # the promotion comes after the archiving it made room with
    _move(s, row.id, previous, target, now, user_id, reason, how, rule)
    return StageChange(version_read(s, row.id), previous, archived)


def _move(
    s: Connection,
    version_id: uuid.UUID,
    before: ModelStages,
    after: ModelStages,
    at: datetime,
    user_id: uuid.UUID | None,
    reason: str | None,
    how: str,
    rule: str | None,
) -> None:
    mv = db.model_versions
    exclusive = after.value if after in rules.EXCLUSIVE else None
    s.execute(
        update(mv).where(mv.c.id == version_id).values(stage=after.value, exclusive_stage=exclusive, stage_since=at)
    )
    s.execute(
        insert(db.model_stage_transitions),
        [
            {
                "id": uuid.uuid4(),
                "created_at": at,
                "model_version_id": version_id,
                "from_stage": before.value,
                "to_stage": after.value,
                "user_id": user_id,
                "reason": reason,
                "how": how,
                "rule": rule,
            }
        ],
    )


def list_transitions(
    sessions: Sessions, model: str | uuid.UUID, page: int, size: int, project_id: uuid.UUID | None
) -> Page[ModelStageTransitionRead]:
    """A model's stage transitions, newest first."""
    check_page(page, size)
    t, mv, u = db.model_stage_transitions, db.model_versions, db.users
    with sessions.read() as s:
        m = model_row(s, model, project_id)
        where = mv.c.model_id == m.id
        joined = t.join(mv, mv.c.id == t.c.model_version_id)
        total = s.scalar(select(func.count()).select_from(joined).where(where)) or 0
        rows = s.execute(
            select(
                t,
                mv.c.name.label("version_name"),
                mv.c.number.label("version_number"),
                u.c.name.label("user_name"),
            )
            .select_from(joined.outerjoin(u, u.c.id == t.c.user_id))
            .where(where)
            .order_by(t.c.created_at.desc(), t.c.id.desc())
            .limit(size)
            .offset((page - 1) * size)
        ).all()
    items = [
        ModelStageTransitionRead(
            id=r.id,
            model_id=m.id,
            model_name=m.name,
            model_version_id=r.model_version_id,
            version_name=r.version_name,
            version_number=r.version_number,
            from_stage=ModelStages(r.from_stage),
            to_stage=ModelStages(r.to_stage),
            user_id=r.user_id,
            user_name=r.user_name,
            reason=r.reason,
            how=r.how,
            rule=r.rule,
            created_at=r.created_at,
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=page, size=size)
