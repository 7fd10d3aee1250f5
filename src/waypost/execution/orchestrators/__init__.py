"""Orchestrators schedule step runners: ``local`` (threads) and ``dask`` (a cluster)."""
