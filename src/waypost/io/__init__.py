"""File input and output: :mod:`waypost.io.fileio` works on local paths and any fsspec URI."""
