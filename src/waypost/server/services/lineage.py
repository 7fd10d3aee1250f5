"""Lineage of an artifact version: the steps that made it and the steps that read it, across runs.

A hop is one step: ``up`` hops walk producer step → its inputs, ``down`` hops walk consumer
step → its outputs. Each hop costs two link queries for the whole frontier (not one per
node), one more to drop what the caller may not see, and the node details are fetched once
at the end. The walk never passes through a hidden node: a step of a run the caller cannot
read, or a version of an artifact they cannot read, is left out with everything beyond it,
so the graph reveals nothing of other projects.
"""

from __future__ import annotations

import uuid

from waypost.schemas import LineageEdge, LineageGraph
from waypost.schemas.access import Visibility
from waypost.server.services._common import or_404
from waypost.store.sql.store import SqlStore

MAX_NODES = 500
"""The most nodes one graph holds; past it the walk stops and the graph says ``truncated``."""


class _Walk:
    """Nodes and edges met so far, with the node budget."""

    def __init__(self, root: uuid.UUID) -> None:
        self.versions: set[uuid.UUID] = {root}
        self.steps: set[uuid.UUID] = set()
        self.edges: set[tuple[uuid.UUID, uuid.UUID]] = set()
        self.truncated = False

    def room(self) -> int:
        return MAX_NODES - len(self.versions) - len(self.steps)

    def admit(self, found: set[uuid.UUID], into: set[uuid.UUID]) -> set[uuid.UUID]:
        """Add the new ids of ``found`` to ``into`` while the budget lasts; return those added."""
        new = sorted(found - into)
        if len(new) > self.room():
            self.truncated = True
            new = new[: max(self.room(), 0)]
        into.update(new)
        return set(new)


def lineage(
    store: SqlStore,
    version_id: uuid.UUID,
    up: int,
    down: int,
    *,
    artifacts: Visibility | None = None,
    runs: Visibility | None = None,
) -> LineageGraph:
    """The graph around ``version_id`` (readable by the caller): ``up`` steps to its inputs, ``down`` to consumers.

    ``artifacts`` and ``runs`` are what the caller may read (None: everything).
    """
    or_404(lambda: store.artifacts.get_version(version_id))  # the route checked the caller may read it
    walk = _Walk(version_id)
    repo = store.artifacts
    # Producers first: "where did this come from" is what a trace back asks for.
    for produced_by, read_by, hops in (("output", "input", up), ("input", "output", down)):
        frontier = {version_id}
        for _ in range(hops):
            if not frontier or walk.truncated:
                break
            step_links = repo.links(produced_by, versions=frontier)
            _, seen_steps = repo.visible_nodes((), {s for s, _ in step_links}, artifacts=artifacts, runs=runs)
            steps = walk.admit(seen_steps, walk.steps)
            walk.edges.update(_edge(produced_by, s, v) for s, v in step_links if s in walk.steps)
            if not steps:
                break
            version_links = repo.links(read_by, steps=steps)
            seen_versions, _ = repo.visible_nodes({v for _, v in version_links}, (), artifacts=artifacts, runs=runs)
            frontier = walk.admit(seen_versions, walk.versions)
            walk.edges.update(_edge(read_by, s, v) for s, v in version_links if v in walk.versions)
    nodes = repo.lineage_nodes(walk.versions, walk.steps)
    known = {n.id for n in nodes}
    edges = [LineageEdge(source=a, target=b) for a, b in sorted(walk.edges) if a in known and b in known]
    # The root first, then artifacts and steps by run and name: a stable order for clients.
    nodes.sort(key=lambda n: (n.id != version_id, n.kind, n.run_name or "", n.name, n.version or 0))
    return LineageGraph(root=version_id, nodes=nodes, edges=edges, truncated=walk.truncated)


def _edge(kind: str, step: uuid.UUID, version: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """step → artifact for an output link, artifact → step for an input link."""
    return (step, version) if kind == "output" else (version, step)
