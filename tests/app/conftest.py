"""The application tests capture from the integration tests' loopback site."""

from tests.integration.conftest import site

__all__ = ["site"]
