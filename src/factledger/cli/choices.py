"""The closed vocabularies a command line takes, as click choices: help lists them, and a value outside
them is a usage error (exit 2) that names the valid ones. Matching ignores case."""

from __future__ import annotations

import rich_click as click

from factledger.ledger.statuses import ClaimStatus, SourceHealth, Stance

STATUS = click.Choice([status.value for status in ClaimStatus], case_sensitive=False)
STANCE = click.Choice([stance.value for stance in Stance], case_sensitive=False)
HEALTH = click.Choice([health.value for health in SourceHealth], case_sensitive=False)
