"""``get_logger``: a standard logger that prints INFO to the console, under ZenML's name.

    from waypost.logger import get_logger

    logger = get_logger(__name__)

    @step
    def train() -> float:
        logger.info("training on %d rows", 1200)   # on the console, and in the step's logs
        ...

Inside a step, each record is also stored in the step's logs as one ``logging`` line with its
level (``Client().get_step_logs(run, step)``, and the dashboard's log view), like any other
``logging`` record: the logger propagates to the root logger, where the step's log capture
listens. On the console, INFO and below print as the message alone; WARNING and above start
with the level name.
"""

from __future__ import annotations

import logging

from waypost.execution.logs.console import ConsoleHandler

__all__ = ["get_logger"]


def get_logger(logger_name: str) -> logging.Logger:
    """The :class:`logging.Logger` named ``logger_name``, printing INFO and above to stdout.

    Calling it again for the same name returns the same logger without adding a second
    handler. A level set before (``logger.setLevel``) is kept; otherwise it is INFO.

    Args:
        logger_name: The logger's name, usually ``__name__``.

    Returns:
        The logger.
    """
    logger = logging.getLogger(logger_name)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not any(isinstance(handler, ConsoleHandler) for handler in logger.handlers):
        logger.addHandler(ConsoleHandler())
    return logger
