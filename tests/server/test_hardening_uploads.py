"""Hostile uploads and planted links, against a real server on loopback (issue 9, point 6).

Archive uploads are capped by what they unpack to (counted, not read from headers), by
member count and by member-name length; unsafe members are a one-line 400, limits a 413, and
a refused archive leaves nothing in the artifact store. Files are never served through a
symbolic link planted in the store: archive downloads, version downloads and log chunks
answer a one-line 403 instead.
"""

from __future__ import annotations

import io
import os
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from server_support import assert_one_line

from live_server import LiveServer
from waypost import pipeline, step
from waypost.execution import runtime
from waypost.schemas import ArtifactVersionCreate

API = "/api/v1"
SECRET = "the secret outside the store"
UNPACK_LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a small unpack limit (8 MiB) and member limit (50), so bombs stay cheap to test."""
    server = LiveServer(tmp_path_factory.mktemp("uploads"))
    server.settings.server.max_unpacked_bytes = UNPACK_LIMIT
    server.settings.server.max_archive_members = 50
    yield server.start()
    server.stop()


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live.api_key}"}
    with httpx.Client(base_url=live.url + API, headers=headers, timeout=60) as client:
        yield client


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the artifact store that a planted link points at."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _root(live: LiveServer) -> Path:
    return Path(live.settings.artifact_store_uri)


def _upload(http: httpx.Client, name: str, body: bytes, version_id: uuid.UUID | None = None) -> httpx.Response:
    return http.put(
        f"/artifact-versions/{version_id or uuid.uuid4()}/upload",
        params={"name": name},
        content=body,
        headers={"Content-Type": "application/octet-stream"},
    )


def _assert_nothing_left(live: LiveServer, name: str) -> None:
    folder = _root(live) / "artifacts" / name
    assert not folder.exists() or not any(folder.iterdir()), f"files of '{name}' were left behind"
    staging = _root(live) / ".staging"
    assert not staging.exists() or not any(staging.iterdir()), "a staging folder was left behind"


def _zip(members: dict[str, bytes], **kw: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, **kw) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _tar(members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tar.addfile(info, io.BytesIO(member[1]))
    return buffer.getvalue()


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, read lazily (a tar member's data without holding it in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


# -- what an archive unpacks to ------------------------------------------------------------
def test_a_zip_bomb_is_cut_at_the_unpack_limit_and_leaves_nothing(live: LiveServer, http: httpx.Client) -> None:
    bomb = _zip({"zeros.bin": bytes(40 * 1024 * 1024)})  # 40 MiB of zeros: about 40 KB zipped
    assert len(bomb) < 100_000
    response = _upload(http, "zip_bomb", bomb)
    assert_one_line(response, 413)
    assert "server.max_unpacked_bytes" in response.json()["detail"]
    _assert_nothing_left(live, "zip_bomb")


def test_a_gzipped_tar_bomb_is_cut_too(live: LiveServer, http: httpx.Client) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 64 * 1024 * 1024
        tar.addfile(info, io.BufferedReader(_Zeros(info.size)))
    response = _upload(http, "tar_bomb", buffer.getvalue())
    assert_one_line(response, 413)
    _assert_nothing_left(live, "tar_bomb")


def test_many_small_files_that_add_up_are_counted(live: LiveServer, http: httpx.Client) -> None:
    # Each file is under the limit; only their sum is over it, as written, whatever the headers say.
    members = {f"part{i}.bin": bytes(2 * 1024 * 1024) for i in range(5)}
    response = _upload(http, "sum_bomb", _zip(members))
    assert_one_line(response, 413)
    _assert_nothing_left(live, "sum_bomb")


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_too_many_members_is_a_413(live: LiveServer, http: httpx.Client, kind: str) -> None:
    files = {f"f{i}.txt": b"x" for i in range(51)}
    body = _zip(files) if kind == "zip" else _tar(list(files.items()))
    response = _upload(http, f"crowd_{kind}", body)
    assert_one_line(response, 413)
    assert "server.max_archive_members" in response.json()["detail"]
    _assert_nothing_left(live, f"crowd_{kind}")


# -- member names and kinds ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("member", "why"),
    [
        ("a" * 300 + ".txt", "over 255"),
        ("/".join(["d" * 200] * 6) + "/f.txt", "over 1024"),
        ("é" * 130, "over 255"),  # 260 bytes in UTF-8, 130 characters
        ("../escape.txt", "unsafe path"),
        ("/abs.txt", "unsafe path"),
        ("C:/windows.txt", "unsafe path"),
    ],
)
def test_bad_member_names_are_a_one_line_400(live: LiveServer, http: httpx.Client, member: str, why: str) -> None:
    for kind, body in (("zip", _zip({member: b"hi"})), ("tar", _tar([(member, b"hi")]))):
        response = _upload(http, f"names_{kind}", body)
        assert_one_line(response, 400)
        assert why in response.json()["detail"], response.text
        assert str(_root(live)) not in response.json()["detail"]
        _assert_nothing_left(live, f"names_{kind}")


def _link(kind: bytes, name: str = "link", target: str = "/etc/passwd") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize(
    "member",
    [
        _link(tarfile.SYMTYPE),
        _link(tarfile.LNKTYPE, target="data.txt"),
        _link(tarfile.CHRTYPE, target=""),
        _link(tarfile.FIFOTYPE, target=""),
    ],
    ids=["symlink", "hardlink", "device", "fifo"],
)
def test_link_and_device_members_are_refused(live: LiveServer, http: httpx.Client, member: tarfile.TarInfo) -> None:
    response = _upload(http, "links", _tar([("data.txt", b"fine"), member]))
    assert_one_line(response, 400)
    assert "link or device" in response.json()["detail"]
    _assert_nothing_left(live, "links")


def test_a_zip_symlink_member_is_refused(live: LiveServer, http: httpx.Client) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (0o120777 << 16) | 0x20  # what `zip -y` stores for a symlink
        zf.writestr(info, "/etc/passwd")
    response = _upload(http, "zip_link", buffer.getvalue())
    assert_one_line(response, 400)
    _assert_nothing_left(live, "zip_link")


@pytest.mark.parametrize(
    "body",
    [b"not an archive at all", b"PK\x03\x04broken", b"\x1f\x8b\x08\x00garbage-gzip"],
    ids=["text", "broken-zip", "broken-gzip"],
)
def test_damaged_or_unknown_archives_are_a_400(live: LiveServer, http: httpx.Client, body: bytes) -> None:
    assert_one_line(_upload(http, "damaged", body), 400)
    _assert_nothing_left(live, "damaged")


def test_corrupt_compressed_data_is_a_400_not_a_500(live: LiveServer, http: httpx.Client) -> None:
    body = bytearray(_zip({"data.bin": bytes(range(256)) * 64}))
    start = body.index(b"data.bin") + len("data.bin")  # the local header's name, then deflated bytes
    body[start + 4 : start + 40] = b"\xff" * 36
    assert_one_line(_upload(http, "corrupt", bytes(body)), 400)
    gz = bytearray(_tar([("data.bin", bytes(range(256)) * 64)], mode="w:gz"))
    gz[40:80] = b"\x00" * 40
    assert_one_line(_upload(http, "corrupt", bytes(gz)), 400)
    _assert_nothing_left(live, "corrupt")


def test_a_tar_ending_in_a_zip_file_is_unpacked_as_the_tar(live: LiveServer, http: httpx.Client) -> None:
    inner = _zip({"inner.txt": b"inside the zip"})
    response = _upload(http, "tar_with_zip", _tar([("data.txt", b"outer"), ("bundle.zip", inner)]))
    assert response.status_code == 200, response.text
    assert sorted(p.name for p in Path(response.json()["uri"]).iterdir()) == ["bundle.zip", "data.txt"]


def test_a_file_where_a_folder_must_be_is_a_400_not_a_500(live: LiveServer, http: httpx.Client) -> None:
    assert_one_line(_upload(http, "clash", _tar([("a", b"file"), ("a/b", b"under a file")])), 400)
    _assert_nothing_left(live, "clash")


def test_a_fair_archive_still_lands_whole(live: LiveServer, http: httpx.Client) -> None:
    version_id = uuid.uuid4()
    body = _tar([("data.json", b'{"a": 1}'), ("sub/more.txt", b"more"), ("é" * 100 + ".txt", b"ok")], mode="w:gz")
    response = _upload(http, "fair", body, version_id)
    assert response.status_code == 200, response.text
    assert response.json()["files"] == 3
    assert response.json()["size"] == len(b'{"a": 1}') + len(b"more") + len(b"ok")
    folder = Path(response.json()["uri"])
    assert (folder / "sub" / "more.txt").read_bytes() == b"more"


# -- never through a link planted in the store -----------------------------------------------
def _fair_version(http: httpx.Client, name: str) -> tuple[uuid.UUID, Path]:
    version_id = uuid.uuid4()
    response = _upload(http, name, _tar([("data.txt", b"fine"), ("sub/more.txt", b"more")]), version_id)
    assert response.status_code == 200, response.text
    return version_id, Path(response.json()["uri"])


def _assert_refused(response: httpx.Response) -> None:
    assert_one_line(response, 403)
    assert SECRET.encode() not in response.content
    assert "symbolic link" in response.json()["detail"]


def test_a_planted_file_link_is_not_followed_by_the_archive_download(
    live: LiveServer, http: httpx.Client, secret: Path
) -> None:
    version_id, folder = _fair_version(http, "planted_file")
    (folder / "data.txt").unlink()
    (folder / "data.txt").symlink_to(secret)
    _assert_refused(http.get(f"/artifact-versions/{version_id}/archive", params={"name": "planted_file"}))


def test_a_planted_folder_link_is_not_followed_by_the_archive_download(
    live: LiveServer, http: httpx.Client, secret: Path
) -> None:
    version_id, folder = _fair_version(http, "planted_dir")
    (folder / "sub" / "more.txt").unlink()
    (folder / "sub").rmdir()
    (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    _assert_refused(http.get(f"/artifact-versions/{version_id}/archive", params={"name": "planted_dir"}))


def test_a_version_folder_that_is_a_link_is_not_served(live: LiveServer, http: httpx.Client, secret: Path) -> None:
    version_id = uuid.uuid4()
    folder = _root(live) / "artifacts" / "planted_version" / version_id.hex
    folder.parent.mkdir(parents=True)
    folder.symlink_to(secret.parent, target_is_directory=True)
    _assert_refused(http.get(f"/artifact-versions/{version_id}/archive", params={"name": "planted_version"}))


def test_a_planted_link_is_not_followed_by_the_version_download(
    live: LiveServer, http: httpx.Client, secret: Path
) -> None:
    version_id, folder = _fair_version(http, "planted_download")
    live.store.artifacts.register(
        [
            ArtifactVersionCreate(
                id=version_id,
                name="planted_download",
                uri=str(folder),
                data_type="builtins.str",
                materializer="waypost.artifacts.materializers.builtin_types.JsonMaterializer",
                materializer_version="1",
                size=8,
                content_hash="0" * 64,
            )
        ]
    )
    assert http.get(f"/artifact-versions/{version_id}/download").status_code == 200
    (folder / "data.txt").unlink()
    (folder / "data.txt").symlink_to(secret)
    _assert_refused(http.get(f"/artifact-versions/{version_id}/download"))
    _assert_refused(http.get(f"/artifact-versions/{version_id}/files"))


def test_an_oversized_log_chunk_is_a_413_and_not_written(live: LiveServer, http: httpx.Client) -> None:
    run_id = uuid.uuid4()
    chunk = f"/runs/{run_id}/log-chunks/train/000000000000.jsonl"
    big = b"x" * (64 * 1024 * 1024 + 1)
    assert_one_line(http.put(chunk, content=big, headers={"Content-Type": "application/octet-stream"}), 413)
    assert not (_root(live) / "logs" / run_id.hex).exists()


def test_log_chunks_are_never_read_through_a_link(live: LiveServer, http: httpx.Client, secret: Path) -> None:
    run_id = uuid.uuid4()
    chunk = f"/runs/{run_id}/log-chunks/train/000000000000.jsonl"
    line = b'{"n": 0, "t": 0, "s": "stdout", "l": "INFO", "m": "hello"}\n'
    assert http.put(chunk, content=line, headers={"Content-Type": "application/octet-stream"}).status_code == 204
    assert http.get(chunk).content == line
    folder = _root(live) / "logs" / run_id.hex / "train"
    (folder / "000000000000.jsonl").unlink()
    (folder / "000000000000.jsonl").symlink_to(secret)
    _assert_refused(http.get(chunk))
    _assert_refused(http.get(f"/runs/{run_id}/log-chunks/train"))

    # The step's whole log folder replaced by a link to a folder outside the store.
    other = uuid.uuid4()
    (_root(live) / "logs" / other.hex).mkdir(parents=True)
    outside = secret.parent / "fake-logs"
    outside.mkdir()
    (outside / "000000000000.jsonl").write_text(SECRET)
    (_root(live) / "logs" / other.hex / "train").symlink_to(outside, target_is_directory=True)
    _assert_refused(http.get(f"/runs/{other}/log-chunks/train/000000000000.jsonl"))
    _assert_refused(http.get(f"/runs/{other}/log-chunks/train"))
    put = http.put(
        f"/runs/{other}/log-chunks/train/000000000001.jsonl",
        content=line,
        headers={"Content-Type": "application/octet-stream"},
    )
    _assert_refused(put)
    assert sorted(os.listdir(outside)) == ["000000000000.jsonl"], "a chunk was written through the link"


@step
def chatty() -> Annotated[int, "chatty_out"]:
    print("a line for the log")
    return 1


@pipeline(enable_cache=False)
def talk() -> None:
    chatty()


def test_a_step_log_with_a_planted_chunk_link_is_not_served(
    live: LiveServer, http: httpx.Client, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOST_STORE__URL", live.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", live.api_key)
    runtime.reset()
    run = talk()
    base = f"/runs/{run.id}/steps/chatty/logs"
    assert "a line for the log" in http.get(f"{base}/download").text
    chunks = sorted(Path(live.store.steps.get(run.id, "chatty").log_uri or "").iterdir())
    assert chunks, "the step wrote no log chunk"
    chunks[0].unlink()
    chunks[0].symlink_to(secret)
    for path in ("", "/tail", "/download", "/first-error"):
        _assert_refused(http.get(f"{base}{path}"))
