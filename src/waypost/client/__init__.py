"""The public Client."""

from waypost.client.client import Client

__all__ = ["Client"]
