"""`waypost.logger.get_logger`, as ZenML's: INFO on the console, and each record in the step's logs, once."""

from __future__ import annotations

import logging
import uuid

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.logger import get_logger


def _name() -> str:
    return f"compat.{uuid.uuid4().hex[:8]}"  # a fresh logger per test: loggers live as long as the process


def test_a_steps_records_reach_its_logs_once_and_the_console(capsys: pytest.CaptureFixture[str]) -> None:
    name = _name()
    logger = get_logger(name)
    child = get_logger(f"{name}.child")  # a chain of two console handlers still prints once

    @step
    def train() -> int:
        logger.info("training on %d rows", 1200)
        child.warning("learning rate is high")
        logger.debug("not shown at INFO")
        print("plain print")
        return 1

    @pipeline
    def training():
        train()

    run = training()

    out = capsys.readouterr().out
    assert "training on 1200 rows\n" in out
    assert "WARNING: learning rate is high\n" in out
    assert out.count("training on 1200 rows") == 1
    assert out.count("learning rate is high") == 1
    assert "not shown at INFO" not in out

    lines = Client().get_step_logs(run.id, "train")
    assert [(line["s"], line["l"], line["m"]) for line in lines] == [
        ("logging", "INFO", f"{name}: training on 1200 rows"),
        ("logging", "WARNING", f"{name}.child: learning rate is high"),
        ("stdout", None, "plain print"),
    ]


def test_outside_a_step_it_prints_info_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    logger = get_logger(_name())
    logger.info("loading config")
    logger.error("config is missing a key")
    captured = capsys.readouterr()
    assert captured.out == "loading config\nERROR: config is missing a key\n"
    assert captured.err == ""


def test_asking_again_gives_the_same_logger_without_a_second_handler(capsys: pytest.CaptureFixture[str]) -> None:
    name = _name()
    first = get_logger(name)
    second = get_logger(name)
    assert first is second is logging.getLogger(name)
    second.info("once")
    assert capsys.readouterr().out == "once\n"


def test_a_level_chosen_before_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    name = _name()
    logging.getLogger(name).setLevel(logging.WARNING)
    logger = get_logger(name)
    assert logger.level == logging.WARNING
    logger.info("quiet")
    logger.warning("loud")
    assert capsys.readouterr().out == "WARNING: loud\n"
    assert get_logger(_name()).level == logging.INFO
