"""``waypost user list|create|deactivate`` against the local store."""

from __future__ import annotations

from typer.testing import CliRunner

from waypost.cli.main import app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore


def test_create_list_deactivate() -> None:
    runner = CliRunner()
    r = runner.invoke(
        app, ["user", "create", "hana", "--full-name", "Hana H", "--admin"], input="a long password!\n" * 2
    )
    assert r.exit_code == 0, r.output
    assert "Created admin user hana" in r.output
    store = SqlStore(load_settings().store_url)
    try:
        key = store.auth.create_api_key(store.users.get("hana").id, "k")
        r = runner.invoke(app, ["user", "list"])
        assert r.exit_code == 0, r.output
        assert "hana" in r.output
        assert "Hana H" in r.output
        assert "admin user" in r.output
        r = runner.invoke(app, ["user", "deactivate", "hana"])  # the only admin stays
        assert r.exit_code == 1
        assert "without an active Admin" in r.output
        assert store.users.get("hana").is_active
        r = runner.invoke(app, ["user", "create", "root", "--admin"], input="a long password!\n" * 2)
        assert r.exit_code == 0, r.output
        r = runner.invoke(app, ["user", "deactivate", "hana"])
        assert r.exit_code == 0, r.output
        assert not store.users.get("hana").is_active
        assert store.auth.resolve_api_key(key.key) is None
        assert '"is_active": false' in runner.invoke(app, ["user", "list", "--json"]).output
    finally:
        store.close()


def test_short_passwords_and_unknown_users_are_one_line_errors() -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["user", "create", "ivan", "--password", "short"])
    assert r.exit_code == 1
    assert "at least 12 characters" in r.output
    r = runner.invoke(app, ["user", "deactivate", "nobody"])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert "nobody" in r.output
