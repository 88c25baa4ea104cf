"""The application layer: the use-cases the two front ends (``factledger.cli``, ``factledger.tui``) share.

Each use-case opens its own transactions (``Ledger.write()`` / ``Ledger.read()``) and wires the domain
packages together (the archiver with the quote checks, ingest with the archiver); the front ends only
parse input, call one of these functions and render what it returns. The layers are enforced by the
import-linter contracts in pyproject.toml (``[tool.importlinter]``).
"""
