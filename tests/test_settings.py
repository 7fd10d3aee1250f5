"""Settings come from arguments, then the environment, then the YAML config file, then defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from waypost.exceptions import ConfigurationError
from waypost.settings import load_settings, write_config


def test_environment_wins_over_the_config_file_and_tables_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config({"server.port": 9001, "server.host": "0.0.0.0", "execution.heartbeat_interval_s": 7})
    monkeypatch.setenv("WAYPOST_SERVER__PORT", "9002")
    settings = load_settings()
    assert settings.server.port == 9002  # the environment over the file
    assert settings.server.host == "0.0.0.0"  # the file's other keys of the same table stay
    assert settings.execution.heartbeat_interval_s == 7
    assert load_settings(server={"port": 9003}).server.port == 9003  # arguments over both
    assert load_settings(server={"port": 9003}).server.host == "0.0.0.0"


def test_names_are_case_insensitive_and_lists_are_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("waypost_server__cors_origins", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("WAYPOST_STORE__URL", "sqlite:////tmp/elsewhere.db")
    monkeypatch.setenv("WAYPOST_NOT_A_SETTING", "1")  # ignored, as an unknown key in the file is
    settings = load_settings()
    assert settings.server.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.store_url == "sqlite:////tmp/elsewhere.db"


def test_a_whole_table_can_be_given_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_SERVER", '{"port": 9100, "host": "::1"}')
    monkeypatch.setenv("WAYPOST_SERVER__PORT", "9200")
    settings = load_settings()
    assert settings.server.host == "::1"
    assert settings.server.port in (9100, 9200)  # both name it; either order of the environment is fine


def test_bad_values_give_one_line_errors_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOST_SERVER__PORT", "eighty")
    with pytest.raises(ConfigurationError, match=r"server\.port.*WAYPOST_SERVER__PORT"):
        load_settings()
    monkeypatch.delenv("WAYPOST_SERVER__PORT")
    monkeypatch.setenv("WAYPOST_SERVER__ALLOWED_HOSTS", "a.example,b.example")
    with pytest.raises(ConfigurationError, match="WAYPOST_SERVER__ALLOWED_HOSTS is not valid JSON") as info:
        load_settings()
    assert "\n" not in str(info.value)


def test_a_broken_config_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(os.environ["WAYPOST_CONFIG"])
    path.write_text("server: [unclosed\n")
    with pytest.raises(ConfigurationError, match="is not valid YAML"):
        load_settings()
    path.write_text("- just\n- a list\n")
    with pytest.raises(ConfigurationError, match="must hold a mapping"):
        load_settings()
    path.write_text("")
    assert load_settings().server.port == 8742  # an empty file means defaults
