"""The stacks two runs recorded, compared component by component; secret values never leave masked."""

from __future__ import annotations

from typing import Any

from waypost.schemas.run_diff import StackComponentChange, StackDiff, ValueChange
from waypost.stacks.flavors import FlavorError, get_flavor, secret_fields
from waypost.stacks.references import MASK, mask_config
from waypost.store.value_diff import changes, flatten

__all__ = ["stack_diff"]


def _masked(ctype: str, component: dict[str, Any]) -> dict[str, Any]:
    """A component's config with its flavor's secret fields masked (snapshots store them masked already;
    this holds for one recorded before they were)."""
    config = dict(component.get("config") or {})
    try:
        hidden = secret_fields(get_flavor(ctype, str(component.get("flavor"))))
    except (FlavorError, ValueError):
        hidden = set()
    return mask_config(config, hidden)


def _config_changes(before: dict[str, Any], after: dict[str, Any]) -> list[ValueChange]:
    return changes(flatten(before), flatten(after))


def stack_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> StackDiff:
    """Components added, removed or changed (name, flavor, connector or configuration) between two snapshots."""
    b_comps: dict[str, Any] = (before or {}).get("components") or {}
    a_comps: dict[str, Any] = (after or {}).get("components") or {}
    found: list[StackComponentChange] = []
    for ctype in sorted(set(b_comps) | set(a_comps)):
        b, a = b_comps.get(ctype), a_comps.get(ctype)
        b_cfg = _masked(ctype, b) if b else {}
        a_cfg = _masked(ctype, a) if a else {}
        if b is not None and a is not None:
            config = _config_changes(b_cfg, a_cfg)
            if b.get("connector") != a.get("connector"):
                config.insert(0, _connector(b, a))
            if b.get("name") == a.get("name") and b.get("flavor") == a.get("flavor") and not config:
                continue
        else:
            config = _config_changes(b_cfg, a_cfg)
        found.append(
            StackComponentChange(
                type=ctype,
                change="added" if b is None else "removed" if a is None else "changed",
                name_before=b.get("name") if b else None,
                name_after=a.get("name") if a else None,
                flavor_before=b.get("flavor") if b else None,
                flavor_after=a.get("flavor") if a else None,
                config=[c for c in config if not (c.before == MASK and c.after == MASK)],
            )
        )
    return StackDiff(name_before=(before or {}).get("name"), name_after=(after or {}).get("name"), components=found)


def _connector(before: dict[str, Any], after: dict[str, Any]) -> ValueChange:
    return ValueChange(key="connector", before=before.get("connector"), after=after.get("connector"))
