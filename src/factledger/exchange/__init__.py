"""Import and export: JSONL, CSV, ClaimReview JSON-LD, WACZ evidence bundles."""
