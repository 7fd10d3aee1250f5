"""Stacks, components, secrets and connectors in the store, on SQLite, PostgreSQL and MariaDB.

What a user notices: the default stack is there; a bad config, an incomplete stack, a reference
that does not resolve, a connector of the wrong kind and deleting something in use are refused in
one line and leave nothing behind; secret values are encrypted at rest and never read back except
for the runtime; each user's active stack; lists page and filter by workspace in a fixed number
of queries.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from _databases import create_mysql_database, create_postgres_database, drop_mysql_database, drop_postgres_database

from waypost.exceptions import ConfigurationError, NotFoundError, ParameterError
from waypost.schemas.access import DEFAULT_WORKSPACE_ID
from waypost.schemas.runs import RunCreate
from waypost.schemas.stacks import (
    ComponentCreate,
    ComponentType,
    ComponentUpdate,
    ConnectorCreate,
    ConnectorType,
    ConnectorUpdate,
    SecretCreate,
    SecretUpdate,
    StackCreate,
    StackUpdate,
)
from waypost.stacks.crypto import Cipher, generate_key
from waypost.stacks.references import MASK
from waypost.store.sql import migrate
from waypost.store.sql import tables as db
from waypost.store.sql.engine import make_engines
from waypost.store.sql.repositories.stacks import default_stack_ids
from waypost.store.sql.store import SqlStore
from waypost.testing import assert_one_line
from waypost.testing.factories import make_pipeline, make_spec

DATABASES = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
]
VALUE = "s3cr3t-Value-0f-the-T3st"
ORCH, ART, ALERTER = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE, ComponentType.ALERTER


@pytest.fixture(params=DATABASES)
def url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url
        return
    create, drop = {
        "postgres": (create_postgres_database, drop_postgres_database),
        "mysql": (create_mysql_database, drop_mysql_database),
    }[request.param]
    made = create()
    try:
        yield made
    finally:
        drop(made)


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    s = SqlStore(url)
    yield s
    s.close()


def _s3(store: SqlStore, name: str = "bucket", **config: object) -> None:
    store.stacks.create_component(
        ComponentCreate(name=name, type=ART, flavor="s3", config={"path": "s3://bucket-a/x", **config})
    )


def _raw(store: SqlStore, table: str) -> str:
    """Every value of ``table`` as the database holds it, as text."""
    with store.engines.read.connect() as conn:
        return repr(conn.execute(sa.text(f"SELECT * FROM {table}")).all())


def test_every_workspace_has_a_default_stack_that_cannot_be_deleted_or_renamed(store: SqlStore) -> None:
    default = store.stacks.get_stack("default")
    assert default.is_default
    assert default.id == default_stack_ids(DEFAULT_WORKSPACE_ID)[0]
    assert {t: c.flavor for t, c in default.components.items()} == {ORCH: "local", ART: "local"}
    ws = store.access.create_workspace("team-b")
    theirs = store.stacks.get_stack("default", workspace_id=ws.id)
    assert theirs.is_default
    assert theirs.workspace_id == ws.id
    assert theirs.id != default.id

    with pytest.raises(ParameterError) as err:
        store.stacks.delete_stack("default")
    assert_one_line(err.value, "default stack cannot be deleted")
    with pytest.raises(ParameterError) as err:
        store.stacks.update_stack("default", StackUpdate(name="other"))
    assert_one_line(err.value, "cannot be renamed")
    copy = store.stacks.copy_stack("default", "mine")
    assert not copy.is_default
    assert set(copy.components) == {ORCH, ART}
    assert store.stacks.get_stack("default").name == "default"


def test_a_bad_config_or_stack_is_refused_in_one_line_and_nothing_is_saved(store: SqlStore) -> None:
    with pytest.raises(ParameterError) as err:
        store.stacks.create_component(ComponentCreate(name="b", type=ART, flavor="s3", config={"path": "not-a-bucket"}))
    assert_one_line(err.value, "'path'", "s3")
    with pytest.raises(ParameterError) as err:
        store.stacks.create_component(ComponentCreate(name="b", type=ART, flavor="nope"))
    assert_one_line(err.value, "Unknown artifact_store flavor 'nope'", "local")
    assert store.stacks.list_components(DEFAULT_WORKSPACE_ID, type=ART).total == 1

    _s3(store)
    with pytest.raises(ParameterError) as err:
        store.stacks.create_stack(StackCreate(name="half", components={ART: "bucket"}))
    assert_one_line(err.value, "needs an orchestrator", "--orchestrator")
    with pytest.raises(NotFoundError) as nf:
        store.stacks.create_stack(StackCreate(name="half", components={ORCH: "default", ART: "missing"}))
    assert_one_line(nf.value, "No artifact store component 'missing'")
    assert [s.name for s in store.stacks.list_stacks().items] == ["default"]

    made = store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "bucket"}))
    assert made.components[ART].name == "bucket"
    with pytest.raises(ParameterError) as err:
        store.stacks.update_stack("cloud", StackUpdate(components={ORCH: None}))
    assert_one_line(err.value, "needs an orchestrator")
    assert ORCH in store.stacks.get_stack("cloud").components
    with pytest.raises(ParameterError) as err:
        store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "bucket"}))
    assert_one_line(err.value, "stack named 'cloud' exists already")


def test_one_component_per_type_is_enforced_by_the_database(store: SqlStore) -> None:
    _s3(store)
    bucket = store.stacks.get_component("bucket")
    stack_id = default_stack_ids(DEFAULT_WORKSPACE_ID)[0]
    with pytest.raises(sa.exc.IntegrityError), store.engines.write.begin() as conn:
        conn.execute(
            db.stack_component_links.insert(),
            [{"stack_id": stack_id, "component_id": bucket.id, "component_type": "artifact_store"}],
        )
    assert store.stacks.get_stack("default").components[ART].name == "default"


def test_deleting_what_is_in_use_is_refused_naming_the_users(store: SqlStore) -> None:
    store.stacks.create_secret(SecretCreate(name="aws", values={"key": "AKIA-example", "secret": VALUE}))
    store.stacks.create_connector(
        ConnectorCreate(name="minio", type=ConnectorType.AWS, config={"access_key_id": "a", "secret_access_key": VALUE})
    )
    store.stacks.create_component(
        ComponentCreate(
            name="bucket",
            type=ART,
            flavor="s3",
            config={"path": "s3://bucket-a", "secret": "{{secret.aws.secret}}"},
            connector="minio",
        )
    )
    store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "bucket"}))

    with pytest.raises(ParameterError) as err:
        store.stacks.delete_component("bucket")
    assert_one_line(err.value, "'bucket'", "'cloud'")
    with pytest.raises(ParameterError) as err:
        store.stacks.delete_secret("aws")
    assert_one_line(err.value, "'bucket' (artifact_store)")
    with pytest.raises(ParameterError) as err:
        store.stacks.update_secret("aws", SecretUpdate(values={"secret": None}))
    assert_one_line(err.value, "Key 'secret'", "'bucket'")
    with pytest.raises(ParameterError) as err:
        store.stacks.delete_connector("minio")
    assert_one_line(err.value, "'bucket' (artifact_store)")

    store.stacks.delete_stack("cloud")
    store.stacks.update_component("bucket", ComponentUpdate(config={"path": "s3://bucket-a"}, connector=""))
    store.stacks.delete_component("bucket")
    store.stacks.delete_secret("aws")
    store.stacks.delete_connector("minio")
    assert store.stacks.list_secrets().total == 0
    assert store.stacks.list_connectors().total == 0


def test_secret_references_must_resolve_and_values_stay_encrypted(store: SqlStore) -> None:
    with pytest.raises(ParameterError) as err:
        _s3(store, secret="{{secret.aws.secret}}")
    assert_one_line(err.value, "{{secret.aws.secret}} does not resolve", "waypost secret create aws")
    made = store.stacks.create_secret(SecretCreate(name="aws", values={"key": "AKIA-example"}))
    assert made.keys == ["key"]
    with pytest.raises(ParameterError) as err:
        _s3(store, secret="{{secret.aws.secret}}")
    assert_one_line(err.value, "has no key 'secret'", "its keys: key")
    store.stacks.update_secret("aws", SecretUpdate(values={"secret": VALUE}))
    _s3(store, secret="{{secret.aws.secret}}")

    assert VALUE not in _raw(store, "secrets")
    assert store.stacks.get_secret("aws").keys == ["key", "secret"]
    assert store.stacks.secret_values("aws") == {"key": "AKIA-example", "secret": VALUE}
    flavor, config, connector = store.stacks.resolve_component("bucket")
    assert flavor.name == "s3"
    assert config.secret == VALUE
    assert connector is None
    # What is stored and shown keeps the reference.
    assert store.stacks.get_component("bucket").config["secret"] == "{{secret.aws.secret}}"

    # ``replace`` drops keys not given; an unused key may go.
    store.stacks.update_secret("aws", SecretUpdate(values={"secret": "new-value-1"}, replace=True))
    assert store.stacks.secret_values("aws") == {"secret": "new-value-1"}


def test_literal_secret_fields_are_masked_and_the_mask_keeps_them(store: SqlStore) -> None:
    _s3(store, key="AKIA-literal", secret=VALUE)
    shown = store.stacks.get_component("bucket")
    assert shown.config["secret"] == MASK
    assert shown.config["key"] == MASK
    assert shown.config["path"] == "s3://bucket-a/x"
    changed = store.stacks.update_component("bucket", ComponentUpdate(config={**shown.config, "region": "eu-west-1"}))
    assert changed.config["region"] == "eu-west-1"
    assert changed.config["secret"] == MASK
    _, config, _ = store.stacks.resolve_component("bucket")
    assert config.secret == VALUE
    assert config.key == "AKIA-literal"
    snap = store.stacks.snapshot("default")
    assert VALUE not in snap.model_dump_json()
    with pytest.raises(ParameterError) as err:
        store.stacks.update_component("bucket", ComponentUpdate(config={"path": "s3://bucket-a", "token": MASK}))
    assert_one_line(err.value, "'token'", "masked")


def test_connectors_keep_secret_fields_encrypted_and_suit_their_flavors(store: SqlStore) -> None:
    made = store.stacks.create_connector(
        ConnectorCreate(
            name="minio",
            type=ConnectorType.AWS,
            config={"access_key_id": "AKIA-x", "secret_access_key": VALUE, "endpoint_url": "http://127.0.0.1:9"},
        )
    )
    assert made.config == {"endpoint_url": "http://127.0.0.1:9"}
    assert made.secret_fields == ["access_key_id", "secret_access_key"]
    assert VALUE not in _raw(store, "service_connectors")
    store.stacks.update_connector("minio", ConnectorUpdate(config={"region": "eu-west-1", "secret_access_key": MASK}))
    creds = store.stacks.connector_credentials("minio")
    assert creds.values["secret_access_key"] == VALUE
    assert creds.values["region"] == "eu-west-1"
    with pytest.raises(ParameterError) as err:
        store.stacks.create_connector(ConnectorCreate(name="x", type=ConnectorType.AWS, config={"nope": 1}))
    assert_one_line(err.value, "'nope' is not a field")

    store.stacks.create_connector(ConnectorCreate(name="hook", type=ConnectorType.BEARER, config={"token": VALUE}))
    with pytest.raises(ParameterError) as err:
        store.stacks.create_component(
            ComponentCreate(name="bucket", type=ART, flavor="s3", config={"path": "s3://bucket-a"}, connector="hook")
        )
    assert_one_line(err.value, "cannot use the bearer connector 'hook'", "aws")
    _s3(store)
    attached = store.stacks.update_component("bucket", ComponentUpdate(connector="minio"))
    assert attached.connector == "minio"
    _, _, credentials = store.stacks.resolve_component("bucket")
    assert credentials is not None
    assert credentials.values["secret_access_key"] == VALUE


def test_a_wrong_key_is_a_one_line_error(store: SqlStore) -> None:
    store.stacks.create_secret(SecretCreate(name="aws", values={"k": VALUE}))
    store.stacks.cipher = Cipher(key=generate_key())
    with pytest.raises(ConfigurationError) as err:
        store.stacks.secret_values("aws")
    assert_one_line(err.value, "encrypted with another key", "WAYPOST_SECRETS__KEY")
    store.stacks.cipher = Cipher(key="not a key")
    with pytest.raises(ConfigurationError) as err:
        store.stacks.secret_values("aws")
    assert_one_line(err.value, "not a Fernet key")


def test_the_key_file_is_made_once_private(waypost_home: Path, sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    try:
        store.stacks.create_secret(SecretCreate(name="a", values={"k": VALUE}))
        key_file = waypost_home / "secrets.key"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        first = key_file.read_text()
        again = SqlStore(sqlite_url)
        try:
            assert again.stacks.secret_values("a") == {"k": VALUE}
        finally:
            again.close()
        assert key_file.read_text() == first
    finally:
        store.close()


def test_active_stacks_per_user_and_workspace(store: SqlStore) -> None:
    ada = store.users.create("ada", password="a long enough password")
    bob = store.users.create("bob", password="a long enough password")
    assert store.stacks.active_stack(ada.id).name == "default"
    store.stacks.copy_stack("default", "mine")
    store.stacks.set_active_stack(ada.id, None, "mine")
    assert store.stacks.active_stack(ada.id).name == "mine"
    assert store.stacks.active_stack(bob.id).name == "default"
    assert store.stacks.get_stack("mine").active_for == ["ada"]
    ws = store.access.create_workspace("team-b")
    assert store.stacks.active_stack(ada.id, ws.id).workspace_id == ws.id
    with pytest.raises(NotFoundError):
        store.stacks.set_active_stack(ada.id, ws.id, "mine")  # a stack of another workspace
    store.stacks.delete_stack("mine")
    assert store.stacks.active_stack(ada.id).name == "default"


def test_lists_page_filter_by_workspace_and_take_a_fixed_number_of_queries(store: SqlStore) -> None:
    ws = store.access.create_workspace("team-b")
    for i in range(3):
        store.stacks.copy_stack("default", f"s{i}")
    store.stacks.copy_stack("default", "theirs", workspace_id=ws.id)
    mine = store.stacks.list_stacks(DEFAULT_WORKSPACE_ID, page=1, size=2)
    assert mine.total == 4
    assert [s.name for s in mine.items] == ["default", "s0"]
    assert [s.name for s in store.stacks.list_stacks(DEFAULT_WORKSPACE_ID, page=2, size=2).items] == ["s1", "s2"]
    both = store.stacks.list_stacks([DEFAULT_WORKSPACE_ID, ws.id], size=100)
    assert both.total == 6
    assert store.stacks.list_stacks(ws.id).total == 2
    assert store.stacks.list_components(ws.id).total == 2
    assert store.stacks.get_component("default", type=ORCH).stacks == ["default", "s0", "s1", "s2"]

    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("x")

    sa.event.listen(store.engines.read, "before_cursor_execute", count)
    try:
        store.stacks.list_stacks(size=100)
        few = len(statements)
        for i in range(3, 10):
            store.stacks.copy_stack("default", f"s{i}")
        statements.clear()
        assert store.stacks.list_stacks(size=100).total == 13
        assert len(statements) == few
    finally:
        sa.event.remove(store.engines.read, "before_cursor_execute", count)


def test_a_run_keeps_its_stack_snapshot(store: SqlStore) -> None:
    store.stacks.create_secret(SecretCreate(name="aws", values={"secret": VALUE}))
    _s3(store, secret="{{secret.aws.secret}}", key="AKIA-literal")
    stack = store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "bucket"}))
    pipe = make_pipeline(store)
    snapshot = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    run = store.runs.create(
        RunCreate(
            name=f"run-{uuid.uuid4().hex[:6]}",
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            stack_id=stack.id,
            stack_snapshot=store.stacks.snapshot("cloud"),
            started_at=datetime.now(UTC),
        )
    )
    store.stacks.update_component("bucket", ComponentUpdate(config={"path": "s3://bucket-b"}))
    kept = store.runs.stack_snapshot(run.id)
    assert kept is not None
    assert kept.name == "cloud"
    assert kept.components[ART].config == {"path": "s3://bucket-a/x", "secret": "{{secret.aws.secret}}", "key": MASK}
    assert VALUE not in _raw(store, "pipeline_runs")
    assert "AKIA-literal" not in _raw(store, "pipeline_runs")
    assert store.runs.get(run.id).stack_name == "cloud"


def test_the_migration_gives_every_existing_workspace_a_default_stack(url: str) -> None:
    engines = make_engines(url)
    try:
        migrate.upgrade(engines, "0006")
        ws_id = uuid.uuid4()
        workspaces = sa.table(
            "workspaces",
            sa.column("id", sa.Uuid()),
            sa.column("name"),
            sa.column("artifact_prefix"),
            sa.column("created_at", sa.DateTime()),
        )
        with engines.write.begin() as conn:
            conn.execute(
                workspaces.insert(),
                [{"id": ws_id, "name": "older", "artifact_prefix": "older", "created_at": datetime.now(UTC)}],
            )
        migrate.upgrade(engines)
    finally:
        engines.dispose()
    store = SqlStore(url)
    try:
        older = store.stacks.get_stack("default", workspace_id="older")
        assert older.is_default
        assert older.id == default_stack_ids(ws_id)[0]
        assert set(older.components) == {ORCH, ART}
    finally:
        store.close()
