"""The flavors every Waypost has: one module per component type."""

from __future__ import annotations


def register_builtin() -> None:
    """Add the built-in flavors to the registry (called once, on first use of the registry)."""
    from waypost.stacks.builtin import alerters, artifact_stores, data_validators, orchestrators
    from waypost.stacks.flavors import register

    for module in (orchestrators, artifact_stores, alerters, data_validators):
        for flavor in module.FLAVORS:
            register(flavor)
