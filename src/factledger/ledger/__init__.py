"""The domain core: models, statuses, use-cases and queries. Knows SQLAlchemy and nothing above it."""
