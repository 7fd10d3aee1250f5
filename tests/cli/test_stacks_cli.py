"""``waypost stack|component|connector|secret`` and the project folder of ``waypost init``, on the local store.

What a user notices: a flavor's fields are flags (numbers, lists, JSON objects), stacks are built
from registered components and one is marked active (by folder, by user, by WAYPOST_STACK); bad
input is one red line that leaves nothing saved; secret values never appear in any output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import assert_one_line_error, good, invoke
from typer.testing import CliRunner

from live_server import LiveServer
from waypost.cli.main import app
from waypost.client import Client
from waypost.exceptions import ConfigurationError
from waypost.schemas.stacks import ComponentType
from waypost.settings import write_config

VALUE = "sup3r-s3cret-Value-42"
OTHER = "an0ther-s3cret-Value-7"


@pytest.fixture(autouse=True)
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test in a folder of its own (no project folder above it), with no stack in the environment."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("WAYPOST_STACK", raising=False)
    return work


def ok(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.stdout


def listed(*args: str) -> list[dict]:
    data = json.loads(ok(*args, "--json"))
    assert isinstance(data, list)
    return data


def active_row(text: str) -> list[str]:
    rows = [line.split() for line in text.splitlines() if line.startswith("*")]
    assert len(rows) >= 1, text
    return rows[0]


def test_components_from_flavor_flags_and_stacks_round_trip(tmp_path: Path) -> None:
    ok("component", "register", "orchestrator", "four", "--flavor", "local", "--max-parallel-steps", "4")
    ok("component", "register", "artifact-store", "disk", "-f", "local", "--path", str(tmp_path / "arts"))
    ok(
        "component", "register", "artifact_store", "mem", "--flavor", "fsspec",
        "--uri", "memory://wp", "--storage-options", '{"skip_instance_cache": true}',
    )  # fmt: skip
    ok(
        "component", "register", "alerter", "mail", "--flavor", "email", "--host", "smtp.example.com",
        "--port=2525", "--from-address", "wp@example.com", "--to", "a@example.com", "--to", "b@example.com",
    )  # fmt: skip
    components = {(c["type"], c["name"]): c for c in listed("component", "list")}
    assert components["orchestrator", "four"]["config"] == {"max_parallel_steps": 4}
    assert components["artifact_store", "mem"]["config"]["storage_options"] == {"skip_instance_cache": True}
    mail = components["alerter", "mail"]["config"]
    assert (mail["port"], mail["to"]) == (2525, ["a@example.com", "b@example.com"])
    assert [c["name"] for c in listed("component", "list", "--type", "orchestrator")] == ["default", "four"]
    assert "--max-parallel-steps  4" in " ".join(ok("component", "describe", "orchestrator", "four").split("\n"))

    assert "Registered stack prod" in ok("stack", "register", "prod", "-o", "four", "-a", "disk", "--alerter", "mail")
    stacks = {s["name"]: s for s in listed("stack", "list")}
    assert set(stacks) == {"default", "prod"}
    assert stacks["default"]["active"]
    assert not stacks["prod"]["active"]
    assert {t: c["name"] for t, c in stacks["prod"]["components"].items()} == {
        "orchestrator": "four",
        "artifact_store": "disk",
        "alerter": "mail",
    }
    assert active_row(ok("stack", "list"))[1] == "default"

    assert "Your active stack: prod" in ok("stack", "set", "prod")
    assert active_row(ok("stack", "list"))[1] == "prod"
    described = json.loads(ok("stack", "describe", "--json"))  # the active one
    assert (described["name"], described["active"]) == ("prod", True)

    ok("stack", "update", "prod", "--artifact-store", "mem", "--remove", "alerter")
    updated = json.loads(ok("stack", "describe", "prod", "--json"))
    assert set(updated["components"]) == {"orchestrator", "artifact_store"}
    assert "Renamed stack prod to live" in ok("stack", "rename", "prod", "live")
    assert active_row(ok("stack", "list"))[1] == "live"  # still the active stack under its new name
    ok("stack", "copy", "live", "staging")
    assert json.loads(ok("stack", "describe", "staging", "--json"))["components"]["artifact_store"]["name"] == "mem"
    ok("stack", "delete", "live")
    assert active_row(ok("stack", "list"))[1] == "default"  # the deleted active stack falls back
    ok("stack", "delete", "staging")
    ok("component", "delete", "alerter", "mail")
    assert [s["name"] for s in listed("stack", "list")] == ["default"]
    assert ("alerter", "mail") not in {(c["type"], c["name"]) for c in listed("component", "list")}


def test_flavors_and_help_list_each_flavors_fields() -> None:
    help_text = ok("component", "register", "--help")
    assert "artifact_store: fsspec, local, s3" in " ".join(help_text.split())
    assert "waypost component flavors --type TYPE" in " ".join(help_text.split())
    text = ok("component", "flavors", "--type", "artifact_store")
    s3 = text[text.index("artifact_store s3") :]
    rows = {line.split()[0]: line for line in s3.splitlines() if line.strip().startswith("--")}
    assert "required" in rows["--path"]
    assert "string" in rows["--path"]
    assert "(secret)" in rows["--secret"]
    assert "(secret)" not in rows["--region"]
    assert "connectors: aws" in s3
    flavors = listed("component", "flavors")
    assert {(f["type"], f["name"]) for f in flavors} >= {("orchestrator", "local"), ("alerter", "slack")}


FSSPEC = ("component", "register", "artifact_store", "x", "--flavor", "fsspec", "--uri", "memory://x")
S3 = ("component", "register", "artifact_store", "x", "--flavor", "s3", "--path", "s3://bucket")


def _saved() -> tuple[int, int, int]:
    return len(listed("component", "list")), len(listed("stack", "list")), len(listed("secret", "list"))


def test_bad_input_is_one_line_and_saves_nothing() -> None:
    ok("component", "register", "orchestrator", "four", "--flavor", "local", "--max-parallel-steps", "4")
    ok("stack", "register", "prod", "-o", "four", "-a", "default")
    before = _saved()
    cases = [
        (("component", "register", "artifact_store", "x", "--flavor", "gcs"), ("flavor 'gcs'", "known: fsspec")),
        (("component", "register", "vault", "x", "--flavor", "local"), ("Unknown component type 'vault'",)),
        (
            ("component", "register", "orchestrator", "x", "--flavor", "local", "--max-parallel-steps", "0"),
            ("max_parallel_steps", "greater than or equal to 1"),
        ),
        (
            ("component", "register", "orchestrator", "x", "--flavor", "local", "--max-parallel-steps", "many"),
            ("--max-parallel-steps takes a whole number",),
        ),
        (
            ("component", "register", "artifact_store", "x", "--flavor", "s3", "--bucket", "b"),
            ("no field '--bucket'", "--path, --endpoint-url"),
        ),
        (
            ("component", "register", "artifact_store", "x", "--flavor", "s3", "--path", "not-a-bucket"),
            ("'path' is not valid",),
        ),
        (
            (
                "component",
                "register",
                "artifact_store",
                "x",
                "--flavor",
                "fsspec",
                "--uri",
                "memory://x",
                "--storage-options",
                "{broken",
            ),
            ("--storage-options takes a JSON object",),
        ),
        (
            (
                "component",
                "register",
                "artifact_store",
                "x",
                "--flavor",
                "s3",
                "--path",
                "s3://bucket",
                "--secret",
                "{{secret.nope.secret}}",
            ),
            ("{{secret.nope.secret}} does not resolve", "no secret 'nope'"),
        ),
        (("stack", "register", "half", "-a", "default"), ("needs an orchestrator", "--orchestrator NAME")),
        (("stack", "register", "half", "-o", "nothing", "-a", "default"), ("nothing",)),
        (("stack", "register", "prod", "-o", "four", "-a", "default"), ("named 'prod' exists already",)),
        (("component", "delete", "orchestrator", "four"), ("used by stack(s) 'prod'",)),
        (("stack", "delete", "default"), ("default stack cannot be deleted",)),
        (("stack", "rename", "default", "other"), ("default stack cannot be renamed",)),
        (("stack", "set", "nowhere"), ("nowhere",)),
        (("stack", "update", "prod"), ("Nothing to change",)),
        (("secret", "create", "empty"), ("needs at least one value",)),
        (("secret", "create", "bad", "--no good=1"), ("not a valid secret key",)),
    ]
    for args, fragments in cases:
        assert_one_line_error(invoke(*args), *fragments)
    assert _saved() == before


def test_secret_values_never_appear_in_any_output(tmp_path: Path) -> None:
    outputs: list[str] = []

    def run(*args: str, input: str | None = None) -> str:
        result = CliRunner().invoke(app, list(args), input=input)
        outputs.append(result.output)
        assert result.exit_code == 0, result.output
        return result.stdout

    values = tmp_path / "values.yaml"
    values.write_text(f"token: {OTHER}\n")
    made = run("secret", "create", "aws", f"--key={VALUE}", "--secret", input=f"{OTHER}\n")
    assert "keys: key, secret" in made
    run("secret", "create", "hook", "--values-file", str(values), "-d", "the webhook")
    run(
        "component", "register", "artifact_store", "lake", "--flavor", "s3", "--path", "s3://bucket/x",
        "--key", "{{secret.aws.key}}", "--secret", "{{secret.aws.secret}}", "--token", VALUE,
    )  # fmt: skip
    run("component", "register", "alerter", "hook", "--flavor", "slack", "--webhook-url", "{{secret.hook.token}}")
    run("connector", "register", "minio", "--type", "aws", "--access-key-id", VALUE, "--secret-access-key", input=OTHER)
    run("stack", "register", "lakes", "-o", "default", "-a", "lake", "--alerter", "hook")
    for args in (
        ("secret", "list"),
        ("secret", "list", "--json"),
        ("secret", "describe", "aws"),
        ("secret", "describe", "aws", "--json"),
        ("component", "list", "--json"),
        ("component", "describe", "artifact_store", "lake"),
        ("component", "describe", "artifact_store", "lake", "--json"),
        ("stack", "describe", "lakes"),
        ("stack", "describe", "lakes", "--json"),
        ("stack", "list", "--json"),
        ("connector", "list"),
        ("connector", "describe", "minio", "--json"),
    ):
        run(*args)
    run("secret", "update", "aws", f"--secret={OTHER}x", "--remove", "unused-key-none")
    joined = "\n".join(outputs)
    assert VALUE not in joined
    assert OTHER not in joined
    lake = json.loads(run("component", "describe", "artifact_store", "lake", "--json"))["config"]
    assert lake["key"] == "{{secret.aws.key}}"
    assert lake["token"] == "********"
    aws = json.loads(run("secret", "describe", "aws", "--json"))
    assert aws["keys"] == ["key", "secret"]
    assert "values" not in aws
    minio = json.loads(run("connector", "describe", "minio", "--json"))
    assert sorted(minio["secret_fields"]) == ["access_key_id", "secret_access_key"]
    assert_one_line_error(invoke("secret", "delete", "aws"), "lake")  # a component refers to it


def test_the_folder_the_user_and_the_environment_pick_the_active_stack(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("stack", "copy", "default", "team")
    ok("stack", "copy", "default", "mine")
    project = work / "project"
    (project / "src").mkdir(parents=True)
    monkeypatch.chdir(project)
    made = ok("init", "--stack", "team")
    assert "Project folder" in made
    assert (project / ".waypost" / "config.yaml").read_text().strip() == "stack: team"
    monkeypatch.chdir(project / "src")  # the nearest project folder up the tree counts
    assert active_row(ok("stack", "list"))[1] == "team"
    assert "(folder" in ok("stack", "list")

    assert "Active stack for" in ok("stack", "set", "mine")  # inside a project folder: the folder's
    assert "stack: mine" in (project / ".waypost" / "config.yaml").read_text()
    assert "takes precedence" in ok("stack", "set", "--user", "team")  # yours, but the folder's wins here
    assert active_row(ok("stack", "list"))[1] == "mine"

    monkeypatch.chdir(tmp_path)  # outside the project folder: your own
    assert active_row(ok("stack", "list"))[1] == "team"
    monkeypatch.setenv("WAYPOST_STACK", "mine")
    assert active_row(ok("stack", "list"))[1] == "mine"
    assert "WAYPOST_STACK is set and takes precedence" in ok("stack", "set", "team")

    assert_one_line_error(invoke("init", "--stack", "nothing"), "nothing")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


def test_against_a_server_the_stack_comes_from_it_and_its_secrets_stay_there(live: LiveServer, tmp_path: Path) -> None:
    write_config({"store.url": live.url, "store.api_key": live.api_key})
    disk = Path(live.settings.artifact_store_uri) / "team-a"  # under the server's artifact store
    ok("secret", "create", "fs", f"--token={VALUE}")
    ok("component", "register", "artifact_store", "disk", "--flavor", "local", "--path", str(disk))
    ok(
        "component", "register", "artifact_store", "guarded", "--flavor", "fsspec", "--uri", str(tmp_path / "g"),
        "--storage-options", '{"auto_mkdir": "{{secret.fs.token}}"}',
    )  # fmt: skip
    ok("stack", "register", "client-disk", "-o", "default", "-a", "disk")
    ok("stack", "register", "guarded", "-o", "default", "-a", "guarded")
    ok("component", "register", "artifact_store", "elsewhere", "--flavor", "local", "--path", str(tmp_path / "e"))
    ok("stack", "register", "elsewhere", "-o", "default", "-a", "elsewhere")
    assert "Your active stack: client-disk" in ok("stack", "set", "client-disk")
    assert live.store.stacks.active_stack(live.store.users.get("admin").id).name == "client-disk"
    row = active_row(ok("stack", "list"))
    assert row[1] == "client-disk"
    assert "admin" in row

    run = good(n=2)
    assert Client().get_pipeline_run(run.id).stack_name == "client-disk"
    snapshot = live.store.runs.stack_snapshot(run.id)
    assert snapshot is not None
    assert snapshot.components[ComponentType.ARTIFACT_STORE].config == {"path": str(disk)}
    assert any((disk / "artifacts").rglob("data.json"))  # written by this client, where the stack says

    ok("stack", "set", "guarded")
    before = Client().list_pipeline_runs().total
    with pytest.raises(ConfigurationError) as err:
        good(n=2)
    assert str(err.value).startswith(
        "The artifact store 'guarded' of stack 'guarded' takes the secret {{secret.fs.token}}, which a Waypost "
        "server never sends to clients"
    )
    ok("stack", "set", "elsewhere")
    with pytest.raises(ConfigurationError) as err:
        good(n=2)
    assert "outside the server's artifact store" in str(err.value)
    assert Client().list_pipeline_runs().total == before
    described = ok("stack", "describe", "guarded", "--json") + ok("secret", "describe", "fs", "--json")
    assert VALUE not in described
    assert_one_line_error(invoke("component", "delete", "artifact_store", "disk"), "client-disk")


def test_waypost_run_takes_a_stack_for_one_run(work: Path) -> None:
    ok("stack", "copy", "default", "other")
    script = work / "flow.py"
    script.write_text(
        "from waypost import pipeline, step\n"
        "@step\ndef one() -> int:\n    return 1\n"
        "@pipeline\ndef flow() -> None:\n    one()\n"
    )
    ok("run", str(script), "--stack", "other")
    ok("run", str(script))
    runs = Client().list_pipeline_runs("flow").items
    assert [r.stack_name for r in runs] == ["default", "other"]  # newest first; the option held for one run
    assert_one_line_error(invoke("run", str(script), "--stack", "nowhere"), "Stack 'nowhere'")
