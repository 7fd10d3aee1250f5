"""Test kits for plugin authors: contract suites and factories (needs pytest).

from waypost.testing import StoreContract, make_run
"""

from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import (
    make_artifact_version,
    make_metadata,
    make_model_version,
    make_pipeline,
    make_run,
    make_spec,
    make_step_run,
    metadata_type,
    start_step,
    unique_name,
)
from waypost.testing.store_contract import StoreContract

__all__ = [
    "StoreContract",
    "assert_one_line",
    "make_artifact_version",
    "make_metadata",
    "make_model_version",
    "make_pipeline",
    "make_run",
    "make_spec",
    "make_step_run",
    "metadata_type",
    "start_step",
    "unique_name",
]
