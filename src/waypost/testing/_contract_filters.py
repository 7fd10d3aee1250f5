"""Store contract: the filter language on run lists, and the errors bad filters give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from waypost.enums import ExecutionStatus
from waypost.exceptions import FilterSyntaxError
from waypost.schemas import RunRead
from waypost.store import Store
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_metadata, make_model_version, make_pipeline, make_run, unique_name


@dataclass
class RunWorld:
    """Four runs of one pipeline, with statuses, tags and accuracies to filter on."""

    pipeline: str
    runs: dict[str, RunRead]

    def query(self, store: Store, query: str = "", *, sort: str | None = None) -> list[str]:
        """Short names of this world's runs matching ``query``, in list order."""
        page = store.runs.list(f"pipeline:{self.pipeline} {query}".strip(), sort=sort)
        return [r.name.rsplit("-", 1)[1] for r in page.items]

    def matching(self, store: Store, query: str) -> set[str]:
        """Short names of this world's runs matching ``query``."""
        return set(self.query(store, query))


def build_world(store: Store) -> RunWorld:
    """alpha completed prod 0.95 · beta failed 0.5 · gamma crashed prod,nightly 0.3 · delta running."""
    pipe = make_pipeline(store)
    plan = {
        "alpha": (ExecutionStatus.COMPLETED, ["prod"], 0.95),
        "beta": (ExecutionStatus.FAILED, [], 0.5),
        "gamma": (ExecutionStatus.CRASHED, ["prod", "nightly"], 0.3),
        "delta": (ExecutionStatus.RUNNING, [], None),
    }
    runs = {}
    for short, (status, tags, accuracy) in plan.items():
        run = make_run(store, pipe, name=f"{pipe.name}-{short}", status=status, tags=tags)
        if accuracy is not None:
            make_metadata(store, run_id=run.id, accuracy=accuracy, optimizer="adam")
        runs[short] = run
    return RunWorld(pipe.name, runs)


class FilterContract:
    """What users type into the search box, and what comes back."""

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("", {"alpha", "beta", "gamma", "delta"}),
            ("status:failed", {"beta"}),
            ("status:FAILED", {"beta"}),
            ("status:failed,crashed", {"beta", "gamma"}),
            ("-status:failed", {"alpha", "gamma", "delta"}),
            ("tag:prod", {"alpha", "gamma"}),
            ("-tag:prod", {"beta", "delta"}),
            ("tag:nightly,prod", {"alpha", "gamma"}),
            ("tag:prod status:crashed", {"gamma"}),
            ("metadata.accuracy>0.9", {"alpha"}),
            ("metadata.accuracy>=0.5", {"alpha", "beta"}),
            ("metadata.accuracy<=0.5", {"beta", "gamma"}),
            ("metadata.accuracy<0.5", {"gamma"}),
            ("metadata.accuracy:0.5", {"beta"}),
            ("metadata.optimizer:adam", {"alpha", "beta", "gamma"}),
            ("metadata.optimizer~ADA", {"alpha", "beta", "gamma"}),
            ("-metadata.accuracy>0.4", {"gamma", "delta"}),
            ("name~lph", {"alpha"}),
            ("name~ELT", {"delta"}),
            ("eta", {"beta"}),
            ("a", {"alpha", "beta", "gamma", "delta"}),
            ("-eta", {"alpha", "gamma", "delta"}),
            ("tag:no-such-tag", set()),
        ],
    )
    def test_run_filter(self, store: Store, query: str, expected: set[str]) -> None:
        world = build_world(store)
        assert world.matching(store, query) == expected

    def test_pipeline_filter_matches_only_that_pipeline(self, store: Store) -> None:
        world = build_world(store)
        other = make_run(store)
        page = store.runs.list(f"pipeline:{world.pipeline}")
        assert page.total == 4
        assert other.id not in {r.id for r in page.items}
        assert [r.id for r in store.runs.list(f"pipeline:{other.pipeline_name}").items] == [other.id]

    def test_created_filters(self, store: Store) -> None:
        world = build_world(store)
        alpha, delta = world.runs["alpha"], world.runs["delta"]
        day = alpha.created_at.date()
        everyone = {"alpha", "beta", "gamma", "delta"}
        assert world.matching(store, f"created>{day - timedelta(days=1)}") == everyone
        assert world.matching(store, f"created>{day + timedelta(days=2)}") == set()
        assert world.matching(store, f"created:{day}") == everyone
        assert world.matching(store, f"created:{day - timedelta(days=1)}") == set()
        assert world.matching(store, "created>30d") == everyone
        after_alpha = alpha.created_at.isoformat().replace("+00:00", "Z")
        assert world.matching(store, f"created>{after_alpha}") == {"beta", "gamma", "delta"}
        before_delta = delta.created_at.isoformat()
        assert world.matching(store, f"created<{before_delta.replace('+00:00', 'Z')}") == {"alpha", "beta", "gamma"}

    def test_metadata_of_other_owners_does_not_match_runs(self, store: Store) -> None:
        world = build_world(store)
        mv = make_model_version(store, run=world.runs["delta"])
        make_metadata(store, model_version_id=mv.id, accuracy=0.99, optimizer="sgd")
        assert world.matching(store, "metadata.accuracy>0.9") == {"alpha"}
        assert world.matching(store, "-metadata.accuracy>0.4") == {"gamma", "delta"}
        assert world.matching(store, "metadata.optimizer:sgd") == set()
        assert world.matching(store, "-metadata.optimizer:sgd") == {"alpha", "beta", "gamma", "delta"}

    def test_model_filter(self, store: Store) -> None:
        world = build_world(store)
        mv = make_model_version(store, run=world.runs["beta"])
        assert world.matching(store, f"model:{mv.model_name}") == {"beta"}

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            (None, ["delta", "gamma", "beta", "alpha"]),
            ("-created", ["delta", "gamma", "beta", "alpha"]),
            ("created", ["alpha", "beta", "gamma", "delta"]),
            ("name", ["alpha", "beta", "delta", "gamma"]),
            ("-name", ["gamma", "delta", "beta", "alpha"]),
        ],
    )
    def test_run_sort(self, store: Store, sort: str | None, expected: list[str]) -> None:
        assert build_world(store).query(store, sort=sort) == expected

    def test_run_sort_by_duration_puts_unfinished_runs_last(self, store: Store) -> None:
        pipe = make_pipeline(store)
        t0 = datetime.now(UTC) - timedelta(hours=1)
        # short names -> seconds run; "slow" outlasts a day, "same" ties "ten" (and is newer)
        plan = {"thirty": 30.0, "ten": 10.0, "twenty": 20.5, "slow": 90_000.0, "same": 10.0, "going": None}
        for short, seconds in plan.items():
            run = make_run(store, pipe, name=f"{pipe.name}-{short}", status=ExecutionStatus.RUNNING)
            if seconds is not None:
                end = t0 + timedelta(seconds=seconds)
                store.runs.set_status(run.id, ExecutionStatus.COMPLETED, started_at=t0, ended_at=end)
        world = RunWorld(pipe.name, {})
        assert world.query(store, sort="duration") == ["same", "ten", "twenty", "thirty", "slow", "going"]
        assert world.query(store, sort="-duration") == ["slow", "thirty", "twenty", "same", "ten", "going"]
        assert world.query(store, "status:completed", sort="-duration")[0] == "slow"

    def test_run_sort_by_pipeline_name(self, store: Store) -> None:
        tag = unique_name("sort")
        base = unique_name("p")
        made = []
        for word in ("charlie", "alpha", "bravo"):
            pipe = make_pipeline(store, f"{base}-{word}")
            made += [make_run(store, pipe, tags=[tag]).id, make_run(store, pipe, tags=[tag]).id]
        by_pipeline = store.runs.list(f"tag:{tag}", sort="pipeline").items
        words = [r.pipeline_name.rsplit("-", 1)[1] for r in by_pipeline]
        assert words == ["alpha", "alpha", "bravo", "bravo", "charlie", "charlie"]
        # ties (one pipeline's runs) newest first whichever way the pipelines go
        assert [r.id for r in by_pipeline[:2]] == [made[3], made[2]]
        reverse = store.runs.list(f"tag:{tag}", sort="-pipeline").items
        assert [r.pipeline_name.rsplit("-", 1)[1] for r in reverse] == list(reversed(words))
        assert [r.id for r in reverse[:2]] == [made[1], made[0]]
        paged = [r.id for n in (1, 2, 3) for r in store.runs.list(f"tag:{tag}", sort="-pipeline", page=n, size=2).items]
        assert paged == [r.id for r in reverse]
        both = store.runs.list(f"tag:{tag} pipeline:{base}-bravo", sort="pipeline").items
        assert [r.id for r in both] == [made[5], made[4]]

    @pytest.mark.parametrize(
        ("query", "fragment"),
        [
            ("status:nope", "failed"),
            ("foo:bar", "status"),
            ("status:", "status:"),
            ("status:failed,", "comma"),
            ("metadata.acc>abc", "number"),
            ("created>yesterdayish", "date"),
            ('name:"unclosed', "quote"),
            ('"unclosed bare', "quote"),
            (">0.9", "key"),
            ("name>3", "name:"),
            ("created~2026-11-01", "text"),
            ("pipeline>3", "pipeline:"),
            ("tag>prod", "tag:"),
        ],
    )
    def test_bad_filter_says_how_to_fix_it(self, store: Store, query: str, fragment: str) -> None:
        with pytest.raises(FilterSyntaxError) as err:
            store.runs.list(query)
        assert_one_line(err.value, fragment)

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"size": 5000}, "1000"),
            ({"size": 0}, "size"),
            ({"page": 0}, "start at 1"),
            ({"sort": "nope"}, "created"),
            ({"sort": "-nope"}, "duration"),
        ],
    )
    def test_bad_paging_or_sort_says_how_to_fix_it(
        self, store: Store, kwargs: dict[str, object], fragment: str
    ) -> None:
        with pytest.raises(FilterSyntaxError) as err:
            store.runs.list("", **kwargs)  # type: ignore[arg-type]
        assert_one_line(err.value, fragment)

    def test_every_list_rejects_bad_filters(self, store: Store) -> None:
        for lister in (store.pipelines.list, store.artifacts.list, store.artifacts.list_versions, store.models.list):
            with pytest.raises(FilterSyntaxError) as err:
                lister("foo:bar")
            assert_one_line(err.value, "foo")
            with pytest.raises(FilterSyntaxError):
                lister("", size=5000)

    def test_filter_values_are_data_not_sql(self, store: Store) -> None:
        world = build_world(store)
        hostile = ["\"x' OR '1'='1\"", "name~%", "name~_", 'name:"\'; DROP TABLE pipeline_runs; --"']
        for query in hostile:
            assert world.matching(store, query) == set()
        assert len(world.query(store)) == 4
