"""The ``waypost`` command line (Typer + Rich), one module per command group; entry point :func:`waypost.cli.main.main`."""
