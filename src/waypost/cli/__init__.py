"""The ``waypost`` command line: Typer + Rich, one module per command group.

The entry point is :func:`waypost.cli.main.main`.
"""
