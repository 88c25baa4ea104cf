"""Errors the user can act on. The CLI prints their message on one line and picks the exit code."""

from __future__ import annotations


class LedgerError(Exception):
    """A user-facing error: bad input, an unknown id, a ledger we cannot open."""

    exit_code = 1


class NotFoundError(LedgerError):
    pass


class InvalidInputError(LedgerError):
    pass


class TransitionError(LedgerError):
    pass


class SchemaError(LedgerError):
    """The database is missing, from a newer factledger, or needs an upgrade."""


class VersionConflictError(LedgerError):
    """A stale ``--expect-version``: someone else changed the claim first."""

    exit_code = 3


class LedgerBusyError(LedgerError):
    """SQLite's write lock stayed taken past the busy timeout (another process's long transaction)."""
