"""factledger: a source-verification fact tracker."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # The version is looked up on first use: importlib.metadata reads the installed distributions, a cost
    # every command would pay at start-up for the few that print the version.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("factledger")
        except PackageNotFoundError:  # running from a checkout without an install
            return "0.0.0+unknown"
    raise AttributeError(f"module 'factledger' has no attribute {name!r}")
