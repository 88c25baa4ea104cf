"""The command line: parses arguments, calls use-cases, renders output. No business rules here."""

from factledger.cli import (  # noqa: F401  (importing registers the commands)
    archive,
    claims,
    demo,
    exchange,
    ingest,
    rescore,
    review,
    sources,
    status,
    store,
    verify,
)
from factledger.cli.app import cli, main

__all__ = ["cli", "main"]
