"""Liveness: the one API route anyone may call."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from waypost.server.deps import public
from waypost.server.version import server_version

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The server is up."""

    status: str
    version: str


@router.get("/health", dependencies=[public()])
def health() -> Health:
    """Answer while the server runs."""
    return Health(status="ok", version=server_version())
