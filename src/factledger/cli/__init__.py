"""The command line: parses arguments, calls use-cases, renders output. No business rules here.

The root group (cli/app.py) imports each subcommand's module only when that subcommand runs."""

from factledger.cli.app import cli, main

__all__ = ["cli", "main"]
