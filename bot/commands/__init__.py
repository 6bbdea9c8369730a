"""Implementations of the `python -m bot` subcommands, one module each."""
