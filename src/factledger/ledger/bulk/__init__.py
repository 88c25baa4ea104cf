"""Writing many rows at once, for the paths where the per-row ORM is the bottleneck:

- ``claim_import``: claims with their evidence from an exchange file (``import jsonl|csv|claimreview``);
- ``document_claims``: a document's candidate claims and their appearances (``ingest``);
- ``driver_sql``: the driver-level executemany inserts and long ``IN`` lookups both are built on.
"""
