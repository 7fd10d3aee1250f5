"""`waypost.io.fileio`, as ZenML's: the same functions on local paths, file:// and memory:// URIs."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.io import fileio


@pytest.fixture(params=["local", "file", "memory"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty folder, spelled as a local path, a file:// URI or a memory:// URI."""
    if request.param == "local":
        yield str(tmp_path / "root")
    elif request.param == "file":
        yield f"file://{tmp_path / 'root'}"
    else:
        name = f"compat-{uuid.uuid4().hex}"
        yield f"memory://{name}"
        memory = fsspec.filesystem("memory")
        if memory.exists(f"/{name}"):
            memory.rm(f"/{name}", recursive=True)


def test_write_read_list_walk_and_delete(root: str) -> None:
    fileio.makedirs(f"{root}/data/raw")
    fileio.makedirs(f"{root}/data/raw")  # already there: nothing happens
    with fileio.open(f"{root}/data/raw/a.csv", "w") as f:
        f.write("x,y\n1,2\n")
    with fileio.open(f"{root}/data/b.bin", "wb") as f:
        f.write(b"\x00" * 10)

    assert fileio.exists(f"{root}/data/raw/a.csv")
    assert not fileio.exists(f"{root}/data/nothing")
    assert fileio.isdir(f"{root}/data/raw")
    assert not fileio.isdir(f"{root}/data/b.bin")
    with fileio.open(f"{root}/data/raw/a.csv") as f:
        assert f.read() == "x,y\n1,2\n"

    assert sorted(fileio.listdir(f"{root}/data")) == ["b.bin", "raw"]
    assert sorted(fileio.listdir(f"{root}/data", only_file_names=False)) == [f"{root}/data/b.bin", f"{root}/data/raw"]
    assert fileio.listdir(f"{root}/missing") == []
    assert fileio.glob(f"{root}/data/raw/*.csv") == [f"{root}/data/raw/a.csv"]  # spelled as the pattern was
    walked = {top: (sorted(dirs), sorted(files)) for top, dirs, files in fileio.walk(f"{root}/data")}
    assert walked == {f"{root}/data": (["raw"], ["b.bin"]), f"{root}/data/raw": ([], ["a.csv"])}

    assert fileio.size(f"{root}/data/raw/a.csv") == 8
    assert fileio.size(f"{root}/data") == 18  # a folder: everything under it
    assert fileio.size(f"{root}/missing") == 0
    info = fileio.stat(f"{root}/data/b.bin")
    assert (info.st_size if isinstance(info, os.stat_result) else info["size"]) == 10

    fileio.mkdir(f"{root}/data/new")
    assert fileio.isdir(f"{root}/data/new")
    fileio.remove(f"{root}/data/b.bin")
    assert not fileio.exists(f"{root}/data/b.bin")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fileio.remove(f"{root}/data/b.bin")
    with pytest.raises(TypeError, match="is not a directory"):
        fileio.rmtree(f"{root}/data/raw/a.csv")
    fileio.rmtree(f"{root}/data")
    assert not fileio.exists(f"{root}/data")


def test_copy_and_rename_keep_or_refuse_to_overwrite(root: str) -> None:
    fileio.makedirs(root)
    with fileio.open(f"{root}/a.txt", "w") as f:
        f.write("first")
    with fileio.open(f"{root}/b.txt", "w") as f:
        f.write("second")

    fileio.copy(f"{root}/a.txt", f"{root}/c.txt")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        fileio.copy(f"{root}/a.txt", f"{root}/b.txt")
    fileio.copy(f"{root}/a.txt", f"{root}/b.txt", overwrite=True)
    with fileio.open(f"{root}/b.txt") as f:
        assert f.read() == "first"

    with pytest.raises(FileExistsError, match="overwrite=True"):
        fileio.rename(f"{root}/c.txt", f"{root}/a.txt")
    fileio.rename(f"{root}/c.txt", f"{root}/d.txt")
    assert not fileio.exists(f"{root}/c.txt")
    with fileio.open(f"{root}/d.txt") as f:
        assert f.read() == "first"


def test_copy_crosses_filesystems_and_rename_refuses_to(tmp_path: Path) -> None:
    local = tmp_path / "model.bin"
    local.write_bytes(b"weights" * 1000)
    remote = f"memory://compat-{uuid.uuid4().hex}/model.bin"
    try:
        fileio.copy(str(local), remote)
        with fileio.open(remote, "rb") as f:
            assert f.read() == b"weights" * 1000
        with pytest.raises(FileExistsError):
            fileio.copy(str(local), remote)
        fileio.copy(remote, str(tmp_path / "back.bin"))
        assert (tmp_path / "back.bin").read_bytes() == b"weights" * 1000
        with pytest.raises(NotImplementedError, match="crosses filesystems"):
            fileio.rename(str(local), remote.replace("model.bin", "other.bin"))
    finally:
        fsspec.filesystem("memory").rm(remote.rsplit("/", 1)[0], recursive=True)


def test_path_objects_are_taken(tmp_path: Path) -> None:
    fileio.makedirs(tmp_path / "p")
    with fileio.open(tmp_path / "p" / "f.txt", "w") as f:
        f.write("x")
    assert fileio.listdir(tmp_path / "p") == ["f.txt"]
    assert fileio.exists(tmp_path / "p" / "f.txt")


def test_an_unknown_scheme_names_the_fix() -> None:
    with pytest.raises(ValueError, match=r"No filesystem handles 'nosuchfs://' paths .*install the fsspec") as err:
        fileio.exists("nosuchfs://bucket/key")
    assert "\n" not in str(err.value)


def test_a_step_writes_and_reads_files_through_fileio(tmp_path: Path) -> None:
    target = f"file://{tmp_path / 'exports'}"

    @step
    def export(rows: int) -> str:
        fileio.makedirs(target)
        with fileio.open(f"{target}/rows.txt", "w") as f:
            f.write("\n".join(str(i) for i in range(rows)))
        return f"{target}/rows.txt"

    @step
    def count(path: str) -> int:
        with fileio.open(path) as f:
            return len(f.read().splitlines())

    @pipeline
    def exporting():
        count(export(rows=7))

    run = exporting()
    assert Client().get_step_output(run.id, "count") == 7
    assert (tmp_path / "exports" / "rows.txt").read_text().splitlines()[-1] == "6"


def test_importing_fileio_loads_no_fsspec() -> None:
    code = "import sys, waypost.io.fileio; print('fsspec' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
