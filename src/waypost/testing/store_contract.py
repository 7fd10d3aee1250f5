"""The Store contract suite: one set of tests that every Store implementation must pass.

Subclass :class:`StoreContract` in a module pytest collects, and provide a ``store``
fixture that yields a working, migrated store. Every test makes its own uniquely named
records and scopes its queries to them, so one store may be shared by many tests (a
database per module is fine) as long as no other process writes to it meanwhile::

    import pytest
    from waypost.testing import StoreContract
    from my_plugin import MyStore

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            store = MyStore(tmp_path / "store")
            yield store
            store.close()

The suite uses only the :class:`~waypost.store.Store` protocol and the factories in
:mod:`waypost.testing.factories`, and checks what a user would notice: runs newest first
and paged, the filter language, one-line errors, versions numbered per artifact,
atomic outputs, cache look-ups, crash detection, typed metadata, the model registry and its
stages, approval policies, stage requests and promotion rules, and concurrent writers (threads)
that never clash.
"""

from __future__ import annotations

import pytest

from waypost.store import Store
from waypost.testing._contract_concurrency import ConcurrencyContract
from waypost.testing._contract_filters import FilterContract
from waypost.testing._contract_models import ModelStageContract
from waypost.testing._contract_promotions import ModelPromotionContract
from waypost.testing._contract_records import MetadataContract, ModelContract
from waypost.testing._contract_runs import PipelineContract, RunContract
from waypost.testing._contract_steps import ArtifactContract, CacheContract, StepContract

__all__ = ["StoreContract"]


class StoreContract(
    PipelineContract,
    RunContract,
    FilterContract,
    StepContract,
    CacheContract,
    ArtifactContract,
    MetadataContract,
    ModelContract,
    ModelStageContract,
    ModelPromotionContract,
    ConcurrencyContract,
):
    """Base class of a Store's contract tests; subclasses override the ``store`` fixture."""

    @pytest.fixture
    def store(self) -> Store:
        """The store under test; override it in the subclass."""
        pytest.fail(f"{type(self).__name__} must override the `store` fixture to yield the Store under test.")
