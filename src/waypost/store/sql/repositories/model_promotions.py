"""The model registry's governance: approval policies, stage requests and their votes, promotion rules.

One facade over :mod:`.model_requests` and :mod:`.model_rules` (the Store protocol's
``promotions``). The server passes who calls (``user_id``) and what they may see; a local store has
no users, so its requests are nobody's and it cannot decide them.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable

from sqlalchemy import update

from waypost.enums import ModelStages
from waypost.exceptions import ParameterError
from waypost.schemas import Page
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.schemas.model_approvals import (
    ApprovalPolicy,
    ModelApprovalPolicyUpdate,
    ProjectApprovalPolicyUpdate,
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleDryRun,
    RuleEvaluation,
    StageRequestResult,
    TransitionRequestRead,
)
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories import _approval_policy as policies
from waypost.store.sql.repositories import model_requests as requests
from waypost.store.sql.repositories._model_rows import model_row
from waypost.store.sql.repositories.model_rules import RuleRepository

#: Which requests ``list_requests(mine=...)`` keeps: those waiting for the caller's vote, or those they made.
MINE = ("needs_approval", "requested")


class ModelPromotionRepository:
    """Approval policies, stage requests and votes, and promotion rules, in a SQL database."""

    def __init__(self, sessions: Sessions, default_project: Callable[[], uuid.UUID] | None = None) -> None:
        self._s = sessions
        self._default_project = default_project or (lambda: DEFAULT_PROJECT_ID)
        self.rules = RuleRepository(sessions)

    # -- approval policies ----------------------------------------------------------------------

    def get_policy(self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None) -> ApprovalPolicy:
        """The policy a model follows: its own (``source`` "model"), its project's, or none."""
        with self._s.read() as s:
            return policies.effective_policy(s, model_row(s, model, project_id))

    def set_policy(
        self, model: str | uuid.UUID, change: ModelApprovalPolicyUpdate, *, project_id: uuid.UUID | None = None
    ) -> ApprovalPolicy:
        """Set a model's own policy (only the fields sent change; ``stages`` None follows the project's)."""
        change = ModelApprovalPolicyUpdate.model_validate(change.model_dump(exclude_unset=True))
        sent = change.model_fields_set
        values: dict[str, object] = {}
        if "stages" in sent:
            values["approval_stages"] = None if change.stages is None else policies.stage_list(change.stages)
        if "approvals_required" in sent:
            values["approvals_required"] = change.approvals_required
        with self._s.write() as s:
            m = model_row(s, model, project_id)
            if values:
                s.execute(update(db.models).where(db.models.c.id == m.id).values(**values))
            return policies.effective_policy(s, model_row(s, m.id, None))

    def get_project_policy(self, *, project_id: uuid.UUID | None = None) -> ApprovalPolicy:
        """A project's policy (the store's project by default); ``source`` "none" when it has none."""
        with self._s.read() as s:
            found = policies.project_policy(s, project_id or self._default_project())
            return found if found is not None else ApprovalPolicy()

    def set_project_policy(
        self,
        change: ProjectApprovalPolicyUpdate,
        *,
        project_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
    ) -> ApprovalPolicy:
        """Replace a project's policy, which its models without their own follow."""
        change = ProjectApprovalPolicyUpdate.model_validate(change.model_dump())
        project = project_id or self._default_project()
        with self._s.write() as s:
            policies.set_project_policy(s, project, list(change.stages), change.approvals_required, user_id)
        return self.get_project_policy(project_id=project)

    # -- requests -------------------------------------------------------------------------------

    def request_stage(
        self,
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
    ) -> StageRequestResult:
        """Put a version in ``stage``, or ask for it when the model's policy wants approval for that stage.

        Without approval this is :meth:`ModelRepository.set_stage` (``outcome`` "done"); with it, a
        pending request is made (``outcome`` "pending"): one per version and stage (another is a
        ConflictError), refused at once when another version holds staging or production and
        ``force`` is not given. ``how`` is "manual" or "rule" (with the ``rule``'s name).
        """
        return self.requested(
            model,
            version,
            stage,
            force=force,
            reason=reason,
            user_id=user_id,
            how=how,
            rule=rule,
            project_id=project_id,
        ).result

    def requested(
        self,
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
    ) -> requests.Requested:
        """:meth:`request_stage`, with the stage change made when there was one (for audits)."""
        return requests.request_stage(
            self._s,
            model,
            version,
            stage,
            force=force,
            reason=reason,
            user_id=user_id,
            how=how,
            rule=rule,
            project_id=project_id,
        )

    def decide(
        self,
        request_id: uuid.UUID | str,
        decision: str,
        *,
        comment: str | None = None,
        user_id: uuid.UUID | None = None,
    ) -> TransitionRequestRead:
        """Approve or reject a pending request as ``user_id``; return it as it now is.

        The requester cannot approve (a ParameterError); rejecting withdraws it (``cancelled``). A
        decided request, or a second vote of one user, is a ConflictError. The approval that reaches
        the request's quorum makes the transition (how ``approval``, the approvers named in its
        reason) in the same transaction; a rejection closes the request and changes nothing else.
        """
        return self.decided(request_id, decision, comment=comment, user_id=user_id).request

    def decided(
        self,
        request_id: uuid.UUID | str,
        decision: str,
        *,
        comment: str | None = None,
        user_id: uuid.UUID | None = None,
    ) -> requests.Decided:
        """:meth:`decide`, with the stage change the vote made when it completed the quorum."""
        return requests.decide(self._s, request_id, decision, user_id=user_id, comment=comment)

    def get_request(self, request_id: uuid.UUID | str) -> TransitionRequestRead:
        """One request with its votes."""
        return requests.get_request(self._s, request_id)

    def list_requests(
        self,
        *,
        model: str | uuid.UUID | None = None,
        status: str | None = "pending",
        mine: str | None = None,
        page: int = 1,
        size: int = 50,
        user_id: uuid.UUID | None = None,
        visibility: Visibility | None = None,
        approvable: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[TransitionRequestRead]:
        """Requests, newest first: of ``model``, in ``status`` ("all" or None: any).

        ``mine``: "needs_approval" keeps the pending ones ``user_id`` did not make nor vote on (of
        models where ``approvable`` holds), "requested" those ``user_id`` made. ``visibility`` keeps
        those of models the caller may read.
        """
        if mine is not None and mine not in MINE:
            raise ParameterError(f"List requests with mine={' or '.join(MINE)}, not '{mine}'.")
        return requests.list_requests(
            self._s,
            model=model,
            status=None if status in (None, "all") else status,
            needs_approval_by=user_id if mine == "needs_approval" and user_id is not None else None,
            requested_by=user_id if mine == "requested" and user_id is not None else None,
            visibility=visibility,
            approvable=approvable if mine == "needs_approval" else None,
            project_id=project_id,
            page=page,
            size=size,
        )

    # -- promotion rules ------------------------------------------------------------------------

    def create_rule(
        self,
        model: str | uuid.UUID,
        rule: PromotionRuleCreate,
        *,
        user_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> PromotionRuleRead:
        """Save a promotion rule (its filter checked now: a FilterSyntaxError when it does not parse)."""
        return self.rules.create(model, rule, user_id=user_id, project_id=project_id)

    def list_rules(
        self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None
    ) -> builtins.list[PromotionRuleRead]:
        """A model's rules in the order they are tried."""
        return self.rules.list(model, project_id=project_id)

    def get_rule(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> PromotionRuleRead:
        """One rule by name."""
        return self.rules.get(model, name, project_id=project_id)

    def update_rule(
        self, model: str | uuid.UUID, name: str, change: PromotionRuleUpdate, *, project_id: uuid.UUID | None = None
    ) -> PromotionRuleRead:
        """Change a rule's filter, stage, comparison or whether it is enabled."""
        return self.rules.update(model, name, change, project_id=project_id)

    def delete_rule(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> None:
        """Delete a rule."""
        self.rules.delete(model, name, project_id=project_id)

    def dry_run(self, model: str | uuid.UUID, name: str, *, project_id: uuid.UUID | None = None) -> RuleDryRun:
        """The existing versions a rule would promote now; nothing changes."""
        return self.rules.dry_run(model, name, project_id=project_id)

    def evaluate(self, version_id: uuid.UUID | str) -> RuleEvaluation:
        """Try the model's enabled rules on a version; the first that matches asks for its stage."""
        return self.rules.evaluate(version_id)
