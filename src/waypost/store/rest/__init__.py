"""The Store protocol over HTTP, for pipelines and clients that talk to a Waypost server."""

from waypost.store.rest.store import RestStore

__all__ = ["RestStore"]
