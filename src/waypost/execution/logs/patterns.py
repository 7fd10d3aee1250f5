"""Regular expressions for log search: RE2 (linear time) when installed, and a pattern's required text.

Python's ``re`` backtracks: a 24-character pattern like ``(a+)+$`` can take minutes on one
line, holding the GIL all the while, and nothing can interrupt it. RE2 (the ``google-re2``
package, part of the ``server`` extra) matches in time linear in the line's length, so a
search over many lines can be stopped at a deadline between lines. Without it (a plain
``pip install waypost`` searching its own logs) ``re`` is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable

try:  # the regular-expression parser, for a regex's required text (private, hence guarded)
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _sre_constants
    import sre_parse as _sre_parser

Matcher = Callable[[str], bool]
"""Whether a message matches."""


class PatternError(ValueError):
    """A pattern that does not compile; the message is one line naming the problem."""


def compile_regex(text: str, case_sensitive: bool, *, require_re2: bool = False) -> Matcher:
    """A test for messages matching ``text``; raise :class:`PatternError` when it does not compile.

    ``require_re2`` refuses to fall back to backtracking ``re`` (the server, which searches
    with patterns strangers send, sets it).
    """
    try:
        import re2  # type: ignore[import-untyped]  # imported here: only regex searches need it
    except ImportError:
        if require_re2:
            raise PatternError(
                "Regex search needs the google-re2 package; install waypost[server] or search without regex."
            ) from None
        return _compile_re(text, case_sensitive)
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # else RE2 prints every bad pattern to stderr
    try:
        pattern = re2.compile(text, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else "invalid pattern"
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        hint = (
            " (backreferences and lookaround are not supported)"
            if re.search(r"\\[1-9]|\(\?<?[=!]|\(\?P=", text)
            else ""
        )
        raise PatternError(f"'{text[:80]}' is not a usable regular expression: {reason}{hint}.") from None
    return lambda message: pattern.search(message) is not None


def _compile_re(text: str, case_sensitive: bool) -> Matcher:
    try:
        pattern = re.compile(text, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise PatternError(f"'{text[:80]}' is not a regular expression ({exc}).") from None
    return lambda message: pattern.search(message) is not None


def required_literal(text: str, case_sensitive: bool) -> tuple[str | None, bool]:
    """The longest run of plain characters in a pattern's top-level sequence (each match holds
    it), and whether the pattern ignores case (a leading ``(?i)`` counts).

    Parsed with Python's parser: a pattern it cannot read (RE2-only syntax) has no shortcut.
    """
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        parsed = _sre_parser.parse(text, flags)
        folded = bool(parsed.state.flags & re.IGNORECASE)
    except Exception:  # a private module: any surprise means "no shortcut"
        return None, True
    best: list[str] = []
    run: list[str] = []
    for op, arg in parsed:
        if op == _sre_constants.LITERAL:
            run.append(chr(arg))
            continue
        best = max(best, run, key=len)
        run = []
    best = max(best, run, key=len)
    return ("".join(best) if len(best) >= 2 else None), folded
