"""The Waypost server: a FastAPI app over a SqlStore (DESIGN.md §2).

Build one with :func:`waypost.server.app.create_app`; ``waypost up`` runs it with uvicorn.
Importing this package needs the server extras (FastAPI); ``import waypost`` does not.
"""
