"""Promotion rules: a filter over a version's metadata, and a comparison with a stage's holder.

A rule's filter is the filter language over a model's versions (``metadata.accuracy>=0.9
metadata.data_validation:pass stage:none``: the keys of the versions table), checked when the rule
is saved, so a rule that does not parse is refused then, never when it fires. ``beats`` compares
the latest value of one metric with that of the version holding a stage, in the direction the
model's ``metric_directions`` gives (higher is better when it gives none); a stage nobody holds, or
a holder without the metric, is beaten by any version that has it.

Rules promote, never demote: a rule into staging looks at versions in no stage, one into
production at those in none or staging, one into archived at every version not archived. A rule that fires
asks for its stage as the rule (no user): with ``force``, so the holder of staging or production is
archived, and through approval when the model's policy names the stage.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from waypost.exceptions import ConflictError, NotFoundError, StoreError
from waypost.schemas.model_approvals import (
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleBeats,
    RuleDryRun,
    RuleEvaluation,
    RuleMatch,
)
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import conditions
from waypost.store.sql.repositories._model_rows import model_row
from waypost.store.sql.repositories.model_requests import LIST_HINT, Requested, request_stage
from waypost.store.sql.repositories.model_views import VERSION_FILTERS, metric_values
from waypost.store.sql.tables import utcnow

#: The most versions a dry run lists.
DRY_RUN_MAX = 1000
#: The stages a rule into each stage moves versions out of: rules promote, never demote.
BELOW = {
    "staging": ("none",),
    "production": ("none", "staging"),
    "archived": ("none", "staging", "production"),
}
#: The most rules one model may have (each is tried on every version that changes).
MAX_RULES = 100


def _hint(model: str) -> str:
    return f"`waypost model rule list {model}` shows its rules"


def check_filter(text: str) -> None:
    """Refuse (one-line FilterSyntaxError) a filter that does not parse or names a key versions lack."""
    conditions(VERSION_FILTERS, text)


def _rule_row(s: Connection, m: Row[Any], name: str) -> Row[Any]:
    r = db.model_promotion_rules
    row = s.execute(select(r).where(r.c.model_id == m.id, r.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"Model '{m.name}' has no rule '{name}'; {_hint(m.name)}.")
    return row


def _reads(s: Connection, m: Row[Any], rows: list[Row[Any]]) -> list[PromotionRuleRead]:
    users = {r.created_by for r in rows if r.created_by is not None}
    names: dict[uuid.UUID, str] = {}
    if users:
        names = {
            u.id: u.name for u in s.execute(select(db.users.c.id, db.users.c.name).where(db.users.c.id.in_(users)))
        }
    return [
        PromotionRuleRead(
            id=r.id,
            model_id=m.id,
            model_name=m.name,
            name=r.name,
            filter=r.filter,
            to_stage=r.to_stage,
            beats=RuleBeats.model_validate(r.beats) if r.beats else None,
            enabled=r.enabled,
            created_by=r.created_by,
            created_by_name=names.get(r.created_by),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rows
    ]


class RuleRepository:
    """A model's promotion rules: saved, listed, changed, tried out, and evaluated for a version."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def create(
        self,
        model: str | uuid.UUID,
        rule: PromotionRuleCreate,
        *,
        user_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> PromotionRuleRead:
        """Save a rule; a filter that does not parse is a FilterSyntaxError, a name the model has a ConflictError."""
        rule = PromotionRuleCreate.model_validate(rule.model_dump())
        check_filter(rule.filter)
        r = db.model_promotion_rules
        try:
            with self._s.write() as s:
                m = model_row(s, model, project_id)
                if s.scalar(select(r.c.id).where(r.c.model_id == m.id, r.c.name == rule.name)) is not None:
                    raise self._taken(m.name, rule.name)
                if (s.scalar(select(func.count()).where(r.c.model_id == m.id)) or 0) >= MAX_RULES:
                    raise ConflictError(
                        f"Model '{m.name}' has {MAX_RULES} rules, the most a model may have; delete one first "
                        f"({_hint(m.name)})."
                    )
                rule_id = uuid.uuid4()
                values = {
                    "id": rule_id,
                    "created_at": utcnow(),
                    "model_id": m.id,
                    "name": rule.name,
                    "filter": rule.filter.strip(),
                    "to_stage": rule.to_stage,
                    "beats": rule.beats.model_dump() if rule.beats else None,
                    "enabled": rule.enabled,
                    "created_by": user_id,
                }
                s.execute(insert(r), [values])
                return _reads(s, m, [s.execute(select(r).where(r.c.id == rule_id)).one()])[0]
        except StoreError as exc:
            if not isinstance(exc, ConflictError) and is_conflict(exc):  # made at the same time by someone else
                raise self._taken(str(model), rule.name) from None
            raise

    @staticmethod
    def _taken(model: str, name: str) -> ConflictError:
        return ConflictError(
            f"Model '{model}' has a rule named '{name}' already; pick another name or change that rule "
            f"(`waypost model rule update {model} {name} ...`)."
        )

    def list(self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None) -> list[PromotionRuleRead]:
        """A model's rules, in the order they are tried (oldest first)."""
        r = db.model_promotion_rules
        with self._s.read() as s:
            m = model_row(s, model, project_id)
            rows = s.execute(select(r).where(r.c.model_id == m.id).order_by(r.c.created_at, r.c.id)).all()
            return _reads(s, m, list(rows))

    def get(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> PromotionRuleRead:
        """One rule by name."""
        with self._s.read() as s:
            m = model_row(s, model, project_id)
            return _reads(s, m, [_rule_row(s, m, name)])[0]

    def update(
        self,
        model: str | uuid.UUID,
        name: str,
        change: PromotionRuleUpdate,
        *,
        project_id: uuid.UUID | None = None,
    ) -> PromotionRuleRead:
        """Change what ``change`` sets (a new filter is checked as on creation); return the rule."""
        change = PromotionRuleUpdate.model_validate(change.model_dump(exclude_unset=True))
        sent = change.model_fields_set
        values: dict[str, Any] = {"updated_at": utcnow()}
        if "filter" in sent and change.filter is not None:
            check_filter(change.filter)
            values["filter"] = change.filter.strip()
        if "to_stage" in sent and change.to_stage is not None:
            values["to_stage"] = change.to_stage
        if "enabled" in sent and change.enabled is not None:
            values["enabled"] = change.enabled
        if "beats" in sent:
            values["beats"] = change.beats.model_dump() if change.beats else None
        r = db.model_promotion_rules
        with self._s.write() as s:
            m = model_row(s, model, project_id)
            row = _rule_row(s, m, name)
            s.execute(update(r).where(r.c.id == row.id).values(**values))
            return _reads(s, m, [s.execute(select(r).where(r.c.id == row.id)).one()])[0]

    def delete(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> PromotionRuleRead:
        """Delete a rule; return it as it was."""
        r = db.model_promotion_rules
        with self._s.write() as s:
            m = model_row(s, model, project_id)
            row = _rule_row(s, m, name)
            gone = _reads(s, m, [row])[0]
            s.execute(delete(r).where(r.c.id == row.id))
            return gone

    def dry_run(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> RuleDryRun:
        """The versions the rule would promote now (newest first, at most DRY_RUN_MAX); nothing changes."""
        with self._s.read() as s:
            m = model_row(s, model, project_id)
            rule = _rule_row(s, m, name)
            checked, matches = _matches(s, m, rule, None)
            return RuleDryRun(rule=rule.name, to_stage=rule.to_stage, checked=checked, matches=matches)

    def evaluate(self, version_id: uuid.UUID | str) -> RuleEvaluation:
        """See :meth:`evaluated`; only its answer."""
        return self.evaluated(version_id)[0]

    def evaluated(self, version_id: uuid.UUID | str) -> tuple[RuleEvaluation, Requested | None]:
        """Try the model's enabled rules on a version, oldest first; the first that matches asks for its stage.

        A version with a pending request for that stage already is left as it is (the rule asked).
        Returns the answer, and what asking did (None when no rule matched), for the audit trail.
        """
        mv, r, rq = db.model_versions, db.model_promotion_rules, db.model_transition_requests
        vid = uuid.UUID(str(version_id))
        with self._s.read() as s:
            version = s.execute(select(mv.c.id, mv.c.model_id, mv.c.name).where(mv.c.id == vid)).first()
            if version is None:
                raise NotFoundError(f"No model version '{version_id}' exists; `waypost model list` shows the models.")
            m = model_row(s, version.model_id, None)
            rules = s.execute(
                select(r).where(r.c.model_id == m.id, r.c.enabled.is_(True)).order_by(r.c.created_at, r.c.id)
            ).all()
            fired = None
            for rule in rules:
                asked = select(rq.c.id).where(rq.c.model_version_id == vid, rq.c.pending_stage == rule.to_stage)
                if s.scalar(asked) is None and _matches(s, m, rule, vid)[1]:
                    fired = rule
                    break
        if fired is None:
            return RuleEvaluation(version_id=vid), None
        done = self.request(m.id, str(vid), fired.to_stage, fired.name)
        return RuleEvaluation(version_id=vid, rule=fired.name, result=done.result), done

    def request(self, model_id: uuid.UUID, version: str, stage: str, rule: str) -> Requested:
        """Ask for ``stage`` as rule ``rule`` does (forced; through approval when the policy wants it)."""
        try:
            return request_stage(
                self._s,
                model_id,
                version,
                stage,
                force=True,
                reason=f"promotion rule '{rule}' matched",
                how="rule",
                rule=rule,
            )
        except ConflictError as exc:
            if "pending request" in str(exc):  # another evaluation asked first
                raise ConflictError(f"Rule '{rule}' asked for {stage} already; {LIST_HINT}.") from None
            raise


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _matches(s: Connection, m: Row[Any], rule: Row[Any], only: uuid.UUID | None) -> tuple[int, list[RuleMatch]]:
    """How many candidates ``rule`` looked at, and those it would promote (newest first)."""
    mv = db.model_versions
    stmt = select(mv.c.id, mv.c.name, mv.c.number, mv.c.stage).where(
        mv.c.model_id == m.id,
        mv.c.stage.in_(BELOW[rule.to_stage]),
        *conditions(VERSION_FILTERS, rule.filter),
    )
    if only is not None:
        stmt = stmt.where(mv.c.id == only)
    rows = s.execute(stmt.order_by(mv.c.number.desc()).limit(DRY_RUN_MAX)).all()
    if not rule.beats:
        return len(rows), [
            RuleMatch(version_id=r.id, version_name=r.name, version_number=r.number, stage=r.stage) for r in rows
        ]
    beats = RuleBeats.model_validate(rule.beats)
    holder = s.execute(
        select(mv.c.id, mv.c.name)
        .where(mv.c.model_id == m.id, mv.c.stage == beats.stage)
        .order_by(mv.c.number.desc())
        .limit(1)
    ).first()
    ids = [r.id for r in rows] + ([holder.id] if holder is not None else [])
    values = metric_values(s, ids, [beats.metric])
    held = _number(values[holder.id].get(beats.metric)) if holder is not None else None
    lower = (m.metric_directions or {}).get(beats.metric) == "lower"
    out = []
    for r in rows:
        mine = _number(values[r.id].get(beats.metric))
        if mine is None or (holder is not None and r.id == holder.id):
            continue
        if held is None or (mine < held if lower else mine > held):
            out.append(
                RuleMatch(
                    version_id=r.id,
                    version_name=r.name,
                    version_number=r.number,
                    stage=r.stage,
                    metric=mine,
                    holder=holder.name if holder is not None else None,
                    holder_metric=held,
                )
            )
    return len(rows), out
