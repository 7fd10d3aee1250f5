"""The Store contract on a RestStore talking to a real server (uvicorn on loopback, SQLite behind it)."""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live_server import LiveServer
from waypost.exceptions import ConfigurationError, NotFoundError, ParameterError, StoreError
from waypost.schemas import ArtifactVersionCreate
from waypost.store.rest import RestStore
from waypost.testing import StoreContract


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose artifact store is where the contract's factories say their files are."""
    server = LiveServer(tmp_path_factory.mktemp("rest-store"), artifact_store_uri="memory://waypost-testing")
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def files_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with an artifact store on disk."""
    server = LiveServer(tmp_path_factory.mktemp("rest-files"))
    yield server.start()
    server.stop()


class TestRestStore(StoreContract):
    @pytest.fixture
    def store(self, live_server: LiveServer) -> Iterator[RestStore]:
        store = RestStore(live_server.url, live_server.api_key)
        yield store
        store.close()

    def test_capabilities(self, store: RestStore, live_server: LiveServer) -> None:
        caps = store.capabilities
        assert not caps.local_database
        assert caps.dialect == "rest"
        assert caps.artifact_store_uri == live_server.settings.artifact_store_uri


@pytest.fixture(scope="module")
def postgres_server(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[LiveServer]:
    """A server over PostgreSQL: every write route the RestStore uses, on that database."""
    server = LiveServer(
        tmp_path_factory.mktemp("rest-pg"), artifact_store_uri="memory://waypost-testing", store_url=postgres_url
    )
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def mysql_server(tmp_path_factory: pytest.TempPathFactory, mysql_url: str) -> Iterator[LiveServer]:
    """A server over MariaDB/MySQL."""
    server = LiveServer(
        tmp_path_factory.mktemp("rest-mysql"), artifact_store_uri="memory://waypost-testing", store_url=mysql_url
    )
    yield server.start()
    server.stop()


@pytest.mark.postgres
class TestRestStoreOverPostgres(StoreContract):
    @pytest.fixture
    def store(self, postgres_server: LiveServer) -> Iterator[RestStore]:
        store = RestStore(postgres_server.url, postgres_server.api_key)
        yield store
        store.close()


@pytest.mark.mysql
class TestRestStoreOverMysql(StoreContract):
    @pytest.fixture
    def store(self, mysql_server: LiveServer) -> Iterator[RestStore]:
        store = RestStore(mysql_server.url, mysql_server.api_key)
        yield store
        store.close()


def test_a_wrong_key_says_how_to_log_in(live_server: LiveServer) -> None:
    with RestStore(live_server.url, "wp_not-a-key") as store, pytest.raises(ConfigurationError) as err:
        store.runs.list()
    assert f"waypost login {live_server.url}" in str(err.value)


def test_not_found_keeps_the_servers_message(live_server: LiveServer) -> None:
    with RestStore(live_server.url, live_server.api_key) as store, pytest.raises(NotFoundError) as err:
        store.runs.get("no-such-run")
    assert "no-such-run" in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unreachable_server_is_a_one_line_error(tmp_path: Path) -> None:
    from live_server import free_port

    with RestStore(f"http://127.0.0.1:{free_port()}", "k", retries=1) as store, pytest.raises(StoreError) as err:
        store.runs.list()
    assert "Cannot reach the Waypost server" in str(err.value)


def test_an_uploaded_version_lands_in_the_servers_artifact_store(files_server: LiveServer, tmp_path: Path) -> None:
    folder = tmp_path / "version"
    (folder / "sub").mkdir(parents=True)
    (folder / "data.json").write_text('{"a": 1}')
    (folder / "sub" / "more.txt").write_text("more")
    version_id = uuid.uuid4()
    with RestStore(files_server.url, files_server.api_key) as store:
        uri = store.files.upload_version("uploaded", version_id, folder)
        assert uri.startswith(files_server.settings.artifact_store_uri)
        assert (Path(uri) / "data.json").read_text() == '{"a": 1}'
        assert (Path(uri) / "sub" / "more.txt").read_text() == "more"
        with pytest.raises(StoreError, match="has files already"):
            store.files.upload_version("uploaded", version_id, folder)


@pytest.mark.parametrize("member", ["../escape.txt", "/abs.txt", "a/../../escape.txt", "link"])
def test_an_upload_that_could_escape_its_folder_is_refused(
    files_server: LiveServer, tmp_path: Path, member: str
) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(member)
        if member == "link":
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        else:
            info.size = 2
            tar.addfile(info, io.BytesIO(b"hi"))
    response = httpx.put(
        f"{files_server.url}/api/v1/artifact-versions/{uuid.uuid4()}/upload",
        params={"name": "evil"},
        content=buffer.getvalue(),
        headers={"Authorization": f"Bearer {files_server.api_key}", "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 400, response.text
    assert "refused" in response.json()["detail"]
    assert not (Path(files_server.settings.artifact_store_uri) / "artifacts" / "evil").exists() or not any(
        (Path(files_server.settings.artifact_store_uri) / "artifacts" / "evil").rglob("*")
    )
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.parametrize("where", ["/etc/passwd", "{root}/artifacts/../../escape", "s3://elsewhere/x"])
def test_a_location_outside_the_artifact_store_is_refused(files_server: LiveServer, where: str) -> None:
    uri = where.format(root=files_server.settings.artifact_store_uri)
    version = ArtifactVersionCreate(
        id=uuid.uuid4(),
        name="outside",
        uri=uri,
        data_type="builtins.int",
        materializer="m",
        materializer_version="1",
        size=1,
        content_hash="0" * 64,
    )
    with RestStore(files_server.url, files_server.api_key) as store, pytest.raises(ParameterError) as err:
        store.artifacts.register([version])
    assert "outside the server's artifact store" in str(err.value)
