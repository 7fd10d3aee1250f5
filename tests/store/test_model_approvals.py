"""Approvals of stage transitions on SQLite, PostgreSQL and MariaDB: policies, requests, quorum, refusals.

Users are passed explicitly (a server passes the caller); each test makes its own model.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from waypost.exceptions import ConflictError, NotFoundError, ParameterError
from waypost.schemas.model_approvals import ModelApprovalPolicyUpdate, ProjectApprovalPolicyUpdate
from waypost.store.sql import migrate
from waypost.store.sql.store import SqlStore

PASSWORD = "correct horse battery staple"
DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue(f"{request.param}_url")
    opened = SqlStore(url)
    yield opened
    opened.close()


def _model(store: SqlStore, versions: int = 3, *, stages: list[str] | None = None, approvals: int = 2) -> str:
    name = f"m-{uuid.uuid4().hex[:8]}"
    for _ in range(versions):
        store.models.get_or_create_version(name, None)
    if stages is not None:
        store.promotions.set_policy(name, ModelApprovalPolicyUpdate(stages=stages, approvals_required=approvals))
    return name


def _users(store: SqlStore, *names: str) -> list[uuid.UUID]:
    tag = uuid.uuid4().hex[:6]
    return [store.users.create(f"{n}-{tag}", password=PASSWORD).id for n in names]


def test_a_quorum_of_two_approvals_makes_the_transition(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=2)
    alice, bob, carol = _users(store, "alice", "bob", "carol")
    asked = store.promotions.request_stage(model, "2", "production", reason="best f1", user_id=alice)
    assert asked.outcome == "pending"
    assert asked.request is not None
    assert (asked.request.status, asked.request.approvals_required, asked.version.stage.value) == (
        "pending",
        2,
        "none",
    )

    first = store.promotions.decide(asked.request.id, "approve", comment="looks fine", user_id=bob)
    assert (first.status, first.approvals) == ("pending", 1)
    assert store.models.get_version(model, "2").stage.value == "none"  # one approval is not enough
    assert store.models.transitions(model).total == 0

    second = store.promotions.decide(asked.request.id, "approve", user_id=carol)
    assert (second.status, second.approvals) == ("approved", 2)
    assert second.decided_at is not None
    assert [(v.decision, v.comment) for v in second.votes] == [("approve", "looks fine"), ("approve", None)]
    assert store.models.get(model).stages == {"production": "2"}
    (t,) = store.models.transitions(model).items
    assert (t.how, t.user_id, t.from_stage.value, t.to_stage.value) == ("approval", alice, "none", "production")
    assert t.reason is not None
    assert t.reason.startswith("best f1 (approved by bob-")
    assert "carol-" in t.reason


def test_the_requester_cannot_approve_and_rejecting_withdraws(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=1)
    (alice,) = _users(store, "alice")
    asked = store.promotions.request_stage(model, "1", "production", user_id=alice)
    assert asked.request is not None
    with pytest.raises(ParameterError, match=r"You asked for request .*, so you cannot approve it") as refused:
        store.promotions.decide(asked.request.id, "approve", user_id=alice)
    assert "\n" not in str(refused.value)
    assert store.promotions.get_request(asked.request.id).votes == []
    withdrawn = store.promotions.decide(asked.request.id, "reject", comment="wrong version", user_id=alice)
    assert withdrawn.status == "cancelled"
    assert store.models.get_version(model, "1").stage.value == "none"


def test_a_decided_request_cannot_be_decided_again(store: SqlStore) -> None:
    model = _model(store, stages=["staging"], approvals=1)
    alice, bob, carol = _users(store, "alice", "bob", "carol")
    approved = store.promotions.request_stage(model, "1", "staging", user_id=alice).request
    rejected = store.promotions.request_stage(model, "2", "staging", force=True, user_id=alice).request
    assert approved is not None
    assert rejected is not None
    assert store.promotions.decide(approved.id, "approve", user_id=bob).status == "approved"
    assert store.promotions.decide(rejected.id, "reject", user_id=bob).status == "rejected"
    for request, was in ((approved, "approved"), (rejected, "rejected")):
        for decision in ("approve", "reject"):
            with pytest.raises(ConflictError, match=f"was {was} already; nothing changed"):
                store.promotions.decide(request.id, decision, user_id=carol)
    assert store.models.get(model).stages == {"staging": "1"}
    assert len(store.promotions.get_request(approved.id).votes) == 1


def test_one_vote_per_user(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=2)
    alice, bob = _users(store, "alice", "bob")
    request = store.promotions.request_stage(model, "1", "production", user_id=alice).request
    assert request is not None
    store.promotions.decide(request.id, "approve", user_id=bob)
    with pytest.raises(ConflictError, match=r"You approved request .* already; each user decides once"):
        store.promotions.decide(request.id, "approve", user_id=bob)
    with pytest.raises(ConflictError, match="already"):
        store.promotions.decide(request.id, "reject", user_id=bob)
    assert store.promotions.get_request(request.id).approvals == 1


def test_a_rejection_changes_nothing_and_frees_the_stage_for_another_request(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=2)
    alice, bob = _users(store, "alice", "bob")
    request = store.promotions.request_stage(model, "3", "production", reason="try", user_id=alice).request
    assert request is not None
    done = store.promotions.decide(request.id, "reject", comment="not yet", user_id=bob)
    assert (done.status, done.votes[0].comment) == ("rejected", "not yet")
    assert store.models.get_version(model, "3").stage.value == "none"
    assert store.models.transitions(model).total == 0
    again = store.promotions.request_stage(model, "3", "production", user_id=alice)
    assert again.outcome == "pending"


def test_what_is_refused_before_a_request_is_made(store: SqlStore) -> None:
    model = _model(store, stages=["production", "staging"], approvals=1)
    alice, bob = _users(store, "alice", "bob")
    request = store.promotions.request_stage(model, "1", "production", user_id=alice).request
    assert request is not None
    with pytest.raises(ConflictError, match="has a pending request for production already"):
        store.promotions.request_stage(model, "1", "production", user_id=bob)
    store.promotions.decide(request.id, "approve", user_id=bob)
    # Version 1 holds production: asking for it without force could never be carried out.
    with pytest.raises(ConflictError, match=r"Version 1 of model .* is in production; use --force"):
        store.promotions.request_stage(model, "2", "production", user_id=alice)
    forced = store.promotions.request_stage(model, "2", "production", force=True, user_id=alice).request
    assert forced is not None
    store.promotions.decide(forced.id, "approve", user_id=bob)
    assert store.models.get(model).stages == {"production": "2"}
    moves = [(t.version_name, t.to_stage.value, t.how) for t in store.models.transitions(model).items]
    assert moves == [("2", "production", "approval"), ("1", "archived", "approval"), ("1", "production", "approval")]
    with pytest.raises(ParameterError, match="No stage 'prod'"):
        store.promotions.request_stage(model, "2", "prod")
    with pytest.raises(NotFoundError, match="has no version '9'"):
        store.promotions.request_stage(model, "9", "staging")
    with pytest.raises(NotFoundError, match="No model request 'nope'"):
        store.promotions.decide("nope", "approve", user_id=bob)


def test_stages_the_policy_does_not_name_change_at_once_and_set_stage_respects_it(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=1)
    (alice,) = _users(store, "alice")
    done = store.promotions.request_stage(model, "1", "staging", user_id=alice)
    assert (done.outcome, done.request, done.version.stage.value) == ("done", None, "staging")
    assert store.models.transitions(model).items[0].how == "manual"
    with pytest.raises(ConflictError, match=r"needs 1 approval; request it with `waypost model request") as refused:
        store.models.set_stage(model, "1", "production")
    assert "\n" not in str(refused.value)
    assert store.models.get_version(model, "1").stage.value == "staging"


def test_a_model_follows_its_projects_policy_unless_it_has_its_own(store: SqlStore) -> None:
    project = store.access.create_project(f"p-{uuid.uuid4().hex[:6]}", workspace="default").id
    own, follows = (f"m-{uuid.uuid4().hex[:6]}" for _ in range(2))
    for name in (own, follows):
        store.models.get_or_create_version(name, None, project_id=project)
    store.promotions.set_project_policy(
        ProjectApprovalPolicyUpdate(stages=["production"], approvals_required=3), project_id=project
    )
    store.promotions.set_policy(own, ModelApprovalPolicyUpdate(stages=[]), project_id=project)
    got = store.promotions.get_policy(follows, project_id=project)
    assert (got.stages, got.approvals_required, got.source) == (["production"], 3, "project")
    assert store.promotions.get_policy(own, project_id=project).source == "model"
    assert store.promotions.request_stage(follows, "1", "production", project_id=project).outcome == "pending"
    assert store.promotions.request_stage(own, "1", "production", project_id=project).outcome == "done"
    back = store.promotions.set_policy(own, ModelApprovalPolicyUpdate(stages=None), project_id=project)
    assert back.source == "project"


def test_a_local_store_cannot_decide_without_a_user(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=1)
    request = store.promotions.request_stage(model, "1", "production").request
    assert request is not None
    assert request.requested_by is None
    with pytest.raises(ParameterError, match="needs a user, and a local store has none"):
        store.promotions.decide(request.id, "approve")


def test_needs_my_approval_lists_what_waits_for_my_vote(store: SqlStore) -> None:
    model = _model(store, stages=["production", "staging"], approvals=2)
    alice, bob = _users(store, "alice", "bob")
    by_alice = store.promotions.request_stage(model, "1", "production", user_id=alice).request
    by_bob = store.promotions.request_stage(model, "2", "staging", user_id=bob).request
    assert by_alice is not None
    assert by_bob is not None

    def ids(**kw: object) -> list[uuid.UUID]:
        return [r.id for r in store.promotions.list_requests(model=model, **kw).items]  # type: ignore[arg-type]

    assert ids(mine="needs_approval", user_id=bob) == [by_alice.id]
    assert ids(mine="requested", user_id=bob) == [by_bob.id]
    store.promotions.decide(by_alice.id, "approve", user_id=bob)
    assert ids(mine="needs_approval", user_id=bob) == []  # voted
    assert ids(status="pending") == [by_bob.id, by_alice.id]  # newest first
    store.promotions.decide(by_bob.id, "reject", user_id=alice)
    assert ids(status="rejected") == [by_bob.id]
    assert len(ids(status="all")) == 2
    with pytest.raises(ParameterError, match="No request status 'open'"):
        ids(status="open")


def test_concurrent_approvals_carry_the_request_out_once(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=2)
    alice, *voters = _users(store, "alice", "v1", "v2", "v3", "v4")
    request = store.promotions.request_stage(model, "1", "production", user_id=alice).request
    assert request is not None
    outcomes: list[str] = []
    barrier = threading.Barrier(len(voters))

    def vote(user: uuid.UUID) -> None:
        barrier.wait()
        try:
            outcomes.append(store.promotions.decide(request.id, "approve", user_id=user).status)
        except ConflictError as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=vote, args=(u,)) for u in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[:2] == ["approved", "pending"], outcomes
    assert all("already" in o for o in sorted(outcomes)[2:]), outcomes
    assert store.models.transitions(model).total == 1
    assert store.promotions.get_request(request.id).approvals == 2


def test_migration_0009_down_and_up_keeps_versions_and_transitions(store: SqlStore) -> None:
    model = _model(store, stages=["production"], approvals=1)
    alice, bob = _users(store, "alice", "bob")
    store.models.set_stage(model, "1", "staging")
    request = store.promotions.request_stage(model, "2", "production", user_id=alice).request
    assert request is not None
    store.promotions.decide(request.id, "approve", user_id=bob)
    migrate.downgrade(store.engines, "0008")
    migrate.upgrade(store.engines)
    assert store.models.get(model).stages == {"staging": "1", "production": "2"}
    assert [t.how for t in store.models.transitions(model).items] == ["approval", "manual"]
    assert store.promotions.get_policy(model).source == "none"  # policies, requests and rules go down with 0009
    assert store.promotions.list_requests(model=model, status="all").total == 0
