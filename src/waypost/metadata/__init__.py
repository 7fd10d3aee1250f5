"""Typed metadata values; see :mod:`waypost.metadata.metadata_types`."""
