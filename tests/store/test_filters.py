"""The filter language parser (pure: no database), and its translation to SQL conditions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waypost.exceptions import FilterSyntaxError
from waypost.store.filters import OPERATORS, Term, parse, parse_number, parse_time
from waypost.store.sql.filtering import conditions
from waypost.store.sql.repositories.artifacts import VERSION_FILTERS
from waypost.store.sql.repositories.runs import FILTERS as RUN_FILTERS
from waypost.testing import assert_one_line


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("", []),
        ("   ", []),
        ("status:failed", [Term("status", ":", ("failed",))]),
        ("STATUS:failed", [Term("status", ":", ("failed",))]),
        ("status:failed,crashed", [Term("status", ":", ("failed", "crashed"))]),
        ("-tag:prod", [Term("tag", ":", ("prod",), negate=True)]),
        ("metadata.accuracy>0.9", [Term("metadata.accuracy", ">", ("0.9",))]),
        ("metadata.F1_Score<=0.5", [Term("metadata.F1_Score", "<=", ("0.5",))]),
        ("created>=2026-11-01", [Term("created", ">=", ("2026-11-01",))]),
        ("name~part", [Term("name", "~", ("part",))]),
        ("name~a,b", [Term("name", "~", ("a,b",))]),
        ("status!=failed", [Term("status", "!=", ("failed",))]),
        ("size=10", [Term("size", "=", ("10",))]),
        ("train", [Term("name", "~", ("train",))]),
        ("-draft", [Term("name", "~", ("draft",), negate=True)]),
        ('name:"my run 1"', [Term("name", ":", ("my run 1",))]),
        ('name:"a \\"quoted\\" word"', [Term("name", ":", ('a "quoted" word',))]),
        ('"two words"', [Term("name", "~", ("two words",))]),
        ('-"two words"', [Term("name", "~", ("two words",), negate=True)]),
        ('name:"a,b"', [Term("name", ":", ("a,b",))]),
        (
            'status:failed pipeline:train tag:prod metadata.accuracy>0.9 created>2026-11-01 "big model"',
            [
                Term("status", ":", ("failed",)),
                Term("pipeline", ":", ("train",)),
                Term("tag", ":", ("prod",)),
                Term("metadata.accuracy", ">", ("0.9",)),
                Term("created", ">", ("2026-11-01",)),
                Term("name", "~", ("big model",)),
            ],
        ),
    ],
)
def test_parse(query: str, terms: list[Term]) -> None:
    assert parse(query) == terms


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("status:", "no value"),
        ("status:a,,b", "comma"),
        ("status:a,", "comma"),
        (":failed", "key"),
        (">0.9", "key"),
        ('name:"unclosed', "closing quote"),
        ('"unclosed', "closing quote"),
        ('ok:1 name:"unclosed value', "closing quote"),
    ],
)
def test_parse_errors_are_one_line(query: str, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as err:
        parse(query)
    assert_one_line(err.value, fragment)


def test_term_str_reads_like_the_query() -> None:
    assert str(Term("status", ":", ("failed", "crashed"), negate=True)) == "-status:failed,crashed"


def test_parse_time() -> None:
    assert parse_time("2026-11-01", "created") == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_time("2026-11-01T10:30:00Z", "created") == datetime(2026, 11, 1, 10, 30, tzinfo=UTC)
    assert parse_time("2026-11-01T10:30:00", "created").tzinfo == UTC
    offset = parse_time("2026-11-01T12:30:00+02:00", "created")
    assert offset == datetime(2026, 11, 1, 10, 30, tzinfo=UTC)
    week_ago = datetime.now(UTC) - timedelta(weeks=1)
    assert abs((parse_time("1w", "created") - week_ago).total_seconds()) < 5
    assert abs((parse_time("-7d", "created") - week_ago).total_seconds()) < 5
    for bad in ("yesterday", "2026-13-01", "7y", "99999999999999d"):
        with pytest.raises(FilterSyntaxError) as err:
            parse_time(bad, "created")
        assert_one_line(err.value, "created")


def test_parse_number() -> None:
    assert parse_number("0.9", "metadata.acc") == 0.9
    assert parse_number("-3", "size") == -3
    with pytest.raises(FilterSyntaxError) as err:
        parse_number("abc", "metadata.acc")
    assert_one_line(err.value, "abc", "metadata.acc")


SYNTAX = st.sampled_from([*OPERATORS, ",", '"', "\\", "-", " ", ".", "metadata.", "status", "created", "tag", "d"])
QUERIES = st.one_of(st.text(max_size=60), st.lists(st.one_of(SYNTAX, st.text(max_size=6)), max_size=12).map("".join))


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_random_text_parses_or_raises_filter_syntax_error(query: str) -> None:
    try:
        terms = parse(query)
    except FilterSyntaxError as err:
        assert_one_line(err)
        return
    assert all(isinstance(t, Term) and t.values for t in terms)


@settings(max_examples=400, deadline=None)
@given(QUERIES)
def test_random_text_builds_sql_or_raises_filter_syntax_error(query: str) -> None:
    for spec in (RUN_FILTERS, VERSION_FILTERS):
        try:
            conditions(spec, query)
        except FilterSyntaxError as err:
            assert_one_line(err)


@pytest.mark.parametrize(
    "query", ["created:9999-12-31", "created>99999999999999d", "created:0001-01-01", "size>1e999", "metadata.x>nan"]
)
def test_extreme_values_build_sql_or_raise_filter_syntax_error(query: str) -> None:
    try:
        conditions(VERSION_FILTERS if query.startswith("size") else RUN_FILTERS, query)
    except FilterSyntaxError as err:
        assert_one_line(err)


@given(st.text(min_size=1).filter(lambda s: s.strip() == s))
def test_any_quoted_value_round_trips(value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    assert parse(f'name:"{escaped}"') == [Term("name", ":", (value,))]
    assert parse(f'-"{escaped}"') == [Term("name", "~", (value,), negate=True)]


WORD = st.text(alphabet=st.characters(categories=["L", "N"], include_characters="_.-/"), min_size=1, max_size=12)


@given(
    key=st.sampled_from(["status", "name", "tag", "pipeline", "metadata.accuracy", "created"]),
    op=st.sampled_from(OPERATORS),
    values=st.lists(WORD, min_size=1, max_size=4),
    negate=st.booleans(),
)
def test_terms_round_trip_through_their_text(key: str, op: str, values: list[str], negate: bool) -> None:
    term = Term(key, op, tuple(values) if op == ":" else (",".join(values),), negate)
    assert parse(str(term)) == [term]
    assert parse(f"  {term}   {term} ") == [term, term]
